import { execFileSync } from 'node:child_process';

/** Whether a program is on the PATH (integration tests skip, naming the package, when it is not). */
export function isInstalled(program: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$0"', program], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

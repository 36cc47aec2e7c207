import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The opening comment of the benchmark at `moduleUrl`, without its comment marks: its usage. */
export function headerOf(moduleUrl: string): string {
  const text = readFileSync(fileURLToPath(moduleUrl), 'utf8');
  const header = /\/\*\*([\s\S]*?)\*\//.exec(text)?.[1] ?? '';
  return header
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

/**
 * A benchmark's options, read by `parse` (a `parseArgs` call): `--help` prints the benchmark's
 * opening comment (what it measures and its options) and exits 0; an unknown option or a missing
 * value prints the reason and that text and exits 2, rather than a stack trace.
 */
export function benchArguments<Parsed>(moduleUrl: string, parse: () => Parsed): Parsed {
  if (process.argv.slice(2).some((argument) => argument === '--help' || argument === '-h')) {
    process.stdout.write(`${headerOf(moduleUrl)}\n`);
    process.exit(0);
  }
  try {
    return parse();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${headerOf(moduleUrl)}\n`);
    process.exit(2);
  }
}

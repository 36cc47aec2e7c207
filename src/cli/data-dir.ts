import { statSync } from 'node:fs';

/**
 * Why `dataDir` cannot be the platform's data folder, as a bad setting is told (flag, variable,
 * value, rule), or undefined: a folder, or nothing yet (it is made). Checked before anything
 * starts, so a file in its place is a usage error, not a failed start.
 */
export function dataDirProblem(dataDir: string): string | undefined {
  let isFolder: boolean;
  try {
    isFolder = statSync(dataDir).isDirectory();
  } catch {
    return undefined;
  }
  return isFolder
    ? undefined
    : `--data-dir (URBAN_BRAIN_DATA_DIR) = "${dataDir}": must be a folder, and a file is there`;
}

import { mkdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Makes a folder and the parents it lacks, as `mkdir -p`. Node's own `{ recursive: true }` loops for
 * ever where the file system refuses a new folder with ENOENT (under `/proc` or `/sys`); here that
 * error, or any other, is thrown at once, naming the folder.
 */
export function makeFolder(folder: string): void {
  const missing: string[] = [];
  let current = resolve(folder);
  let kind = kindOf(current);
  for (; kind === 'none' && dirname(current) !== current; kind = kindOf(current)) {
    missing.push(current);
    current = dirname(current);
  }
  // As `mkdir -p`: a file where the folder goes is EEXIST.
  if (missing.length === 0 && kind === 'other')
    throw Object.assign(new Error(`EEXIST: file already exists, mkdir '${current}'`), {
      code: 'EEXIST',
      path: current,
    });
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path);
    } catch (error) {
      // Made meanwhile by someone else: fine, as long as it is a folder (checked by the next step or the caller).
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function kindOf(path: string): 'folder' | 'other' | 'none' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw error;
  }
}

/** Syncs a file or folder to disk, off the event loop (syncing a large file takes a while). */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

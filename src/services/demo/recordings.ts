import { readFile } from 'node:fs/promises';

/** The NAB files shipped for the demo (see assets/demo/nab/SOURCE.md). */
export const recordingsDirectory = new URL('../../../assets/demo/nab/', import.meta.url);

export function loadRecording(file: string): Promise<string> {
  return readFile(new URL(file, recordingsDirectory), 'utf8');
}

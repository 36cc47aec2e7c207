import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const fileName = 'mqtt-client-id';
const pattern = /^urban-brain-[0-9a-f]{12}$/;

/**
 * The client id of this server's connections to an external broker, kept in
 * `<dataDir>/mqtt-client-id`: a restart on the same data directory resumes the broker's sessions,
 * and with them the messages left unacknowledged, while servers on other data directories get
 * sessions of their own. Made at the first start.
 */
export async function persistentClientId(dataDir: string): Promise<string> {
  const file = join(dataDir, fileName);
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (pattern.test(stored)) return stored;
    throw new Error(`${file}: '${stored.slice(0, 64)}' is not an id such as urban-brain-0123456789ab`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const id = `urban-brain-${randomBytes(6).toString('hex')}`;
  await writeFile(file, `${id}\n`, { flag: 'wx' });
  return id;
}

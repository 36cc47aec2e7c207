// `npm run cluster:down [-- --dir DIR]`: stops what `cluster:up` started: our processes first
// (SIGTERM: they hand their shards back and flush), then the engines.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stopPostgresServer } from '../../src/adapters/postgres/server-process.ts';

const { values } = parseArgs({ options: { dir: { type: 'string', default: '/tmp/urban-brain-cluster' } } });
const directory = values.dir;
let pids: Record<string, number>;
try {
  pids = JSON.parse(await readFile(join(directory, 'pids.json'), 'utf8')) as Record<string, number>;
} catch {
  process.stderr.write(`no cluster in ${directory} (no pids.json)\n`);
  process.exit(0);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stop(names: string[]): Promise<void> {
  for (const name of names) if (alive(pids[name]!)) process.kill(pids[name]!, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (names.some((name) => alive(pids[name]!)) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
  for (const name of names) if (alive(pids[name]!)) process.kill(pids[name]!, 'SIGKILL');
}

const engines = /^(nats|clickhouse|postgres)/;
await stop(Object.keys(pids).filter((name) => !engines.test(name)));
await stop(Object.keys(pids).filter((name) => engines.test(name) && name !== 'postgres'));
stopPostgresServer(join(directory, 'postgres'));
execFileSync('rm', ['-f', join(directory, 'pids.json')]);
process.stderr.write(`stopped the cluster in ${directory} (data kept; delete the folder to start afresh)\n`);

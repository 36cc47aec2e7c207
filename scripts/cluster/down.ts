// `npm run cluster:down [-- --dir DIR]`: stops what `cluster:up` started: our processes first
// (SIGTERM: they hand their shards back and flush), then the engines. Only pids that still run the
// cluster's programs are signalled (checked in /proc): after a reboot the ids in pids.json may
// belong to anything.
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stopPostgresServer } from '../../src/adapters/postgres/server-process.ts';
import { clusterNatsUrl, isClusterProcess, readPids } from './processes.ts';

function fail(line: string, code: number): never {
  process.stderr.write(`cluster:down: ${line}\n`);
  process.exit(code);
}

function options(): { dir: string } {
  try {
    return parseArgs({ options: { dir: { type: 'string', default: '/tmp/urban-brain-cluster' } } }).values;
  } catch (error) {
    return fail(`${(error as Error).message} (usage: npm run cluster:down -- [--dir DIR])`, 2);
  }
}

const directory = resolve(options().dir);
const pids = await readPids(directory);
if (pids === null) {
  process.stderr.write(`no cluster in ${directory} (no pids.json)\n`);
  process.exit(0);
}
const natsUrl = await clusterNatsUrl(directory);
const ours = (name: string): boolean => isClusterProcess(pids[name]!, name, directory, natsUrl);

const skipped = Object.keys(pids).filter((name) => {
  try {
    process.kill(pids[name]!, 0);
  } catch {
    return false;
  }
  return !ours(name);
});
if (skipped.length > 0)
  process.stderr.write(
    `left alone (their pids now run something else): ${skipped.map((name) => `${name} ${pids[name]}`).join(', ')}\n`,
  );

async function stop(names: string[]): Promise<void> {
  const signal = (name: string, kind: NodeJS.Signals): void => {
    if (ours(name)) process.kill(pids![name]!, kind);
  };
  for (const name of names) signal(name, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (names.some(ours) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  for (const name of names) signal(name, 'SIGKILL');
}

const engines = /^(nats|clickhouse|postgres)/;
await stop(Object.keys(pids).filter((name) => !engines.test(name)));
await stop(Object.keys(pids).filter((name) => engines.test(name) && name !== 'postgres'));
// pg_ctl finds the server by its data folder (postmaster.pid), not by a pid of the list.
stopPostgresServer(join(directory, 'postgres'));
await rm(join(directory, 'pids.json'), { force: true });
process.stderr.write(`stopped the cluster in ${directory} (data kept; delete the folder to start afresh)\n`);

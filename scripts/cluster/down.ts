// `npm run cluster:down [-- --dir DIR]`: stops what `cluster:up` started: our processes first,
// listed or not (SIGTERM: they hand their shards back and flush, which needs the engines), then the
// engines. Only pids that still run the
// cluster's programs are signalled (checked in /proc): after a reboot the ids in pids.json may
// belong to anything.
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stopPostgresServer } from '../../src/adapters/postgres/server-process.ts';
import { argumentsProblem } from './arguments.ts';
import {
  clusterNatsUrl,
  isClusterProcess,
  isRunning,
  readPids,
  stopProcesses,
  unlistedClusterProcesses,
} from './processes.ts';

function fail(line: string, code: number): never {
  process.stderr.write(`cluster:down: ${line}\n`);
  process.exit(code);
}

function options(): { dir: string } {
  try {
    return parseArgs({ options: { dir: { type: 'string', default: '/tmp/urban-brain-cluster' } } }).values;
  } catch (error) {
    return fail(`${argumentsProblem(error)} (usage: npm run cluster:down -- [--dir DIR])`, 2);
  }
}

const directory = resolve(options().dir);
const listed = await readPids(directory);
const natsUrl = await clusterNatsUrl(directory);
if (listed === null && unlistedClusterProcesses(directory, natsUrl, []).length === 0) {
  process.stderr.write(`no cluster in ${directory} (no pids.json)\n`);
  process.exit(0);
}
const pids = listed ?? {};
const ours = (name: string): boolean => isClusterProcess(pids[name]!, name, directory, natsUrl);

// An exited process not yet reaped (a zombie) still answers kill(pid, 0): it is not someone else's.
const skipped = Object.keys(pids).filter((name) => isRunning(pids[name]!) && !ours(name));
if (skipped.length > 0)
  process.stderr.write(
    `left alone (their pids now run something else): ${skipped.map((name) => `${name} ${pids[name]}`).join(', ')}\n`,
  );

// A role or an engine started again by hand after a crash has a pid the list does not hold: it is
// the cluster's all the same (its command line names the folder or the cluster's NATS URL), and
// would keep the ports taken.
const unlisted = unlistedClusterProcesses(directory, natsUrl, Object.values(pids));
if (unlisted.length > 0)
  process.stderr.write(
    `also stopping (not in pids.json): ${unlisted.map(([name, pid]) => `${name} ${pid}`).join(', ')}\n`,
  );
const unlistedOf = (kind: 'role' | 'engine'): number[] =>
  unlisted.filter(([, , found]) => found === kind).map(([, pid]) => pid);

async function stop(names: string[], others: number[]): Promise<void> {
  await stopProcesses([...names.filter(ours).map((name) => pids[name]!), ...others]);
}

// Every role before any engine: a processor whose NATS is gone cannot hand its shards back and is
// killed after the grace time.
const engines = /^(nats|clickhouse|postgres)/;
await stop(
  Object.keys(pids).filter((name) => !engines.test(name)),
  unlistedOf('role'),
);
await stop(
  Object.keys(pids).filter((name) => engines.test(name) && name !== 'postgres'),
  unlistedOf('engine'),
);
// pg_ctl finds the server by its data folder (postmaster.pid), not by a pid of the list.
stopPostgresServer(join(directory, 'postgres'));
await rm(join(directory, 'pids.json'), { force: true });
process.stderr.write(`stopped the cluster in ${directory} (data kept; delete the folder to start afresh)\n`);

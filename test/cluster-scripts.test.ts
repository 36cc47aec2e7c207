import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { clusterPorts } from '../scripts/cluster/processes.ts';
import { localTopology } from '../scripts/cluster/topology.ts';

const repository = resolve(import.meta.dirname, '..');

/** Runs `scripts/cluster/<script>.ts` with `args`; resolves with its exit code and output. */
function runScript(
  script: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `scripts/cluster/${script}.ts`, ...args],
      { cwd: repository, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolveRun({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

/** A long-lived process whose command line names `marker` (as the cluster's engines name their folder). */
function idleProcess(marker: string): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', marker], { stdio: 'ignore' });
}

/** Whether every port can be listened on at 127.0.0.1 now. */
async function allFree(ports: number[]): Promise<boolean> {
  for (const port of ports) {
    const probe = createServer();
    const free = await new Promise<boolean>((resolveProbe) => {
      probe.once('error', () => resolveProbe(false));
      probe.listen(port, '127.0.0.1', () => resolveProbe(true));
    });
    if (free) await new Promise((resolveClose) => probe.close(resolveClose));
    if (!free) return false;
  }
  return true;
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

test('cluster:up refuses a folder whose cluster runs, in one line, and writes nothing', async () => {
  // Regression: a second cluster:up rewrote pids.json and admin-key and left the first cluster orphaned.
  const directory = mkdtempSync(join(tmpdir(), 'ub-cluster-up-'));
  const engine = idleProcess(join(directory, 'nats-1', 'nats.conf'));
  try {
    const pids = JSON.stringify({ 'nats-1': engine.pid });
    writeFileSync(join(directory, 'pids.json'), pids);
    writeFileSync(join(directory, 'admin-key'), 'the-running-key\n');
    const result = await runScript('up', ['--dir', directory, '--base-port', '33000']);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      new RegExp(
        `^cluster:up: the cluster in ${directory} is running \\(nats-1 ${engine.pid}\\); stop it first: npm run cluster:down -- --dir ${directory}\\n$`,
      ),
    );
    assert.equal(readFileSync(join(directory, 'pids.json'), 'utf8'), pids);
    assert.equal(readFileSync(join(directory, 'admin-key'), 'utf8'), 'the-running-key\n');
    assert.deepEqual(readdirSync(directory).sort(), ['admin-key', 'pids.json']);
  } finally {
    engine.kill();
    rmSync(directory, { recursive: true, force: true });
  }
});

test('cluster:up refuses when a port of the cluster is taken, before creating the folder', async () => {
  const directory = join(mkdtempSync(join(tmpdir(), 'ub-cluster-up-')), 'cluster');
  // A base whose ports are all free, so that the one held here is the one named.
  let basePort = 33_000;
  while (!(await allFree(clusterPorts(localTopology(directory, basePort)).map(([, port]) => port))))
    basePort += 1_000;
  const holder = createServer();
  await new Promise<void>((resolveListen) => holder.listen(basePort + 80, '127.0.0.1', resolveListen));
  try {
    const result = await runScript('up', ['--dir', directory, '--base-port', String(basePort)]);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(
      result.stderr,
      `cluster:up: port ${basePort + 80} (api-1) is in use on 127.0.0.1: choose another --base-port or stop what holds it\n`,
    );
    assert.equal(existsSync(directory), false);
  } finally {
    await new Promise((resolveClose) => holder.close(resolveClose));
    rmSync(resolve(directory, '..'), { recursive: true, force: true });
  }
});

test('cluster:down signals only the pids that still run the cluster, never a reused one', async () => {
  // Regression: after a reboot the ids in pids.json may belong to unrelated processes.
  const directory = mkdtempSync(join(tmpdir(), 'ub-cluster-down-'));
  mkdirSync(join(directory, 'nats-1'));
  const ours = idleProcess(join(directory, 'nats-1', 'nats.conf'));
  const stranger = idleProcess('something-else');
  try {
    writeFileSync(
      join(directory, 'pids.json'),
      JSON.stringify({ 'nats-1': ours.pid, 'nats-2': stranger.pid }),
    );
    const exited = new Promise((resolveExit) => ours.once('exit', resolveExit));
    const result = await runScript('down', ['--dir', directory]);
    assert.equal(result.code, 0, result.stderr);
    await exited;
    assert.equal(alive(stranger), true, 'the unrelated process was left alone');
    assert.match(
      result.stderr,
      new RegExp(`left alone \\(their pids now run something else\\): nats-2 ${stranger.pid}`),
    );
    assert.equal(existsSync(join(directory, 'pids.json')), false);
  } finally {
    ours.kill();
    stranger.kill();
    rmSync(directory, { recursive: true, force: true });
  }
});

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { serverProgram } from '../src/adapters/nats/server-process.ts';
import { hasPostgres } from '../src/adapters/postgres/server-process.ts';
import { clusterPorts, unlistedClusterProcesses } from '../scripts/cluster/processes.ts';
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

/** A base port whose cluster ports are all free now, from `from` on. */
async function freeBase(directory: string, from: number): Promise<number> {
  let basePort = from;
  while (!(await allFree(clusterPorts(localTopology(directory, basePort)).map(([, port]) => port))))
    basePort += 1_000;
  return basePort;
}

const enginesInstalled =
  serverProgram('nats-server') !== null && serverProgram('clickhouse-server') !== null && hasPostgres();

test(
  'cluster:up refuses a --dir that cannot be a folder in one line, not a stack trace',
  {
    skip: enginesInstalled ? false : 'needs nats-server, clickhouse-server and postgresql',
  },
  async () => {
    const result = await runScript('up', [
      '--dir',
      '/etc/hostname/cluster',
      '--base-port',
      String(await freeBase('/etc/hostname/cluster', 34_000)),
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(
      result.stderr,
      "cluster:up: --dir /etc/hostname/cluster: ENOTDIR: not a directory, mkdir '/etc/hostname/cluster'\n",
    );
  },
);

test(
  'cluster:up run as root refuses a --dir that PostgreSQL (user postgres) cannot enter',
  {
    skip: process.getuid?.() === 0 && serverProgram('runuser') !== null ? false : 'only as root',
  },
  async () => {
    // Regression: initdb failed ("Command failed: runuser … initdb …") after the NATS and ClickHouse
    // servers had started, for a folder under /root or one made by mktemp -d (mode 700).
    const closed = mkdtempSync(join(tmpdir(), 'ub-closed-'));
    try {
      const directory = join(closed, 'cluster');
      const result = await runScript('up', [
        '--dir',
        directory,
        '--base-port',
        String(await freeBase(directory, 34_000)),
      ]);
      assert.equal(result.code, 1, result.stderr);
      assert.equal(
        result.stderr,
        `cluster:up: --dir ${directory}: PostgreSQL runs as user postgres, which cannot enter ${closed} ` +
          '(a folder on the way is closed to other users): choose a folder such as /tmp/ub or /var/tmp/ub\n',
      );
      assert.equal(existsSync(directory), false);
    } finally {
      rmSync(closed, { recursive: true, force: true });
    }
  },
);

test(
  'cluster:up stopped half-way (SIGTERM, Ctrl-C) stops what it had started, a server still starting too',
  {
    skip: enginesInstalled ? false : 'needs nats-server, clickhouse-server and postgresql',
    timeout: 120_000,
  },
  async () => {
    // Regression: the engines and the detached roles outlived an interrupted cluster:up.
    const directory = join(mkdtempSync(join(tmpdir(), 'ub-cluster-up-')), 'cluster');
    chmodSync(resolve(directory, '..'), 0o755);
    const basePort = await freeBase(directory, 34_000);
    const up = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/cluster/up.ts', '--dir', directory, '--base-port', String(basePort)],
      {
        cwd: repository,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    up.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolveExit) => up.once('exit', (code) => resolveExit(code)));
    const natsUrl = `nats://127.0.0.1:${basePort + 222}`;
    try {
      // Once the NATS servers answer, the first ClickHouse server is starting.
      const pidsFile = join(directory, 'pids.json');
      while (!(existsSync(pidsFile) && readFileSync(pidsFile, 'utf8').includes('nats-3')) && alive(up))
        await new Promise((resolveWait) => setTimeout(resolveWait, 50));
      await new Promise((resolveWait) => setTimeout(resolveWait, 500));
      assert.ok(unlistedClusterProcesses(directory, natsUrl, []).length >= 3, 'the cluster was starting');
      up.kill('SIGTERM');
      assert.equal(await exited, 143, stderr);
      assert.match(stderr, /cluster:up: interrupted by SIGTERM \(stopped what had started; logs in .*\)\n$/);
      assert.deepEqual(unlistedClusterProcesses(directory, natsUrl, []), []);
      assert.equal(existsSync(pidsFile), false);
    } finally {
      up.kill('SIGKILL');
      for (const [, pid] of unlistedClusterProcesses(directory, natsUrl, [])) process.kill(pid, 'SIGKILL');
      rmSync(resolve(directory, '..'), { recursive: true, force: true });
    }
  },
);

test('cluster:down also stops an engine of the folder started again by hand (not in pids.json)', async () => {
  // Regression: it kept the ports taken, so the next cluster:up refused to start.
  const directory = mkdtempSync(join(tmpdir(), 'ub-cluster-down-'));
  // A stand-in nats-server: node under that name, with the command line of one.
  const program = join(directory, 'bin', 'nats-server');
  mkdirSync(join(directory, 'bin'));
  symlinkSync(process.execPath, program);
  const config = join(directory, 'nats-2', 'nats.conf');
  const restarted = spawn(program, ['-e', 'setInterval(() => {}, 1000)', '--', '-c', config], {
    stdio: 'ignore',
  });
  const elsewhere = spawn(
    program,
    ['-e', 'setInterval(() => {}, 1000)', '--', '-c', '/elsewhere/nats-2/nats.conf'],
    {
      stdio: 'ignore',
    },
  );
  try {
    writeFileSync(join(directory, 'pids.json'), JSON.stringify({ 'nats-1': 999_999_999 }));
    const exited = new Promise((resolveExit) => restarted.once('exit', resolveExit));
    const result = await runScript('down', ['--dir', directory]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`also stopping \\(not in pids.json\\): nats-2 ${restarted.pid}\\n`),
    );
    await exited;
    assert.equal(alive(elsewhere), true, 'a server of another folder was left alone');
  } finally {
    restarted.kill();
    elsewhere.kill();
    rmSync(directory, { recursive: true, force: true });
  }
});

test("cluster:down does not call an exited, unreaped process of the list someone else's", async () => {
  const directory = mkdtempSync(join(tmpdir(), 'ub-cluster-down-'));
  // sh starts a child that exits at once, then becomes `sleep`, which never reaps it: a zombie.
  const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const zombie = Number(
      await new Promise<string>((resolveLine) =>
        parent.stdout!.once('data', (chunk: Buffer) => resolveLine(chunk.toString())),
      ),
    );
    await new Promise((resolveWait) => setTimeout(resolveWait, 300));
    writeFileSync(join(directory, 'pids.json'), JSON.stringify({ 'ingest-1': zombie }));
    const result = await runScript('down', ['--dir', directory]);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /left alone/);
  } finally {
    parent.kill();
    rmSync(directory, { recursive: true, force: true });
  }
});

test('cluster:down stops a role started again by hand before the engines, and names it once', async () => {
  // Regression: the listed engines were stopped first, so a processor restarted by hand (not in
  // pids.json) met a stopped NATS, could not hand its shards back and was killed after 20 s; it was
  // also listed as "process process".
  const directory = mkdtempSync(join(tmpdir(), 'ub-cluster-down-'));
  mkdirSync(join(directory, 'nats-1'));
  writeFileSync(
    join(directory, 'topology.json'),
    JSON.stringify({ nats: [{ name: 'nats-1', clientPort: 29_999, clusterPort: 29_998 }] }),
  );
  const engine = idleProcess(join(directory, 'nats-1', 'nats.conf'));
  const seen = join(directory, 'engine-at-sigterm');
  // On SIGTERM the stand-in role writes whether the engine still ran (a zombie has no command line).
  const script = `process.on('SIGTERM', () => {
    let running = false;
    try { running = require('fs').readFileSync('/proc/${engine.pid}/cmdline').length > 0; } catch {}
    require('fs').writeFileSync(${JSON.stringify(seen)}, String(running));
    process.exit(0);
  });
  setInterval(() => {}, 1000);`;
  const role = spawn(
    process.execPath,
    [
      '-e',
      script,
      '--',
      '/x/scripts/cluster/role.ts',
      '--role',
      'process',
      '--nats-url',
      'nats://127.0.0.1:29999',
      '--member',
      'processor-2',
    ],
    { stdio: 'ignore' },
  );
  try {
    await new Promise((resolveWait) => setTimeout(resolveWait, 300));
    writeFileSync(join(directory, 'pids.json'), JSON.stringify({ 'nats-1': engine.pid }));
    const result = await runScript('down', ['--dir', directory]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(seen, 'utf8'), 'true', 'the engine still ran when the role was told to stop');
    assert.match(
      result.stderr,
      new RegExp(`also stopping \\(not in pids.json\\): processor-2 ${role.pid}\\n`),
    );
  } finally {
    role.kill();
    engine.kill();
    rmSync(directory, { recursive: true, force: true });
  }
});

test('cluster:up refuses a negative --base-port in one line, with exit 2 and nothing written', async () => {
  // Regression: parseArgs took -5 for a flag and its three-line message was printed as it was.
  const directory = join(mkdtempSync(join(tmpdir(), 'ub-cluster-args-')), 'cluster');
  try {
    const result = await runScript('up', ['--dir', directory, '--base-port', '-5']);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "cluster:up: Option '--base-port' argument is ambiguous: a value starting with a dash is given as --base-port=VALUE (usage: npm run cluster:up -- [--dir DIR] [--base-port N])\n",
    );
    const given = await runScript('up', ['--dir', directory, '--base-port=-5']);
    assert.equal(given.code, 2);
    assert.match(given.stderr, /^cluster:up: --base-port -5: must be an integer 1024…64000 [^\n]*\n$/);
    assert.equal(existsSync(directory), false);
  } finally {
    rmSync(resolve(directory, '..'), { recursive: true, force: true });
  }
});

import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { crossingRoadnet, flowEntry } from '../src/core/traffic/fixtures.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'eval-traffic-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, value: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

const roadnetFile = write('roadnet.json', crossingRoadnet());
const flowFile = write('flow.json', [
  flowEntry(['road_in_w', 'road_out_e'], 0, 200, 3),
  flowEntry(['road_in_s', 'road_out_n'], 0, 200, 4),
]);

const bin = fileURLToPath(new URL('../bin/urban-brain.js', import.meta.url));

/** Runs the real command in a child process (stdout stays the test runner's). */
function capture(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [bin, 'eval', 'traffic', ...args], (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      if (code === -1) reject(error);
      else resolve({ code, out: stdout, err: stderr });
    });
  });
}

test('prints one JSON object per controller with the travel-time measures and settings', async () => {
  const result = await capture([
    '--roadnet',
    roadnetFile,
    '--flow',
    flowFile,
    '--controller',
    'fixed,maxpressure',
    '--steps',
    '300',
    '--json',
  ]);
  assert.equal(result.code, 0, result.err);
  const rows = result.out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(
    rows.map((r) => r.controller),
    ['fixed', 'maxpressure'],
  );
  for (const row of rows) {
    for (const key of ['att', 'att_entering_lanes', 'finished', 'avg_queue', 'avg_delay', 'steps_per_s']) {
      assert.equal(typeof row[key], 'number', `${key} in ${JSON.stringify(row)}`);
    }
    assert.equal(row.steps, 300);
    assert.equal(row.decision_seconds, 15);
    assert.ok((row.finished as number) > 50);
  }
  assert.match(result.err, /maxpressure/);
});

test('exits 2 with a usage error when the controller is unknown', async () => {
  const result = await capture(['--roadnet', roadnetFile, '--flow', flowFile, '--controller', 'psychic']);
  assert.equal(result.code, 2);
  assert.match(result.err, /unknown controller 'psychic'/);
  const listed = await capture(['--roadnet', roadnetFile, '--flow', flowFile, '--controller', 'all,fixed']);
  assert.equal(listed.code, 2);
  assert.match(listed.err, /--controller 'all,fixed': 'all' stands alone/);
});

test('exits 2 on a yellow scope it does not know, and on a partial yellow outside SUMO', async () => {
  const base = ['--roadnet', roadnetFile, '--flow', flowFile, '--controller', 'fixed'];
  const unknown = await capture([...base, '--yellow-scope', 'some']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /--yellow-scope must be all or ending, got 'some'/);
  const outside = await capture([...base, '--yellow-scope', 'ending']);
  assert.equal(outside.code, 2);
  assert.match(outside.err, /--yellow-scope ending is only available with --engine sumo/);
});

test('exits 2 naming the road at fault in a broken roadnet', async () => {
  const broken = crossingRoadnet() as { roads: { lanes: unknown[] }[] };
  broken.roads[2]!.lanes = [];
  const file = write('broken.json', broken);
  const result = await capture(['--roadnet', file, '--flow', flowFile, '--controller', 'fixed']);
  assert.equal(result.code, 2);
  assert.match(result.err, /road 'road_in_s' lanes: a road needs at least one lane/);
});

test('exits 2 when required files are missing', async () => {
  const result = await capture(['--controller', 'fixed']);
  assert.equal(result.code, 2);
  assert.match(result.err, /--roadnet FILE and --flow FILE are required/);
});

const base = ['--roadnet', roadnetFile, '--flow', flowFile, '--steps', '300'];

function jsonRows(out: string): Record<string, unknown>[] {
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('reports an ambulance that finished with its travel time and finished count per variant', async () => {
  const result = await capture([
    ...base,
    '--controller',
    'fixed',
    '--emergency',
    'road_in_w,road_out_e@10',
    '--json',
  ]);
  assert.equal(result.code, 0, result.err);
  const [row] = jsonRows(result.out);
  assert.equal(row!.emergency_trips, 1);
  for (const variant of ['without', 'with', 'free_flow']) {
    assert.equal(row![`emergency_finished_${variant}`], 1, variant);
    assert.equal(typeof row![`emergency_tt_${variant}`], 'number', variant);
    assert.ok((row![`emergency_tt_${variant}`] as number) > 10, variant);
  }
  assert.doesNotMatch(result.err, /not finished/);
});

test('reports an ambulance cut off by the end of the run as unfinished, not as a travel time', async () => {
  // Regression: it was reported as the seconds up to the end of the run, equal with and without priority.
  const result = await capture([
    ...base,
    '--controller',
    'fixed',
    '--emergency',
    'road_in_w,road_out_e@295',
    '--json',
  ]);
  assert.equal(result.code, 0, result.err);
  const [row] = jsonRows(result.out);
  for (const variant of ['without', 'with', 'free_flow']) {
    assert.equal(row![`emergency_finished_${variant}`], 0, variant);
    assert.equal(row![`emergency_tt_${variant}`], null, variant);
  }
  assert.match(
    result.err,
    /warning: fixed: ambulances not finished by the end of the run \(step 300, of 1\): 1 without priority, 1 with priority, 1 in free flow/,
  );
});

test('exits 2 on an ambulance departing at or after the end of the run', async () => {
  // Regression: it never departed, yet its travel times were reported as 0 s.
  for (const depart of ['300', '600']) {
    const result = await capture([
      ...base,
      '--controller',
      'fixed',
      '--emergency',
      `road_in_w,road_out_e@${depart}`,
    ]);
    assert.equal(result.code, 2, depart);
    assert.match(
      result.err,
      new RegExp(`departure ${depart} s must be before the end of the run \\(--steps 300\\)`),
    );
  }
});

test('exits 2 naming the pair of roads of an emergency route that are not connected', async () => {
  const result = await capture([...base, '--controller', 'fixed', '--emergency', 'road_in_w,road_out_n@10']);
  assert.equal(result.code, 2);
  assert.match(
    result.err,
    /--emergency 'road_in_w,road_out_n@10': route\[1\]: no road link from 'road_in_w' to 'road_out_n'/,
  );
});

test('--emergency with all runs every controller that can give priority, leaving native out with a note', async () => {
  const result = await capture([
    ...base,
    '--controller',
    'all',
    '--emergency',
    'road_in_w,road_out_e@10',
    '--json',
  ]);
  assert.equal(result.code, 0, result.err);
  const rows = jsonRows(result.out);
  assert.ok(rows.length > 1);
  assert.ok(rows.every((row) => row.controller !== 'native'));
  assert.match(result.err, /'native' \(the roadnet's own plan\) gives no priority and is left out of all/);
});

test('exits 2 on --emergency where it cannot run: with native named and with SUMO', async () => {
  for (const controller of ['native', 'fixed,native']) {
    const result = await capture([
      ...base,
      '--controller',
      controller,
      '--emergency',
      'road_in_w,road_out_e@10',
    ]);
    assert.equal(result.code, 2, controller);
    assert.match(result.err, /--emergency cannot run with controller 'native'/, controller);
  }
  const sumo = await capture([
    '--engine',
    'sumo',
    '--sumocfg',
    roadnetFile,
    '--controller',
    'fixed',
    '--emergency',
    'road_in_w,road_out_e@10',
  ]);
  assert.equal(sumo.code, 2);
  assert.match(sumo.err, /--emergency is only available with the CityFlow-model engine, not --engine sumo/);
});

test('reports the number of phases used when --phases asks for more than the network has', async () => {
  // Regression: --phases 100 was reported as 100 while the crossing offers 2 green phases.
  const result = await capture([...base, '--controller', 'fixed,native', '--phases', '100', '--json']);
  assert.equal(result.code, 0, result.err);
  const [fixed, native] = jsonRows(result.out);
  assert.equal(fixed!.phases, 2);
  assert.match(
    result.err,
    /--phases 100: the network offers at most 2 green phases per intersection; using 2/,
  );
  assert.equal(native!.phases, null);
  assert.equal(native!.decision_seconds, null);
  assert.equal(native!.yellow_seconds, null);
});

test('exits 2 on a flow file with no vehicles', async () => {
  const empty = write('empty-flow.json', []);
  const result = await capture(['--roadnet', roadnetFile, '--flow', empty, '--controller', 'fixed']);
  assert.equal(result.code, 2);
  assert.match(result.err, /empty-flow\.json: the flow file has no vehicles/);
});

test('exits 2 on an empty or non-decimal number instead of reading it as 0', async () => {
  for (const [option, value] of [
    ['--seed', ''],
    ['--steps', ' '],
    ['--phases', '0x4'],
  ] as const) {
    // Not `base`: it gives --steps already, and an option given twice is refused before its value is read.
    const files = ['--roadnet', roadnetFile, '--flow', flowFile];
    const result = await capture([...files, '--controller', 'fixed', option, value]);
    assert.equal(result.code, 2, `${option} '${value}'`);
    assert.match(result.err, new RegExp(`${option} must be an integer >= \\d, got '${value}'`));
  }
  const at = await capture([...base, '--controller', 'fixed', '--emergency', 'road_in_w,road_out_e@']);
  assert.equal(at.code, 2);
  assert.match(at.err, /--emergency expects ROAD,ROAD,...@SECONDS, got 'road_in_w,road_out_e@'/);
});

test('exits 2 on a --sumocfg that is missing, a directory or not a SUMO configuration', async () => {
  const cases = [
    [path.join(dir, 'absent.sumocfg'), /--sumocfg \S+absent\.sumocfg does not exist/],
    [dir, /--sumocfg \S+ is not a file/],
    [roadnetFile, /--sumocfg \S+roadnet\.json is not a SUMO configuration/],
  ] as const;
  for (const [file, message] of cases) {
    const result = await capture(['--engine', 'sumo', '--sumocfg', file, '--controller', 'fixed']);
    assert.equal(result.code, 2, file);
    assert.match(result.err, message);
    assert.doesNotMatch(result.err, /^\s+at /m);
  }
});

const sumoInstalled = spawnSync('sumo', ['--version'], { stdio: 'ignore' }).status === 0;

test(
  'reports a SUMO failure in one line, without stack frames',
  { skip: sumoInstalled ? false : 'the sumo binary is not installed' },
  async () => {
    const config = path.join(dir, 'broken.sumocfg');
    writeFileSync(
      config,
      '<configuration>\n  <input>\n    <net-file value="absent.net.xml"/>\n  </input>\n</configuration>\n',
    );
    const result = await capture([
      '--engine',
      'sumo',
      '--sumocfg',
      config,
      '--controller',
      'fixed',
      '--steps',
      '10',
    ]);
    assert.equal(result.code, 1);
    // Regression: a second line followed, 'isolated run of /.../worker.ts exited with code 1'.
    const messages = result.err
      .split('\n')
      .filter((line) => line.length > 0 && !/^sumo: running /.test(line));
    assert.equal(messages.length, 1, result.err);
    assert.match(messages[0]!, /^eval traffic: SUMO exited with code 1: .*absent\.net\.xml/);
    assert.doesNotMatch(result.err, /^\s+at /m);
  },
);

/** Process ids whose parent is `parent` (from /proc). */
function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const jinan = fileURLToPath(new URL('../../shared/data/traffic/sumo/jinan_3x4/', import.meta.url));
const jinanAvailable = existsSync(path.join(jinan, 'jinan_3x4.sumocfg'));

/**
 * Starts a long SUMO run, waits for SUMO to be stepping, then does `stop` to the command; returns
 * the command's exit (code or signal), its stderr and the ids of the worker and SUMO it started.
 */
async function interruptSumoRun(
  stop: (child: ChildProcess) => void,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string; started: number[] }> {
  const child = spawn(process.execPath, [
    bin,
    'eval',
    'traffic',
    '--engine',
    'sumo',
    '--sumocfg',
    path.join(jinan, 'jinan_3x4.sumocfg'),
    '--controller',
    'actuated',
    '--steps',
    '3600',
  ]);
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  let started: number[] = [];
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      err += String(chunk);
      if (started.length > 0 || !/sumo actuated: 600\//.test(err)) return;
      const workers = childrenOf(child.pid!);
      started = [...workers, ...workers.flatMap(childrenOf)];
      stop(child);
      resolve();
    });
    void exited.then(() => resolve());
  });
  return { ...(await exited), err, started };
}

test(
  'Ctrl-C during a SUMO run stops SUMO and its worker, and exits 130',
  { skip: sumoInstalled && jinanAvailable ? false : 'sumo or the Jinan scenario is not available' },
  async () => {
    const result = await interruptSumoRun((child) => child.kill('SIGINT'));
    assert.equal(result.code, 130, result.err);
    assert.match(result.err, /eval traffic: interrupted by SIGINT; SUMO stopped$/m);
    // Regression: the worker said 'stopped (2)', the signal's number in place of its name.
    assert.match(result.err, /^sumo worker: stopped \(SIGINT\); SUMO ended$/m);
    assert.equal(result.started.length, 2, 'the worker and SUMO were running when interrupted');
    for (const pid of result.started) assert.equal(alive(pid), false, `process ${pid} left running`);
  },
);

test(
  'a SUMO worker whose command is killed outright stops SUMO and ends within seconds',
  { skip: sumoInstalled && jinanAvailable ? false : 'sumo or the Jinan scenario is not available' },
  async () => {
    const result = await interruptSumoRun((child) => child.kill('SIGKILL'));
    assert.equal(result.signal, 'SIGKILL');
    assert.equal(result.started.length, 2);
    const deadline = Date.now() + 5000;
    while (result.started.some(alive) && Date.now() < deadline) await sleep(100);
    for (const pid of result.started) assert.equal(alive(pid), false, `process ${pid} left running`);
  },
);

test('exits 2 on a file option the chosen engine does not read, instead of ignoring it', async () => {
  const withCityflow = await capture([
    '--roadnet',
    roadnetFile,
    '--flow',
    flowFile,
    '--sumocfg',
    path.join(dir, 'any.sumocfg'),
    '--controller',
    'fixed',
  ]);
  assert.equal(withCityflow.code, 2);
  assert.match(withCityflow.err, /^eval traffic: --sumocfg is only read with --engine sumo$/m);
  const withSumo = await capture([
    '--engine',
    'sumo',
    '--sumocfg',
    roadnetFile,
    '--flow',
    flowFile,
    '--controller',
    'fixed',
  ]);
  assert.equal(withSumo.code, 2);
  assert.match(
    withSumo.err,
    /^eval traffic: --flow is for the CityFlow-model engine; --engine sumo reads --sumocfg$/m,
  );
});

test('exits 2 on a negative number with the option rule, in one line', async () => {
  const result = await capture([
    '--roadnet',
    roadnetFile,
    '--flow',
    flowFile,
    '--controller',
    'fixed',
    '--steps',
    '-5',
  ]);
  assert.equal(result.code, 2);
  assert.match(result.err, /^eval traffic: --steps must be an integer >= 1, got '-5'\n\n/);
  const dashed = await capture(['--roadnet', roadnetFile, '--flow', flowFile, '--controller', '-x']);
  assert.equal(dashed.code, 2);
  assert.match(
    dashed.err,
    /^eval traffic: Option '--controller' argument is ambiguous\. .*'--controller=-XYZ'\.\n\n/,
  );
});

test('on a network with no signals, warns and reports null for the measures with nothing to average', async () => {
  const bare = write('bare.json', {
    intersections: ['a', 'b'].map((id, k) => ({
      id,
      point: { x: 500 * k, y: 0 },
      width: 0,
      roads: ['r'],
      roadLinks: [],
      trafficLight: { lightphases: [] },
      virtual: true,
    })),
    roads: [
      {
        id: 'r',
        points: [
          { x: 0, y: 0 },
          { x: 500, y: 0 },
        ],
        lanes: [{ width: 3.5, maxSpeed: 16.67 }],
        startIntersection: 'a',
        endIntersection: 'b',
      },
    ],
  });
  const flows = write('bare-flow.json', [flowEntry(['r'], 0, 100, 5)]);
  const row = await runWithoutLights(['--roadnet', bare, '--flow', flows, '--steps', '200']);
  assert.equal(row.att_entering_lanes, null);
  assert.ok(
    typeof row.att === 'number' && row.att > 45 && row.att < 50,
    `att ${String(row.att)} for 500 m at 11.1 m/s`,
  );
  assert.equal(row.generated, 21);
  assert.equal(row.finished, 21);
});

test('prints each controller as it finishes, so Ctrl-C during the next one keeps its row', async () => {
  // Regression: rows were printed only after the last controller, so an interrupt printed nothing.
  const endless = write('endless-flow.json', [
    flowEntry(['road_in_w', 'road_out_e'], 0, -1, 3),
    flowEntry(['road_in_s', 'road_out_n'], 0, -1, 4),
  ]);
  for (const format of [[], ['--json']]) {
    const child = spawn(process.execPath, [
      bin,
      'eval',
      'traffic',
      '--roadnet',
      roadnetFile,
      '--flow',
      endless,
      '--controller',
      'fixed,maxpressure',
      '--steps',
      '60000',
      ...format,
    ]);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += String(chunk)));
    child.stderr.on('data', (chunk: Buffer) => {
      err += String(chunk);
      if (/eval traffic: maxpressure on/.test(err)) child.kill('SIGINT');
    });
    const signal = await new Promise((resolve) => child.once('close', (_, signal) => resolve(signal)));
    assert.equal(signal, 'SIGINT', err);
    const lines = out.trim().split('\n');
    if (format.length > 0) {
      assert.deepEqual(
        lines.map((line) => (JSON.parse(line) as Record<string, unknown>).controller),
        ['fixed'],
      );
    } else {
      assert.equal(lines.length, 3, out);
      assert.match(lines[0]!, /^settings: steps=60000 /);
      assert.match(lines[1]!, /^controller\s+att\s+att_entering_lanes\s+finished/);
      assert.match(lines[2]!, /^fixed\s+\d/);
    }
  }
});

test('prints the text table under a line of the settings, with the phases and controller settings of each row', async () => {
  // Regression: only --json carried phases, yellow_scope and controller_settings, though the docs
  // say the settings are printed with every result.
  const spec = 'actuated-pressure:minGreenSeconds=8';
  const result = await capture([...base, '--controller', `fixed,native,${spec}`, '--phases', '8']);
  assert.equal(result.code, 0, result.err);
  const [settings, ...table] = result.out.trimEnd().split('\n');
  assert.equal(settings, 'settings: steps=300 seed=0 decision_seconds=15 yellow_seconds=5 yellow_scope=all');
  assert.deepEqual(
    table.map((line) => line.split(/\s+/)[0]),
    ['controller', 'fixed', 'native', spec],
  );
  const cells = table.map((line) => line.split(/\s+/));
  const column = (name: string): string[] => cells.slice(1).map((row) => row[cells[0]!.indexOf(name)]!);
  assert.deepEqual(column('phases'), ['2', '-', '2']);
  assert.deepEqual(column('controller_settings').slice(0, 2), ['-', '-']);
  assert.match(column('controller_settings')[2]!, /^running_weight=2,.*min_green_seconds=8,/);
  const starts = (line: string): number[] => [...line.matchAll(/\S+/g)].map((match) => match.index);
  for (const line of table) assert.deepEqual(starts(line), starts(table[0]!), line);
});

test('exits 2 on an emergency route without @SECONDS or with an empty road name', async () => {
  // Regression: 'a,b' departed at 0 and 'a,,b' ran as 'a,b', neither the documented form.
  for (const [value, rule] of [
    ['road_in_w,road_out_e', 'no @SECONDS'],
    ['road_in_w,,road_out_e@10', 'an empty road name'],
    [',road_in_w,road_out_e@10', 'an empty road name'],
  ] as const) {
    const result = await capture([...base, '--controller', 'fixed', '--emergency', value]);
    assert.equal(result.code, 2, value);
    assert.match(
      result.err,
      new RegExp(
        `^eval traffic: --emergency expects ROAD,ROAD,\\.\\.\\.@SECONDS, got '${value}' \\(${rule}\\)$`,
        'm',
      ),
    );
  }
});

test('exits 2 on an option that takes one value given twice, instead of keeping the last', async () => {
  // Regression: a repeated --roadnet silently took the last.
  const result = await capture([...base, '--roadnet', path.join(dir, 'other.json'), '--controller', 'fixed']);
  assert.equal(result.code, 2);
  assert.match(
    result.err,
    /^eval traffic: --roadnet is given twice \('\S+roadnet\.json' and '\S+other\.json'\); it takes one value$/m,
  );
  const steps = await capture([...base, '--controller', 'fixed', '--steps', '10']);
  assert.equal(steps.code, 2);
  assert.match(steps.err, /--steps is given twice \('300' and '10'\)/);
});

test('exits 2 on a controller spec whose minimum green exceeds its maximum', async () => {
  const result = await capture([
    ...base,
    '--controller',
    'actuated-pressure:minGreenSeconds=50;maxGreenSeconds=10',
  ]);
  assert.equal(result.code, 2);
  assert.match(result.err, /minGreenSeconds \(50\) must not exceed maxGreenSeconds \(10\)/);
});

/** A directory for PATH holding the commands the isolated run needs, less `sumo`, plus `extra` scripts. */
function pathWithout(extra: Record<string, string> = {}): string {
  const bin = mkdtempSync(path.join(dir, 'path-'));
  for (const name of ['sh', 'ip', 'unshare']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (found !== '' && !(name in extra)) symlinkSync(found, path.join(bin, name));
  }
  for (const [name, script] of Object.entries(extra)) {
    writeFileSync(path.join(bin, name), script, { mode: 0o755 });
  }
  return bin;
}

/**
 * Runs the fixed controller on a network without traffic lights (`args` name it): it must finish,
 * warn, and report no queue and no phases. Gives its JSON row.
 */
async function runWithoutLights(args: string[]): Promise<Record<string, unknown>> {
  const result = await capture([...args, '--controller', 'fixed', '--json']);
  assert.equal(result.code, 0, result.err);
  assert.match(result.err, /warning: no intersection has signals to control/);
  const row = JSON.parse(result.out) as Record<string, unknown>;
  assert.equal(row.avg_queue, null);
  assert.equal(row.phases, 0);
  return row;
}

function captureWithPath(args: string[], pathValue: string): Promise<{ code: number; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, 'eval', 'traffic', ...args],
      { env: { ...process.env, PATH: pathValue } },
      (error, _stdout, stderr) =>
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, err: stderr }),
    );
  });
}

const sumoArguments = ['--engine', 'sumo', '--controller', 'static', '--steps', '10'];

test(
  'says SUMO is not installed or not on PATH, naming the package, when sumo cannot be found',
  { skip: jinanAvailable ? false : 'the Jinan scenario is not available' },
  async () => {
    // Regression: the message was 'spawn sumo ENOENT', and it came after 30 s of attempts to
    // connect to the SUMO that never started.
    const config = path.join(jinan, 'jinan_3x4.sumocfg');
    const started = performance.now();
    const result = await captureWithPath(['--sumocfg', config, ...sumoArguments], pathWithout());
    assert.ok(
      performance.now() - started < 20_000,
      'told at once, not after the 30 s of connection attempts',
    );
    assert.equal(result.code, 1, result.err);
    assert.match(
      result.err,
      /^eval traffic: cannot start SUMO: sumo is not installed or not on PATH \(Debian package sumo\)$/m,
    );
  },
);

test(
  'says the isolated run needs a private network namespace when unshare -rn is refused',
  { skip: jinanAvailable ? false : 'the Jinan scenario is not available' },
  async () => {
    // Regression: only 'isolated run of /.../worker.ts exited with code 1' was said.
    const refusing = '#!/bin/sh\necho "unshare: unshare failed: Operation not permitted" >&2\nexit 1\n';
    const config = path.join(jinan, 'jinan_3x4.sumocfg');
    const result = await captureWithPath(
      ['--sumocfg', config, ...sumoArguments],
      pathWithout({ unshare: refusing }),
    );
    assert.equal(result.code, 1, result.err);
    assert.equal(
      result.err,
      'eval traffic: the isolated SUMO run needs a private network namespace (unshare -rn) and it was refused: unshare: unshare failed: Operation not permitted\n',
    );
  },
);

test(
  'on a SUMO network without traffic lights, warns and reports null queues as the CityFlow-model engine does',
  { skip: sumoInstalled ? false : 'the sumo binary is not installed' },
  async () => {
    // Regression: it ran without a word and reported avg_queue 0 (and phases null).
    const net = path.join(dir, 'nolights.net.xml');
    spawnSync('netgenerate', ['--grid', '--grid.number', '3', '--grid.length', '150', '-o', net], {
      stdio: 'ignore',
    });
    writeFileSync(
      path.join(dir, 'nolights.rou.xml'),
      '<routes>\n  <flow id="we" begin="0" end="60" period="6" from="A1B1" to="B1C1"/>\n</routes>\n',
    );
    const config = path.join(dir, 'nolights.sumocfg');
    writeFileSync(
      config,
      '<configuration>\n  <input>\n    <net-file value="nolights.net.xml"/>\n' +
        '    <route-files value="nolights.rou.xml"/>\n  </input>\n</configuration>\n',
    );
    const row = await runWithoutLights(['--engine', 'sumo', '--sumocfg', config, '--steps', '100']);
    assert.equal(row.finished, 10);
  },
);

test('the help says what --seed seeds and where it changes nothing', async () => {
  // Regression: it said only 'random seed', though on the shipped scenarios every seed gives the same rows.
  const result = await capture(['--help']);
  assert.equal(result.code, 0);
  const seed = result.out.slice(result.out.indexOf('--seed'), result.out.indexOf('--phases'));
  assert.match(seed, /first lane/);
  assert.match(seed, /Jinan and Hangzhou scenarios\) every seed gives the same\s+rows/);
  assert.match(seed, /SUMO: SUMO's --seed/);
});

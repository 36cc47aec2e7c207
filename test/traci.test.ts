/**
 * The TraCI client against a real `sumo` process on a 3x3 grid that the test generates with
 * netgenerate (one signalised junction, B1). SUMO serves TraCI on all interfaces, so the tests that
 * start it run inside a private network namespace: when this file is not already in one, the
 * outer test re-runs it under `unshare -rn` and passes only if every inner test passes.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { command, variable } from '../src/adapters/sumo/constants.ts';
import { laneRequests, simulationRequests, trafficLightRequests } from '../src/adapters/sumo/client.ts';
import { evaluateSumo } from '../src/adapters/sumo/evaluate.ts';
import { isolatedCommand, isPrivateNetwork, runIsolated } from '../src/adapters/sumo/isolation.ts';
import { startSumo } from '../src/adapters/sumo/sumo-process.ts';
import type { SumoSession } from '../src/adapters/sumo/sumo-process.ts';

const thisFile = fileURLToPath(import.meta.url);
const sumoInstalled = spawnSync('sumo', ['--version'], { stdio: 'ignore' }).status === 0;
const skip = sumoInstalled ? false : 'the sumo binary is not installed (Debian package sumo)';

function generateScenario(directory: string): string {
  const net = join(directory, 'grid.net.xml');
  execFileSync(
    'netgenerate',
    [
      '--grid',
      '--grid.number=3',
      '--grid.length=150',
      '--default.lanenumber=2',
      '--no-turnarounds=true',
      '--tls.set=B1',
      `--output-file=${net}`,
    ],
    { stdio: 'ignore', env: { ...process.env, SUMO_HOME: process.env.SUMO_HOME ?? '/usr/share/sumo' } },
  );
  const flows = [
    ['we', 'A1B1', 'B1C1'],
    ['ew', 'C1B1', 'B1A1'],
    ['sn', 'B0B1', 'B1B2'],
    ['ns', 'B2B1', 'B1B0'],
    ['left', 'A1B1', 'B1B2'],
  ]
    .map(([id, from, to]) => `  <flow id="${id}" begin="0" end="120" period="6" from="${from}" to="${to}"/>`)
    .join('\n');
  writeFileSync(join(directory, 'grid.rou.xml'), `<routes>\n${flows}\n</routes>\n`);
  const config = join(directory, 'grid.sumocfg');
  writeFileSync(
    config,
    '<configuration>\n  <input>\n    <net-file value="grid.net.xml"/>\n    <route-files value="grid.rou.xml"/>\n' +
      '  </input>\n  <time>\n    <begin value="0"/>\n    <end value="400"/>\n  </time>\n</configuration>\n',
  );
  return config;
}
if (!isPrivateNetwork()) {
  void test('refuses to start SUMO where its TraCI port would be reachable from other hosts', async () => {
    await assert.rejects(startSumo({ netFile: '/nonexistent.net.xml', seed: 0 }), /refusing to start SUMO/);
  });

  const unshareRefused = spawnSync('unshare', ['-rn', 'true'], { stdio: 'ignore' }).status !== 0;

  void test(
    'an isolated run passes on each result line as it comes, and a later failure loses none',
    { skip: unshareRefused ? 'unshare -rn is not permitted here' : false },
    async () => {
      // Regression: results were read only from the last line at a clean exit, so a controller
      // failing after others had finished lost their rows.
      const directory = mkdtempSync(join(tmpdir(), 'isolated-'));
      const script = join(directory, 'two-then-fail.ts');
      writeFileSync(
        script,
        'process.stdout.write(\'{"controller":"a"}\\n{"controller":"b"}\\n\');\n' +
          "process.stdin.resume();\nprocess.stdin.on('end', () => { process.exitCode = 1; });\n",
      );
      const seen: unknown[] = [];
      try {
        await assert.rejects(
          runIsolated(script, {}, (value) => seen.push(value)),
          /exited with code 1/,
        );
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
      assert.deepEqual(seen, [{ controller: 'a' }, { controller: 'b' }]);
    },
  );

  void test('the TraCI tests pass inside a private network namespace', { skip }, () => {
    const { file, args } = isolatedCommand(process.execPath, [
      '--import',
      import.meta.resolve('tsx'),
      '--test',
      '--test-reporter=tap',
      thisFile,
    ]);
    // Without NODE_TEST_CONTEXT the inner runner runs the file itself instead of deferring to us.
    const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
    const run = spawnSync(file, args, { encoding: 'utf8', timeout: 120_000, env });
    process.stderr.write(run.stdout ?? '');
    process.stderr.write(run.stderr ?? '');
    assert.equal(run.status, 0, 'inner TraCI tests failed (output above)');
    assert.match(run.stdout ?? '', /^# pass 8$/m, 'all eight inner TraCI tests ran and passed');
    assert.match(run.stdout ?? '', /^# fail 0$/m);
  });
} else {
  void describe('TraCI client against a real SUMO', () => {
    let directory = '';
    let config = '';
    let session: SumoSession;

    before(async () => {
      directory = mkdtempSync(join(tmpdir(), 'traci-test-'));
      config = generateScenario(directory);
      session = await startSumo({ sumocfg: config, seed: 1, extraArguments: ['--xml-validation', 'never'] });
    });

    after(async () => {
      await session?.stop();
      rmSync(directory, { recursive: true, force: true });
    });

    void test('names the signal when SUMO is killed, not a null exit code', async () => {
      // Regression: the message read 'SUMO exited with code null:'.
      const killed = await startSumo({
        sumocfg: config,
        seed: 1,
        extraArguments: ['--xml-validation', 'never'],
      });
      killed.process.kill('SIGKILL');
      await assert.rejects(killed.stop(), /^Error: SUMO exited on signal SIGKILL/);
    });

    void test('reports the TraCI API version of SUMO 1.15', async () => {
      const version = await session.client.getVersion();
      assert.equal(version.apiVersion, 20);
      assert.match(version.identifier, /SUMO 1\.15/);
    });

    void test('reads the junction program, its controlled links and its current state', async () => {
      const client = session.client;
      assert.deepEqual(await client.trafficLight.getIdList(), ['B1']);
      const links = await client.trafficLight.getControlledLinks('B1');
      const state = await client.trafficLight.getRedYellowGreenState('B1');
      assert.equal(links.length, state.length);
      assert.ok(links.flat().some((link) => link.fromLane === 'A1B1_0' && link.toLane.startsWith('B1C1_')));
      const lanes = await client.trafficLight.getControlledLanes('B1');
      assert.deepEqual(
        lanes,
        links.map((signal) => signal[0]?.fromLane),
      );
      const [logic] = await client.trafficLight.getCompleteDefinition('B1');
      assert.equal(logic?.programId, await client.trafficLight.getProgram('B1'));
      assert.equal(logic?.phases[0]?.state, state);
      assert.equal(await client.trafficLight.getPhase('B1'), 0);
    });

    void test('setPhase, setRedYellowGreenState and setProgram take effect', async () => {
      const client = session.client;
      const [logic] = await client.trafficLight.getCompleteDefinition('B1');
      await client.trafficLight.setPhase('B1', 2);
      assert.equal(await client.trafficLight.getPhase('B1'), 2);
      assert.equal(await client.trafficLight.getRedYellowGreenState('B1'), logic?.phases[2]?.state);
      const allRed = 'r'.repeat(logic?.phases[0]?.state.length ?? 0);
      await client.trafficLight.setRedYellowGreenState('B1', allRed);
      assert.equal(await client.trafficLight.getRedYellowGreenState('B1'), allRed);
      assert.equal(await client.trafficLight.getProgram('B1'), 'online');
      await client.trafficLight.setProgram('B1', logic?.programId ?? '0');
      assert.equal(await client.trafficLight.getProgram('B1'), logic?.programId);
      await assert.rejects(
        client.trafficLight.setProgram('B1', 'no-such-program'),
        /TraCI command 0xc2 failed/,
      );
    });

    void test('steps the simulation and keeps lane, vehicle and simulation counts consistent', async () => {
      const client = session.client;
      const start = await client.simulation.getTime();
      let departed = 0;
      for (let step = 0; step < 30; step += 1) {
        await client.simulationStep();
        departed += (await client.simulation.getDepartedIds()).length;
      }
      assert.equal(await client.simulation.getTime(), start + 30);
      const vehicles = await client.vehicle.getIdList();
      assert.ok(departed > 0 && vehicles.length > 0 && vehicles.length <= departed);
      const onLane = new Map<string, number>();
      for (const vehicle of vehicles) {
        const lane = await client.vehicle.getLaneId(vehicle);
        onLane.set(lane, (onLane.get(lane) ?? 0) + 1);
        assert.ok((await client.vehicle.getSpeed(vehicle)) >= 0);
      }
      for (const [lane, count] of onLane) {
        assert.equal(await client.lane.getLastStepVehicleNumber(lane), count, `vehicles on ${lane}`);
        const halting = await client.lane.getLastStepHaltingNumber(lane);
        assert.ok(halting >= 0 && halting <= count);
        const occupancy = await client.lane.getLastStepOccupancy(lane);
        assert.ok(occupancy > 0 && occupancy <= 100, `occupancy of ${lane}: ${occupancy}`);
      }
      assert.ok((await client.simulation.getMinExpectedNumber()) >= vehicles.length);
    });

    void test('answers a batch of requests in one exchange, in order', async () => {
      const client = session.client;
      const lanes = await client.trafficLight.getControlledLanes('B1');
      const batch = await client.exchange(lanes.map((lane) => laneRequests.vehicleNumber(lane)));
      const single = [];
      for (const lane of lanes) single.push(await client.lane.getLastStepVehicleNumber(lane));
      assert.deepEqual(batch, single);
      const [time, phase] = await client.exchange([
        simulationRequests.timeSeconds(),
        trafficLightRequests.phase('B1'),
      ] as const);
      assert.equal(time, await client.simulation.getTime());
      assert.equal(phase, await client.trafficLight.getPhase('B1'));
    });

    void test('delivers subscribed lane values with every step, equal to polled values', async () => {
      const client = session.client;
      const lane = 'A1B1_0';
      const first = await client.subscribe(command.subscribeLane, lane, [
        variable.vehicleNumber,
        variable.haltingNumber,
      ]);
      assert.equal(first?.objectId, lane);
      for (let step = 0; step < 5; step += 1) {
        const results = await client.simulationStep();
        const mine = results.find((result) => result.objectId === lane);
        assert.equal(
          mine?.values.get(variable.vehicleNumber),
          await client.lane.getLastStepVehicleNumber(lane),
        );
        assert.equal(
          mine?.values.get(variable.haltingNumber),
          await client.lane.getLastStepHaltingNumber(lane),
        );
      }
      await client.subscribe(command.subscribeLane, lane, []);
      const afterUnsubscribe = await client.simulationStep();
      assert.equal(
        afterUnsubscribe.find((result) => result.objectId === lane),
        undefined,
      );
    });

    void test('evaluateSumo runs SUMO programs and a controller of ours and reports trip figures', async () => {
      const results = await evaluateSumo({
        sumocfg: config,
        controllers: ['static', 'actuated', 'maxpressure'],
        steps: 300,
        seed: 0,
      });
      assert.deepEqual(
        results.map((result) => result.controller),
        ['static', 'actuated', 'maxpressure'],
      );
      for (const result of results) {
        // 5 flows x 20 vehicles depart in the first 120 s; the grid is crossed in well under 180 s.
        assert.equal(result.trips, 100, `${result.controller} trips`);
        assert.ok(result.finished > 90, `${result.controller} finished ${result.finished}`);
        assert.ok(result.att > 20 && result.att < 300, `${result.controller} att ${result.att}`);
        assert.ok(result.avg_queue !== null && result.avg_queue >= 0);
        assert.ok(result.avg_delay >= 0 && result.steps_per_s > 0);
      }
    });
  });
}

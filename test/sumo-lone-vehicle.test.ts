/**
 * The lone-vehicle bound against a real `sumo` process (run on its own, no TraCI, so no private
 * network namespace is needed) on a 3x3 grid generated with netgenerate, signal at B1.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allGreenTrips, loneVehicleTrips } from '../src/adapters/sumo/standalone.ts';

const sumoInstalled = spawnSync('sumo', ['--version'], { stdio: 'ignore' }).status === 0;
const skip = sumoInstalled ? false : 'the sumo binary is not installed (Debian package sumo)';
let directory = '';

before(() => {
  directory = mkdtempSync(join(tmpdir(), 'urban-brain-lone-test-'));
  if (!sumoInstalled) return;
  execFileSync(
    'netgenerate',
    [
      '--grid',
      '--grid.number=3',
      '--grid.length=150',
      '--default.lanenumber=1',
      '--no-turnarounds=true',
      '--tls.set=B1',
      `--output-file=${join(directory, 'grid.net.xml')}`,
    ],
    { stdio: 'ignore', env: { ...process.env, SUMO_HOME: process.env.SUMO_HOME ?? '/usr/share/sumo' } },
  );
});

after(() => rmSync(directory, { recursive: true, force: true }));

/** A scenario of `vehicles` (`[id, depart, edges]`), drivers without imperfection (sigma 0). */
function scenario(name: string, vehicles: readonly (readonly [string, number, string])[]): string {
  const lines = vehicles.map(
    ([id, depart, edges]) =>
      `  <vehicle id="${id}" depart="${depart}" type="exact"><route edges="${edges}"/></vehicle>`,
  );
  writeFileSync(
    join(directory, `${name}.rou.xml`),
    `<routes>\n  <vType id="exact" sigma="0"/>\n${lines.join('\n')}\n</routes>\n`,
  );
  const config = join(directory, `${name}.sumocfg`);
  writeFileSync(
    config,
    `<configuration>\n  <input>\n    <net-file value="grid.net.xml"/>\n    <route-files value="${name}.rou.xml"/>\n` +
      '  </input>\n</configuration>\n',
  );
  return config;
}

void test(
  'a vehicle alone in the scenario takes exactly its lone time, at the speed factor SUMO drew for it',
  { skip },
  () => {
    const config = scenario('single', [['only', 30, 'A1B1 B1C1 C1C2']]);
    const green = allGreenTrips(config, 600, 7);
    assert.equal(green.trips, 1);
    assert.equal(green.finished, 1);
    const factor = green.speedFactors.get('only');
    assert.ok(factor !== undefined && factor !== 1, `a drawn speed factor, not the default: ${factor}`);
    const bound = loneVehicleTrips(config, 600, 7, green.speedFactors);
    assert.equal(bound.vehicles, 1);
    assert.equal(bound.averageTravelSeconds, green.averageTravelSeconds);
    assert.equal(bound.averageTimeLossSeconds, green.averageTimeLossSeconds);
    // At another speed factor the same trip takes another time: the factor is what the bound drove at.
    const other = loneVehicleTrips(config, 600, 7, new Map([['only', factor * 0.8]]));
    assert.ok(other.averageTravelSeconds > bound.averageTravelSeconds, `${other.averageTravelSeconds}`);
  },
);

void test(
  'crossing traffic takes longer than the lone bound, and the bound counts a cut-off trip by its time so far',
  { skip },
  () => {
    const vehicles: [string, number, string][] = [];
    for (let second = 0; second < 120; second += 2) {
      vehicles.push([`we${second}`, second, 'A1B1 B1C1'], [`sn${second}`, second, 'B0B1 B1B2']);
    }
    vehicles.push(['last', 290, 'A1B1 B1C1 C1C2']);
    const config = scenario('crossing', vehicles);
    const green = allGreenTrips(config, 300, 0);
    const bound = loneVehicleTrips(config, 300, 0, green.speedFactors);
    assert.equal(bound.vehicles, vehicles.length);
    assert.ok(
      bound.averageTravelSeconds < green.averageTravelSeconds,
      `lone ${bound.averageTravelSeconds} < crossing ${green.averageTravelSeconds}`,
    );
    // Every trip but the last fits in 300 s; the last is counted with 10 s, its time in the run.
    const single = loneVehicleTrips(
      scenario('last', [['last', 290, 'A1B1 B1C1 C1C2']]),
      300,
      0,
      green.speedFactors,
    );
    assert.equal(single.averageTravelSeconds, 10);
  },
);

void test('a route SUMO cannot drive fails with what SUMO said, not a bare exit code', { skip }, () => {
  const config = scenario('broken', [['lost', 0, 'A1B1 C1C2']]);
  assert.throws(() => loneVehicleTrips(config, 300, 0, new Map()), /sumo exited with 1: .*lost/);
});

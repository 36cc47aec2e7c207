/**
 * Cost of the live traffic path: the generated 6 × 6 district run by
 * `LiveTraffic` (adaptive + fixed-time baseline in lock-step, detectors,
 * readings through the ingest edge into the in-memory store, phase events on
 * the bus), as fast as it goes, at three times of day; beside it the two bare
 * engines with `runController` on the same demand. Prints one JSON line and
 * writes bench/results/traffic-live.json. Progress on stderr.
 * Run: node --import tsx bench/traffic-live.ts [--rows 6] [--steps 3600]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchArguments } from './arguments.ts';
import { MemoryBus } from '../src/adapters/memory/bus.ts';
import { MemoryReadings } from '../src/adapters/memory/readings.ts';
import { MemoryRegistry } from '../src/adapters/memory/registry.ts';
import { defaultCadence } from '../src/core/traffic/controller.ts';
import { controllerFactories } from '../src/core/traffic/controllers/registry.ts';
import { Engine } from '../src/core/traffic/engine.ts';
import { generateGridDistrict } from '../src/core/traffic/grid-roadnet.ts';
import { createSignalStates, runController } from '../src/core/traffic/run.ts';
import { parseFlows, parseRoadnet } from '../src/core/traffic/scenario.ts';
import { EdgeIngest } from '../src/services/edge/edge-ingest.ts';
import { defaultCentre } from '../src/services/traffic/scenario.ts';
import { LiveTraffic } from '../src/services/traffic/live-traffic.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = benchArguments(import.meta.url, () =>
  parseArgs({ options: { rows: { type: 'string' }, steps: { type: 'string' } } }),
);
const size = Number(values.rows ?? 6);
const steps = Number(values.steps ?? 3600);
const detectorSeconds = 10;

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

async function live(startHour: number, steps: number) {
  const readings = new MemoryReadings();
  const registry = new MemoryRegistry();
  const bus = new MemoryBus();
  const edge = new EdgeIngest({ ingestor: readings, registry, bus, policy: 'reject' });
  let events = 0;
  bus.subscribe('events', () => void (events += 1));
  let now = Date.UTC(2026, 0, 5, startHour);
  const clock = { now: () => now, every: () => () => undefined };
  const service = await LiveTraffic.start({
    edge,
    bus,
    registry,
    clock,
    speed: 60,
    district: { rows: size, columns: size },
    detectorSeconds,
    maxStepsPerTick: 60,
  });
  const wall = performance.now();
  const cpu = cpuSeconds();
  for (let done = 0; done < steps; done += 60) {
    now += 1000;
    await service.tick();
  }
  const wallSeconds = (performance.now() - wall) / 1000;
  const cpuUsed = cpuSeconds() - cpu;
  await new Promise((resolve) => setImmediate(resolve));
  const stats = service.stats();
  const snapshot = service.snapshot();
  await service.stop();
  return {
    start_hour: startHour,
    steps: stats.simulatedSeconds,
    wall_s: round(wallSeconds),
    cpu_s: round(cpuUsed),
    steps_per_s: Math.round(stats.simulatedSeconds / wallSeconds),
    steps_per_cpu_s: Math.round(stats.simulatedSeconds / cpuUsed),
    sensors: stats.sensors,
    readings: stats.readingsAccepted,
    readings_refused: stats.readingsRefused,
    readings_per_s: Math.round(stats.readingsAccepted / wallSeconds),
    readings_per_cpu_s: Math.round(stats.readingsAccepted / cpuUsed),
    phase_events: events,
    att_adaptive: round(snapshot.averageTravelSeconds),
    att_fixed: round(snapshot.baselineTravelSeconds),
    att_change: round(snapshot.averageTravelSeconds / snapshot.baselineTravelSeconds - 1, 3),
  };
}

/** The same two runs with `runController` and nothing else: the floor the live path adds to. */
function bare(startHour: number, steps: number) {
  const district = generateGridDistrict({
    rows: size,
    columns: size,
    centre: defaultCentre,
    startSecondsOfDay: startHour * 3600,
    durationSeconds: 86_400,
  });
  const roadnet = parseRoadnet(district.roadnet);
  if (!roadnet.ok) throw new Error(roadnet.reason);
  const flows = parseFlows(district.flow, roadnet.value);
  if (!flows.ok) throw new Error(flows.reason);
  const wall = performance.now();
  const cpu = cpuSeconds();
  for (const name of ['actuated-pressure', 'fixed']) {
    const engine = new Engine(roadnet.value, flows.value, { seed: 0 });
    const layouts = createSignalStates(engine, 4).map((s) => s.layout);
    const controller = controllerFactories.get(name)!(layouts, defaultCadence);
    runController(engine, controller, { steps, cadence: defaultCadence, phaseCount: 4 });
  }
  const wallSeconds = (performance.now() - wall) / 1000;
  const cpuUsed = cpuSeconds() - cpu;
  return {
    start_hour: startHour,
    wall_s: round(wallSeconds),
    cpu_s: round(cpuUsed),
    steps_per_s: Math.round(steps / wallSeconds),
    steps_per_cpu_s: Math.round(steps / cpuUsed),
  };
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}

// Warm-up of both paths (JIT), not recorded: the first measured run would otherwise pay for it.
process.stderr.write('warm-up...\n');
await live(8, 600);
bare(8, 600);
const runs = [];
for (const hour of [8, 13, 3]) {
  process.stderr.write(`live ${size}×${size} from ${hour}:00, ${steps} steps...\n`);
  const measured = await live(hour, steps);
  process.stderr.write(`  ${JSON.stringify(measured)}\nbare engines...\n`);
  const floor = bare(hour, steps);
  process.stderr.write(`  ${JSON.stringify(floor)}\n`);
  runs.push({
    ...measured,
    bare_steps_per_cpu_s: floor.steps_per_cpu_s,
    // CPU time of the live path over that of the two bare engines (the machine is shared: CPU, not wall).
    cpu_overhead: round(measured.cpu_s / floor.cpu_s - 1, 3),
  });
}
const result = {
  bench: 'traffic-live',
  district: `${size}x${size}`,
  detector_seconds: detectorSeconds,
  readings_per_simulated_s: runs[0]!.sensors / detectorSeconds,
  min_steps_per_s: Math.min(...runs.map((r) => r.steps_per_s)),
  min_steps_per_cpu_s: Math.min(...runs.map((r) => r.steps_per_cpu_s)),
  runs,
};
await mkdir(path.join(repo, 'bench/results'), { recursive: true });
await writeFile(path.join(repo, 'bench/results/traffic-live.json'), `${JSON.stringify(result)}\n`);
process.stdout.write(`${JSON.stringify(result)}\n`);

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBus } from '../../adapters/memory/bus.ts';
import { MemoryReadings } from '../../adapters/memory/readings.ts';
import { MemoryRegistry } from '../../adapters/memory/registry.ts';
import type { Reading } from '../../core/readings/reading.ts';
import { dailyDemand } from '../../core/traffic/grid-roadnet.ts';
import type { BusEvent } from '../../ports/bus.ts';
import type { TrafficSnapshot } from '../demo/views.ts';
import { EdgeIngest } from '../edge/edge-ingest.ts';
import type { TrafficClock } from './clock.ts';
import { twoByTwo } from './district.test-helpers.ts';
import { LiveTraffic, type LiveTrafficOptions } from './live-traffic.ts';

class FakeClock implements TrafficClock {
  nowMillis = Date.UTC(2026, 0, 5, 8, 0, 0);
  readonly timers = new Set<() => void>();
  now(): number {
    return this.nowMillis;
  }
  every(_millis: number, callback: () => void): () => void {
    this.timers.add(callback);
    return () => this.timers.delete(callback);
  }
  fire(): void {
    for (const callback of this.timers) callback();
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function platform() {
  const readings = new MemoryReadings();
  const registry = new MemoryRegistry();
  const bus = new MemoryBus();
  // `reject`: a reading of a sensor the service did not register would be refused.
  const edge = new EdgeIngest({ ingestor: readings, registry, bus, policy: 'reject' });
  const clock = new FakeClock();
  const published: Reading[] = [];
  const events: BusEvent[] = [];
  bus.subscribe('readings', (batch) => void published.push(...batch));
  bus.subscribe('events', (event) => void events.push(event));
  return { readings, registry, bus, edge, clock, published, events };
}

function options(
  p: ReturnType<typeof platform>,
  extra: Partial<LiveTrafficOptions> = {},
): LiveTrafficOptions {
  return {
    edge: p.edge,
    bus: p.bus,
    registry: p.registry,
    clock: p.clock,
    speed: 60,
    district: { rows: 2, columns: 2 },
    maxStepsPerTick: 3600,
    ...extra,
  };
}

/** Moves the clock on by `simulatedSeconds` in ticks of one simulated minute. */
async function run(live: LiveTraffic, clock: FakeClock, simulatedSeconds: number, speed = 60): Promise<void> {
  for (let done = 0; done < simulatedSeconds; done += 60) {
    clock.nowMillis += (Math.min(60, simulatedSeconds - done) * 1000) / speed;
    await live.tick();
  }
}

test('registers intersections as assets with coordinates and approach detectors as queue and flow sensors', async () => {
  const p = platform();
  const live = await LiveTraffic.start(options(p));
  const assets = await p.registry.listAssets({ type: 'intersection', limit: 100, offset: 0 });
  assert.equal(assets.length, 4);
  for (const asset of assets) {
    assert.ok(asset.lat !== null && Math.abs(asset.lat - 36.65) < 0.01, `${asset.id} lat ${asset.lat}`);
    assert.ok(asset.lon !== null && Math.abs(asset.lon - 117.12) < 0.01);
  }
  const sensors = await p.registry.listSensors({ limit: 1000, offset: 0 });
  // Four approaches per intersection, a queue and a flow sensor each.
  assert.equal(sensors.length, 4 * 4 * 2);
  assert.deepEqual(new Set(sensors.map((s) => s.kind)), new Set(['lane-queue', 'lane-flow']));
  const ids = new Set(assets.map((a) => a.id));
  assert.ok(sensors.every((s) => s.asset !== null && ids.has(s.asset) && s.lat !== null));
  await live.stop();
});

test('a second start keeps what an operator changed and brings the controller tag up to date', async () => {
  const p = platform();
  await (await LiveTraffic.start(options(p))).stop();
  const [first] = await p.registry.listAssets({ type: 'intersection', limit: 1, offset: 0 });
  assert.ok(first !== undefined);
  await p.registry.updateAsset(first.id, async (asset) => ({
    ...asset,
    name: 'Market Square',
    tags: { ...asset.tags, owner: 'city' },
  }));
  const [detector] = await p.registry.listSensors({ asset: first.id, limit: 1, offset: 0 });
  assert.ok(detector !== undefined);
  await p.registry.updateSensor(detector.id, async (sensor) => ({
    ...sensor,
    tags: { ...sensor.tags, failure_prediction: 'on' },
  }));

  const again = await LiveTraffic.start(options(p, { controller: 'maxpressure' }));
  const kept = await p.registry.getAsset(first.id);
  assert.equal(kept?.name, 'Market Square');
  assert.equal(kept?.tags.owner, 'city');
  assert.equal(kept?.tags.controller, 'maxpressure');
  assert.equal((await p.registry.getSensor(detector.id))?.tags.failure_prediction, 'on');
  const assets = await p.registry.listAssets({ type: 'intersection', limit: 100, offset: 0 });
  assert.ok(assets.every((asset) => asset.tags.controller === 'maxpressure'));
  await again.stop();
});

test('a second start does not bring back an intersection or a detector an operator deleted', async () => {
  const p = platform();
  await (await LiveTraffic.start(options(p))).stop();
  const assetsBefore = await p.registry.listAssets({ type: 'intersection', limit: 100, offset: 0 });
  const sensorsBefore = await p.registry.listSensors({ limit: 1000, offset: 0 });
  const [gone, kept] = assetsBefore;
  const detector = sensorsBefore.find((sensor) => sensor.asset === kept?.id);
  assert.ok(gone !== undefined && kept !== undefined && detector !== undefined);
  assert.equal(await p.registry.deleteAsset(gone.id), true);
  assert.equal(await p.registry.deleteSensor(detector.id), true);

  const again = await LiveTraffic.start(options(p, { controller: 'maxpressure' }));
  assert.equal(await p.registry.getAsset(gone.id), undefined, 'the deleted intersection stays deleted');
  assert.equal(await p.registry.getSensor(detector.id), undefined, 'the deleted detector stays deleted');
  const assets = await p.registry.listAssets({ type: 'intersection', limit: 100, offset: 0 });
  assert.equal(assets.length, assetsBefore.length - 1);
  assert.ok(assets.every((asset) => asset.tags.controller === 'maxpressure'));
  assert.equal((await p.registry.listSensors({ limit: 1000, offset: 0 })).length, sensorsBefore.length - 1);
  await again.stop();
});

test('detector readings arrive through the ingest edge: stored, then published on the bus', async () => {
  const p = platform();
  const live = await LiveTraffic.start(options(p, { detectorSeconds: 10 }));
  await run(live, p.clock, 300);
  await settle();
  const stats = live.stats();
  // 30 samples of 32 sensors in 300 simulated seconds.
  assert.equal(stats.readingsAccepted, 30 * 32);
  assert.equal(stats.readingsRefused, 0);
  assert.equal(p.readings.size, 30 * 32);
  assert.equal(p.published.length, 30 * 32);
  const sensors = await p.registry.listSensors({ limit: 1000, offset: 0 });
  const flow = sensors.find((s) => s.kind === 'lane-flow')!;
  const queue = sensors.find((s) => s.kind === 'lane-queue')!;
  const flowValues = p.readings.readingsOf(flow.id).map((r) => r.value);
  assert.equal(flowValues.length, 30);
  assert.ok(
    flowValues.every((v) => v >= 0 && v % 360 === 0),
    'vehicles per hour from counts over 10 s',
  );
  assert.ok(
    sensors
      .filter((s) => s.kind === 'lane-flow')
      .some((s) => p.readings.readingsOf(s.id).some((r) => r.value > 0)),
    'at the morning peak some vehicles cross a stop line',
  );
  const times = p.readings.readingsOf(queue.id).map((r) => r.ts);
  // A reading every 10 simulated seconds is one every 10 / 60 s of wall time.
  for (let k = 1; k < times.length; k++) assert.ok([166, 167].includes(times[k]! - times[k - 1]!));
  assert.ok(times.every((ts) => ts <= p.clock.nowMillis));
  await live.stop();
});

test('the controller’s phase changes are signal-phase events of registered intersections', async () => {
  const p = platform();
  const live = await LiveTraffic.start(options(p));
  await run(live, p.clock, 120);
  await settle();
  const assets = new Set(
    (await p.registry.listAssets({ type: 'intersection', limit: 100, offset: 0 })).map((a) => a.id),
  );
  assert.ok(p.events.length >= 4, `${p.events.length} events`);
  for (const event of p.events) {
    assert.equal(event.type, 'signal-phase');
    assert.ok(event.asset !== undefined && assets.has(event.asset));
    assert.equal(event.data.controller, 'actuated-pressure');
    assert.ok(typeof event.data.phase === 'number' && event.data.phase >= 0 && event.data.phase < 4);
    assert.notEqual(event.data.phase, event.data.previousPhase);
  }
  assert.equal(live.stats().phaseEvents, p.events.length);
  // The snapshot shows the last phase published for each intersection.
  const last = new Map(p.events.map((e) => [e.asset, e.data.phase]));
  for (const i of live.snapshot().intersections) assert.equal(i.phase, last.get(i.id));
  await live.stop();
});

test('the adaptive run beats fixed time on the same demand after 20 simulated minutes of the morning peak', async (t) => {
  const p = platform();
  const live = await LiveTraffic.start(options(p, { district: { rows: 3, columns: 3 } }));
  await run(live, p.clock, 1200);
  const snapshot: TrafficSnapshot = live.snapshot();
  t.diagnostic(
    `adaptive ${snapshot.averageTravelSeconds.toFixed(1)} s, fixed ${snapshot.baselineTravelSeconds.toFixed(1)} s`,
  );
  assert.equal(snapshot.timeSeconds, 1200);
  assert.equal(snapshot.intersections.length, 9);
  assert.ok(
    snapshot.averageTravelSeconds < 0.85 * snapshot.baselineTravelSeconds,
    `adaptive ${snapshot.averageTravelSeconds} vs fixed ${snapshot.baselineTravelSeconds}`,
  );
  // One history point per 5 simulated minutes.
  assert.equal(snapshot.history.length, 4);
  assert.ok(snapshot.intersections.some((i) => i.queue > 0));
  await live.stop();
});

test('the background loop skips a tick while one is in flight and survives a failing edge', async () => {
  const p = platform();
  let calls = 0;
  const failing = {
    accept: async () => {
      calls += 1;
      throw new Error('store unavailable');
    },
  };
  const lines: string[] = [];
  const live = await LiveTraffic.start(options(p, { edge: failing, log: (line) => lines.push(line) }));
  p.clock.nowMillis += 1000;
  p.clock.fire();
  p.clock.fire(); // the first tick has not finished: skipped
  await settle();
  // The next tick runs again and offers the readings the failed one could not hand over.
  p.clock.nowMillis += 1000;
  await live.tick();
  assert.equal(calls, 2);
  await live.stop();
  assert.equal(live.stats().ticksSkipped, 1);
  assert.equal(live.stats().tickFailures, 2);
  assert.equal(live.stats().readingsPending, 12 * 32, 'nothing is lost');
  assert.match(lines[0]!, /store unavailable/);
  assert.equal(p.clock.timers.size, 0, 'stop cancels the timer');
});

test('readings the store refuses as overloaded are kept and sent with the next tick', async () => {
  const p = platform();
  let overloaded = true;
  const edge = {
    accept: async (batch: Parameters<EdgeIngest['accept']>[0]) =>
      overloaded
        ? { ok: false as const, reason: 'overloaded' as const, retryAfterSeconds: 1, rejected: [] }
        : p.edge.accept(batch, 'simulation'),
  };
  const live = await LiveTraffic.start(options(p, { edge }));
  await run(live, p.clock, 60);
  assert.equal(live.stats().readingsPending, 6 * 32);
  overloaded = false;
  await run(live, p.clock, 60);
  assert.equal(live.stats().readingsAccepted, 12 * 32);
  assert.equal(p.readings.size, 12 * 32);
  await live.stop();
});

test('when the demand period ends both runs start over and the detectors read the new engines', async () => {
  const p = platform();
  const district = twoByTwo();
  const live = await LiveTraffic.start(
    options(p, {
      roadnet: district.roadnet,
      flow: district.flow,
      periodSeconds: 600,
      centre: { lat: 10, lon: 20 },
    }),
  );
  await run(live, p.clock, 900);
  const snapshot = live.snapshot();
  assert.equal(snapshot.timeSeconds, 900);
  // One history point at 300 and 600 s of the first period and at 300 s of the second.
  assert.equal(snapshot.history.length, 3);
  assert.equal(live.stats().readingsAccepted, 90 * 32);
  const restartMillis = Date.UTC(2026, 0, 5, 8) + (600 * 1000) / 60;
  const sensors = await p.registry.listSensors({ limit: 1000, offset: 0 });
  const later = sensors
    .filter((s) => s.kind === 'lane-flow')
    .flatMap((s) => p.readings.readingsOf(s.id))
    .filter((r) => r.ts > restartMillis + 60_000 / 60);
  assert.ok(
    later.some((r) => r.value > 0),
    'vehicles of the new engine are counted',
  );
  assert.ok(snapshot.intersections.every((i) => Math.abs(i.lat - 10) < 0.01 && Math.abs(i.lon - 20) < 0.01));
  await live.stop();
});

test('after a stall of an hour the run goes on from the clock instead of catching up for hours', async () => {
  // Regression: an hour's stall at speed 60 left the run 216,000 simulated seconds behind, caught
  // up at 4 ticks' worth per tick: 4 times the CPU for another 20 minutes (hours after a night).
  const p = platform();
  const lines: string[] = [];
  const live = await LiveTraffic.start(
    options(p, { maxStepsPerTick: undefined, tickMillis: 250, log: (line) => lines.push(line) }),
  );
  const tick = async (millis: number) => {
    p.clock.nowMillis += millis;
    await live.tick();
  };
  for (let i = 0; i < 8; i++) await tick(250);
  assert.equal(live.stats().simulatedSeconds, 120);
  const stalledFrom = p.clock.nowMillis;
  await tick(3_600_000);
  const resumedAt = p.clock.nowMillis;
  for (let i = 0; i < 8; i++) await tick(250);
  await settle();
  const stats = live.stats();
  assert.equal(stats.skips, 1);
  assert.equal(stats.behindSeconds, 0);
  assert.equal(stats.simulatedSeconds, 240, 'two real seconds after the stall, 120 simulated seconds more');
  assert.match(lines[0]!, /3600 s behind the clock/);
  const queue = (await p.registry.listSensors({ limit: 1000, offset: 0 })).find(
    (s) => s.kind === 'lane-queue',
  )!;
  const times = p.readings.readingsOf(queue.id).map((r) => r.ts);
  assert.equal(times.length, 24);
  assert.ok(times.every((ts, k) => k === 0 || ts > times[k - 1]!) && times.at(-1)! <= p.clock.nowMillis);
  assert.equal(times.filter((ts) => ts > stalledFrom && ts < resumedAt).length, 0, 'the stall is a gap');
  await live.stop();
});

test('rejects an unknown controller and a speed of zero', async () => {
  const p = platform();
  await assert.rejects(LiveTraffic.start(options(p, { controller: 'nope' })), /controller must be one of/);
  await assert.rejects(LiveTraffic.start(options(p, { speed: 0 })), /speed must be/);
});

test('rejects a demand period below one second and a start time outside the day, naming the option and value', async () => {
  // Regression: periodSeconds 0 started fresh engines every step, a run without traffic or readings.
  const p = platform();
  const district = twoByTwo();
  const given = { roadnet: district.roadnet, flow: district.flow };
  for (const periodSeconds of [0, -5, Number.NaN]) {
    await assert.rejects(
      LiveTraffic.start(options(p, { ...given, periodSeconds })),
      new RegExp(`periodSeconds must be a number ≥ 1, got ${periodSeconds}`),
    );
  }
  for (const startSecondsOfDay of [-1, 86_400, Number.NaN]) {
    await assert.rejects(
      LiveTraffic.start(options(p, { startSecondsOfDay })),
      new RegExp(`startSecondsOfDay must be ≥ 0 and < 86400, got ${startSecondsOfDay}`),
    );
  }
});

test('a demand period shorter than the detector interval still gives a reading every interval', async () => {
  // Regression: readings were taken on the period's own clock, which a 5 s period reset before 10 s.
  const p = platform();
  const district = twoByTwo();
  const live = await LiveTraffic.start(
    options(p, { roadnet: district.roadnet, flow: district.flow, periodSeconds: 5, detectorSeconds: 10 }),
  );
  await run(live, p.clock, 60);
  assert.equal(live.stats().readingsAccepted, 6 * 32);
  await live.stop();
});

test('the snapshot says how far the run is behind the clock and how often it skipped ahead', async () => {
  const p = platform();
  const live = await LiveTraffic.start(options(p, { maxStepsPerTick: 30 }));
  p.clock.nowMillis += 1000; // 60 simulated seconds due, 30 run
  await live.tick();
  assert.deepEqual(
    { behindSeconds: live.snapshot().behindSeconds, skips: live.snapshot().skips },
    { behindSeconds: 30, skips: 0 },
  );
  p.clock.nowMillis += 3_600_000;
  await live.tick();
  assert.equal(live.snapshot().skips, 1);
  await live.stop();
});

test('the steps of a tick take at most their share of its wall time, and the run falls behind instead', async () => {
  // Regression: at peak hours a run that could not keep up stepped 4 ticks' worth every tick and
  // held the event loop: the platform's API, in the same process, answered in seconds.
  const p = platform();
  const live = await LiveTraffic.start(
    options(p, { maxStepsPerTick: undefined, tickMillis: 250, maxBusyShare: 0.4 }),
  );
  const now = p.clock.now.bind(p.clock);
  let reads = 0;
  // Each step takes 30 ms of the clock: the tick's budget of 100 ms lets 4 steps run.
  p.clock.now = () => now() + 30 * Math.max(0, reads++ - 1);
  p.clock.nowMillis += 1000; // 60 simulated seconds due
  await live.tick();
  assert.equal(live.stats().simulatedSeconds, 4);
  p.clock.now = now;
  p.clock.nowMillis += 250;
  await live.tick();
  assert.equal(live.stats().simulatedSeconds, 64, 'a tick with time to spare catches up');
  await assert.rejects(
    LiveTraffic.start(options(p, { maxBusyShare: 0 })),
    /maxBusyShare must be > 0 and ≤ 1, got 0/,
  );
  await live.stop();
});

test('each intersection of the snapshot says what its green lets go: phase 0 of the district is east–west straight', async () => {
  // Regression: the dashboard drew phase 0 as north–south (the arrows of the demo's queue model).
  const p = platform();
  const live = await LiveTraffic.start(options(p));
  await run(live, p.clock, 600);
  const side = (from: string, turn: string) => ({ from, turn });
  const expected = [
    [side('west', 'straight'), side('east', 'straight')],
    [side('south', 'straight'), side('north', 'straight')],
    [side('west', 'left'), side('east', 'left')],
    [side('south', 'left'), side('north', 'left')],
  ];
  const seen = new Set<number>();
  for (let k = 0; k < 20; k++) {
    for (const i of live.snapshot().intersections) {
      seen.add(i.phase);
      assert.deepEqual(i.movements, expected[i.phase], `${i.id} phase ${i.phase}`);
    }
    await run(live, p.clock, 7);
  }
  assert.ok(seen.has(0) && seen.has(1), `phases seen: ${[...seen].join(', ')}`);
  await live.stop();
});

test('the snapshot gives the simulated time of day and its demand, on the simulation’s clock, not the wall’s', async () => {
  // Regression: the snapshot had no time of day, so the dashboard could not say why queues grew.
  const p = platform();
  const live = await LiveTraffic.start(options(p, { startSecondsOfDay: 7 * 3600 }));
  assert.deepEqual(live.snapshot().timeOfDay, {
    secondsOfDay: 7 * 3600,
    demandShareOfPeak: dailyDemand(7 * 3600 + 450),
  });
  await run(live, p.clock, 3600);
  // A simulated hour at speed 60 is a wall minute: 08:00 simulated while the clock says 08:01.
  const snapshot = live.snapshot();
  assert.equal(snapshot.speed, 60);
  assert.deepEqual(snapshot.timeOfDay, {
    secondsOfDay: 8 * 3600,
    demandShareOfPeak: dailyDemand(8 * 3600 + 450),
  });
  assert.ok((snapshot.timeOfDay?.demandShareOfPeak ?? 0) > 0.95, 'the morning peak');
  await live.stop();
  // A given flow's demand has no time of day.
  const district = twoByTwo();
  const given = await LiveTraffic.start(
    options(platform(), { roadnet: district.roadnet, flow: district.flow }),
  );
  assert.equal(given.snapshot().timeOfDay, null);
  await given.stop();
});

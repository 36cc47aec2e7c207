import type { Reading } from '../../core/readings/reading.ts';
import type { Ingestor } from '../../ports/ingest.ts';
import type { Registry } from '../../ports/registry.ts';
import { generateCity, type City } from './city.ts';
import { seededRandom } from './random.ts';
import {
  firstIndexFrom,
  firstLiveIndex,
  parseNabCsv,
  wallTimeOf,
  type RecordedSeries,
  type ReplayPlan,
} from './replay.ts';
import { assignReplays } from './streams.ts';
import { SyntheticSignals } from './synthetic.ts';

export interface DemoOptions {
  /** Sensors in the city (≥ 200). */
  sensorCount: number;
  seed: number;
  /** How many times faster than the wall clock the city's time runs. */
  speed: number;
  /** Wall time between two readings of one synthetic sensor. */
  reportMillis: number;
  /** Wall-clock history of synthetic readings written at start, so charts are not empty. */
  historyMillis: number;
  /** Recorded time at which each replay's live part starts, before its first labelled anomaly. */
  replayLeadMillis: number;
  tickMillis: number;
}

export const defaultDemoOptions: DemoOptions = {
  sensorCount: 3000,
  seed: 42,
  speed: 120,
  reportMillis: 5000,
  historyMillis: 10 * 60_000,
  replayLeadMillis: 3 * 3_600_000,
  tickMillis: 250,
};

export interface DemoDependencies {
  /** Where the city is registered: the registry in process, or the platform's import API. */
  registry: Pick<Registry, 'putAssets' | 'putSensors'>;
  /** The platform's ingest pipeline (in process), or an HTTP client posting to it. */
  ingestor: Ingestor;
  /** Text of one of the NAB files in `assets/demo/nab/`. */
  loadRecording(file: string): Promise<string>;
  now(): number;
  log(line: string): void;
  /**
   * Wall time at which this city first started, when this start resumes it (same options) on a
   * platform that already holds what it sent: no history is written again, and the recordings go
   * on from where the city's clock now stands, so the time it was stopped is a gap in every
   * series, as for sensors whose platform was down. Without it, or when the recordings played out
   * so long ago that a fresh start's history would not meet them, the city starts now. Given, the
   * city is not registered again (its first start did): what was changed or deleted since stays so.
   */
  resumeFrom?: number;
}

export interface DemoStatus {
  startedAtMillis: number;
  speed: number;
  readingsSent: number;
  readingsRefused: number;
  replays: { sensor: string; file: string; labelWallMillis: number; rowsSent: number; rows: number }[];
}

export interface Demo {
  city: City;
  status(): DemoStatus;
  /** Stops the clock and waits for the batch in flight. */
  stop(): Promise<void>;
}

const batchLimit = 5000;

/**
 * Registers the demo city, writes its recent history (unless it resumes) and streams its readings
 * until stopped.
 */
export async function startDemo(deps: DemoDependencies, options: DemoOptions): Promise<Demo> {
  checkOptions(options);
  const city = generateCity({ sensorCount: options.sensorCount, seed: options.seed });
  const size = `city of ${city.assets.length} assets and ${city.sensors.length} sensors`;
  if (deps.resumeFrom === undefined) {
    // What is registered already is kept as it is: an operator may have renamed, moved or tagged it.
    await deps.registry.putAssets(city.assets, { existing: 'keep' });
    await deps.registry.putSensors(
      city.sensors.map((entry) => entry.sensor),
      { existing: 'keep' },
    );
    deps.log(`demo: ${size} registered`);
  } else {
    // Its first start registered it (a start is recorded only after that): what an operator
    // changed or deleted since stays so, a deleted asset is not brought back.
    deps.log(`demo: ${size} as registered at its first start`);
  }

  const assignments = assignReplays(city);
  const recordings: { sensor: string; file: string; series: RecordedSeries; cueMillis: number }[] = [];
  for (const [sensor, assignment] of assignments) {
    const series = parseNabCsv(await deps.loadRecording(assignment.file), assignment.file);
    const cueMillis = Date.parse(assignment.labelAt) - options.replayLeadMillis;
    recordings.push({ sensor, file: assignment.file, series, cueMillis });
  }
  const planOf = (recording: (typeof recordings)[number], wallStartMillis: number): ReplayPlan => ({
    series: recording.series,
    cueMillis: recording.cueMillis,
    wallStartMillis,
    speed: options.speed,
  });

  const nowMillis = deps.now();
  const { resumeFrom } = deps;
  // A city whose recordings have all played out, so long ago that a fresh start's history would
  // begin after their last reading, starts afresh instead: its story is told again, on new times.
  const playedOut =
    resumeFrom !== undefined &&
    recordings.every((recording) => {
      const last = recording.series.timestamps.length - 1;
      return wallTimeOf(planOf(recording, nowMillis), 0) > wallTimeOf(planOf(recording, resumeFrom), last);
    });
  const resuming = resumeFrom !== undefined && resumeFrom <= nowMillis && !playedOut;
  const wallStartMillis = resuming ? resumeFrom : nowMillis;
  const simulated = (wall: number): number => wallStartMillis + (wall - wallStartMillis) * options.speed;
  const replays = recordings.map((recording) => {
    const plan = planOf(recording, wallStartMillis);
    return {
      sensor: recording.sensor,
      file: recording.file,
      plan,
      next: resuming ? firstIndexFrom(plan, nowMillis) : firstLiveIndex(plan),
      labelWallMillis: Math.round(wallStartMillis + options.replayLeadMillis / options.speed),
    };
  });
  // Sensors a city model reports (the emergency departments' occupancy) have no synthetic signal.
  const synthetic = city.sensors.filter(
    (entry) => !assignments.has(entry.sensor.id) && entry.modelled !== true,
  );
  const signals = new SyntheticSignals(synthetic, seededRandom(options.seed + 1));
  const status: DemoStatus = {
    startedAtMillis: wallStartMillis,
    speed: options.speed,
    readingsSent: 0,
    readingsRefused: 0,
    replays: [],
  };

  /** Sends in batches; returns the readings of the batches the platform refused. */
  async function send(readings: Reading[], retry: boolean): Promise<Reading[]> {
    const refused: Reading[] = [];
    for (let start = 0; start < readings.length; start += batchLimit) {
      const batch = readings.slice(start, start + batchLimit);
      for (;;) {
        const result = await deps.ingestor.ingest(batch);
        if (result.ok) {
          status.readingsSent += result.stored;
          break;
        }
        if (!retry || result.reason === 'shutting-down') {
          status.readingsRefused += batch.length;
          refused.push(...batch);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, result.retryAfterSeconds * 1000));
      }
    }
    return refused;
  }

  if (playedOut && resumeFrom !== undefined) {
    deps.log(
      `demo: the city started ${new Date(resumeFrom).toISOString()} has played its recordings out: ` +
        'starting it afresh',
    );
  }
  if (resuming) {
    deps.log(
      `demo: resuming the city started ${new Date(wallStartMillis).toISOString()} (no readings for ` +
        `the time it was stopped); live at ${options.speed}× real time`,
    );
  } else {
    // History: replays from their start up to the cue, synthetic sensors over `historyMillis`.
    const history: Reading[] = [];
    for (const replay of replays) {
      for (let index = 0; index < replay.next; index += 1) {
        history.push({
          sensor: replay.sensor,
          ts: wallTimeOf(replay.plan, index),
          value: replay.plan.series.values[index] as number,
        });
      }
    }
    const points = Math.max(
      2,
      Math.min(
        Math.floor(options.historyMillis / options.reportMillis),
        Math.floor(400_000 / synthetic.length),
      ),
    );
    const stepMillis = Math.floor(options.historyMillis / points);
    for (let point = points; point >= 1; point -= 1) {
      const wall = wallStartMillis - point * stepMillis;
      for (let index = 0; index < synthetic.length; index += 1) {
        history.push({
          sensor: (synthetic[index] as (typeof synthetic)[number]).sensor.id,
          ts: wall,
          value: signals.value(index, simulated(wall)),
        });
      }
    }
    await send(history, true);
    deps.log(`demo: ${history.length} readings of history written; live at ${options.speed}× real time`);
  }

  let cursor = 0;
  let owed = 0;
  // Synthetic readings are owed from here: the start, or for a resumed city the moment it resumed.
  let lastTickMillis = nowMillis;
  let inFlight: Promise<void> | null = null;
  // Recorded rows the platform did not acknowledge (refused, or the call failed) are offered again
  // with the next tick, as a device would (a re-send is idempotent): the story loses none of its rows.
  // Synthetic readings are not kept: the next round stands in for them.
  const recordedSensors = new Set(replays.map((replay) => replay.sensor));
  let unsentRecorded: Reading[] = [];
  async function tick(): Promise<void> {
    const wall = deps.now();
    const readings: Reading[] = [];
    // Owed by elapsed time, so every sensor gets its turn however the ticks fall; at most one round
    // of the sensors: readings are stamped now, so a stall (a suspended machine, a store that hung)
    // is not made up afterwards by every sensor reporting at each tick for as long again.
    owed += (synthetic.length * Math.max(0, wall - lastTickMillis)) / options.reportMillis;
    owed = Math.min(owed, synthetic.length);
    lastTickMillis = wall;
    const due = Math.min(synthetic.length, Math.floor(owed));
    owed -= due;
    for (let count = 0; count < due; count += 1) {
      readings.push({
        sensor: (synthetic[cursor] as (typeof synthetic)[number]).sensor.id,
        ts: wall,
        value: signals.value(cursor, simulated(wall)),
      });
      cursor = (cursor + 1) % synthetic.length;
    }
    const recorded = unsentRecorded;
    unsentRecorded = [];
    for (const replay of replays) {
      const { series } = replay.plan;
      while (replay.next < series.timestamps.length && wallTimeOf(replay.plan, replay.next) <= wall) {
        recorded.push({
          sensor: replay.sensor,
          ts: wallTimeOf(replay.plan, replay.next),
          value: series.values[replay.next] as number,
        });
        replay.next += 1;
      }
    }
    try {
      const refused = await send([...recorded, ...readings], false);
      unsentRecorded = refused.filter((reading) => recordedSensors.has(reading.sensor));
    } catch (error) {
      unsentRecorded = recorded;
      throw error;
    }
  }
  const timer = setInterval(() => {
    if (inFlight !== null) return; // skip overlapping ticks: the city never queues up behind a slow store
    inFlight = tick()
      .catch((error: unknown) => deps.log(`demo: tick failed: ${(error as Error).message}`))
      .finally(() => {
        inFlight = null;
      });
  }, options.tickMillis);

  return {
    city,
    status: () => ({
      ...status,
      replays: replays.map((replay) => ({
        sensor: replay.sensor,
        file: replay.file,
        labelWallMillis: replay.labelWallMillis,
        rowsSent: replay.next,
        rows: replay.plan.series.timestamps.length,
      })),
    }),
    async stop() {
      clearInterval(timer);
      if (inFlight !== null) await inFlight;
    },
  };
}

function checkOptions(options: DemoOptions): void {
  const positive = ['speed', 'reportMillis', 'historyMillis', 'replayLeadMillis', 'tickMillis'] as const;
  for (const name of positive) {
    if (!(Number.isFinite(options[name]) && options[name] > 0))
      throw new RangeError(`${name} must be a positive number, got ${options[name]}`);
  }
}

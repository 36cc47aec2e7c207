/**
 * The live traffic path: a signalised district simulated step by step,
 * paced by a clock (`speed` simulated seconds per real second). Intersections
 * are registry assets and lane detectors are sensors whose readings go
 * through the ingest edge (same validation and durability as HTTP); the
 * adaptive controller's phase changes are `signal-phase` events on the bus.
 * A fixed-time baseline runs on the same demand in lock-step, so the
 * dashboard shows both average travel times side by side. Emergency vehicles
 * sent through it get priority from the adaptive run's signals and drive the
 * same trip in the baseline without (`emergency-vehicle` events).
 */
import { type ValidationOptions, defaultValidationOptions } from '../../core/ingest/validation.ts';
import { defaultCadence } from '../../core/traffic/controller.ts';
import { withEmergencyPriority } from '../../core/traffic/controllers/priority.ts';
import { controllerFactories } from '../../core/traffic/controllers/registry.ts';
import { priorityRequests } from '../../core/traffic/emergency.ts';
import { Engine } from '../../core/traffic/engine.ts';
import type { GridDistrictOptions, LatLon } from '../../core/traffic/grid-roadnet.ts';
import { createSignalStates } from '../../core/traffic/run.ts';
import type { VehicleSpec } from '../../core/traffic/scenario.ts';
import type { BusEvent, MessageBus } from '../../ports/bus.ts';
import type { Registry } from '../../ports/registry.ts';
import type { TrafficSnapshot } from '../demo/views.ts';
import type { EdgeIngest } from '../edge/edge-ingest.ts';
import type { TrafficClock } from './clock.ts';
import {
  type Detector,
  type DetectorGrouping,
  type DistrictPlace,
  FlowCounter,
  buildDetectors,
  detectorSensors,
  districtPlaces,
  intersectionAssets,
  queueOf,
} from './detectors.ts';
import { planEmergencyRoute } from './emergency-route.ts';
import {
  type EmergencyVehicleView,
  EmergencyVehicles,
  maxLiveEmergencyVehicles,
} from './emergency-vehicles.ts';
import { type Movement, lightPhaseMovements } from './movements.ts';
import { type LiveScenario, loadScenario } from './scenario.ts';
import { ReadingOutbox } from './reading-outbox.ts';
import { type PhaseChange, SignalStepper } from './signal-stepper.ts';
import { TravelTimes } from './travel-times.ts';

export interface LiveTrafficOptions {
  edge: Pick<EdgeIngest, 'accept'>;
  bus: Pick<MessageBus, 'publish'>;
  registry: Pick<Registry, 'putAssets' | 'putSensors' | 'getAsset' | 'getSensor' | 'updateAsset'>;
  clock: TrafficClock;
  /** Simulated seconds per real second (1 = real time). */
  speed: number;
  /** Adaptive controller (a name of `controllerFactories`); default `actuated-pressure`. */
  controller?: string;
  /** Baseline run side by side; default `fixed` (30 s greens + 5 s yellow in turn). */
  baseline?: string;
  /** CityFlow roadnet and flow JSON; default: the generated district. */
  roadnet?: unknown;
  flow?: unknown;
  /** Simulated seconds after which a given flow starts over (default: its last start time + 1 h). */
  periodSeconds?: number;
  /**
   * Simulated seconds the next period may wait for emergency vehicles still on their way in either
   * run, so their trips end and give their times; one still going then is dropped. Default 1,800.
   */
  emergencyCarryOverSeconds?: number;
  centre?: LatLon;
  district?: Partial<GridDistrictOptions>;
  /** Time of day at the start; default the clock's UTC time of day. */
  startSecondsOfDay?: number;
  /** Simulated seconds between two detector readings; default 10. */
  detectorSeconds?: number;
  detectors?: DetectorGrouping;
  tickMillis?: number;
  /** Steps per tick at most (the run falls behind, and catches up later, beyond it); default 4 ticks' worth. */
  maxStepsPerTick?: number;
  /**
   * Share of each tick's wall time (`tickMillis`) the steps of one tick may take, at least one step
   * a tick; beyond it the run falls behind the clock. The rest is the process's: the simulation
   * shares the event loop with the platform's API and ingest, which a run that cannot keep up
   * would otherwise starve. Default 0.5.
   */
  maxBusyShare?: number;
  /**
   * Wall time the run may fall behind the clock and still catch up; beyond it (the process was
   * stalled, the machine suspended, or the CPU cannot keep up) it goes on from the clock's time
   * instead, leaving a gap in the readings. Default 60,000.
   */
  maxLagMillis?: number;
  /** Prefix of asset and sensor ids; default `traffic.`. */
  idPrefix?: string;
  seed?: number;
  validation?: Partial<ValidationOptions>;
  log?: (line: string) => void;
}

/** An intersection as the dashboard shows it, with its place on the map. */
export interface LiveIntersection extends LiveIntersectionBase {
  lat: number;
  lon: number;
  /** The yellow before `phase` is showing. */
  yellow: boolean;
  /** What `phase` gives green to (right turns, green in every phase, left out); empty before the first decision. */
  movements: Movement[];
}

type LiveIntersectionBase = TrafficSnapshot['intersections'][number];

/** `TrafficSnapshot` (what `GET /api/v1/traffic` serves) with coordinates per intersection. */
export interface LiveTrafficSnapshot extends Omit<TrafficSnapshot, 'intersections'> {
  intersections: LiveIntersection[];
  /** Simulated seconds per real second the run is paced at (`speed`). */
  speed: number;
  /** Simulated seconds the run is behind the clock (the CPU cannot keep up), as in `stats()`. */
  behindSeconds: number;
  /** Times the run fell more than `maxLagMillis` behind and went on from the clock (a gap in the readings). */
  skips: number;
  /** The last emergency vehicles sent (at most 20), newest first. */
  emergencyVehicles: EmergencyVehicleView[];
}

/** Sending an emergency vehicle: the vehicle, or why not (a field of the request, or too many on their way). */
export type EmergencySending =
  | { ok: true; vehicle: EmergencyVehicleView }
  | { ok: false; reason: 'invalid'; field: 'from' | 'to'; value: string; rule: string }
  | { ok: false; reason: 'too-many'; rule: string };

/** A car of the generated district's kind, for a given flow without vehicles. */
const defaultEmergencyVehicle: VehicleSpec = {
  lengthMetres: 5,
  widthMetres: 2,
  maxPosAcc: 2,
  maxNegAcc: 4.5,
  usualPosAcc: 2,
  usualNegAcc: 4.5,
  minGapMetres: 2.5,
  maxSpeedMetresPerSecond: 11.111,
  headwayTimeSeconds: 2,
};

/** Free-flow seconds ahead within which an emergency vehicle's next signals clear its way (as `eval traffic --emergency`). */
const priorityHorizonSeconds = 40;

export interface LiveTrafficStats {
  simulatedSeconds: number;
  /** Simulated seconds the run is behind the clock (the CPU could not keep up). */
  behindSeconds: number;
  /** Times the run fell more than `maxLagMillis` behind and skipped ahead to the clock. */
  skips: number;
  readingsAccepted: number;
  readingsRefused: number;
  readingsPending: number;
  phaseEvents: number;
  ticksSkipped: number;
  tickFailures: number;
  sensors: number;
  intersections: number;
}

interface Runs {
  adaptive: SignalStepper;
  baseline: SignalStepper;
  flows: FlowCounter;
  travel: TravelTimes;
}

const maxPendingReadings = 200_000;

/** A running live district; `LiveTraffic.start` registers it and starts the clock. */
export class LiveTraffic {
  readonly #options: LiveTrafficOptions;
  readonly #scenario: LiveScenario;
  readonly #places: DistrictPlace[];
  readonly #placeById: Map<string, DistrictPlace>;
  readonly #placeByAsset: Map<string, DistrictPlace>;
  readonly #controlled: ReadonlySet<string>;
  readonly #emergency = new EmergencyVehicles();
  /** Per controlled intersection, per light phase, what it gives green to. */
  readonly #movements: Map<string, Movement[][]>;
  readonly #detectors: Detector[];
  readonly #controller: string;
  readonly #baseline: string;
  readonly #outbox: ReadingOutbox;
  readonly #queues: Map<string, number>;
  #runs: Runs;
  /** Wall time of simulated second 0; moved on when the run skips ahead after a stall. */
  #wallStart: number;
  #periodStart = 0;
  #day = 0;
  #events: BusEvent[] = [];
  #busy = false;
  #stopped = false;
  #cancel: () => void = () => undefined;
  #inFlight: Promise<void> | null = null;
  readonly #stats: LiveTrafficStats;

  private constructor(options: LiveTrafficOptions) {
    check(options);
    this.#options = options;
    this.#controller = options.controller ?? 'actuated-pressure';
    this.#baseline = options.baseline ?? 'fixed';
    for (const name of [this.#controller, this.#baseline]) {
      if (!controllerFactories.has(name))
        throw new RangeError(
          `controller must be one of ${[...controllerFactories.keys()].join(', ')}, got '${name}'`,
        );
    }
    const validation = { ...defaultValidationOptions, ...options.validation };
    this.#outbox = new ReadingOutbox(options.edge, validation, maxPendingReadings);
    this.#wallStart = options.clock.now();
    const secondsOfDay = options.startSecondsOfDay ?? Math.floor((this.#wallStart % 86_400_000) / 1000);
    this.#scenario = loadScenario({ ...options, startSecondsOfDay: secondsOfDay });
    const first = this.#createRuns(null, null);
    const controlled = first.adaptive.layouts.map((l) => l.id);
    const prefix = options.idPrefix ?? 'traffic.';
    const { roadnet, centre } = this.#scenario;
    this.#places = districtPlaces(roadnet, controlled, centre, prefix);
    this.#placeById = new Map(this.#places.map((p) => [p.id, p]));
    this.#placeByAsset = new Map(this.#places.map((p) => [p.assetId, p]));
    this.#controlled = new Set(controlled);
    const roads = new Map(roadnet.roads.map((r) => [r.id, r]));
    this.#movements = new Map(
      roadnet.intersections
        .filter((i) => this.#placeById.has(i.id))
        .map((i) => [i.id, lightPhaseMovements(i, roads)]),
    );
    const grouping = options.detectors ?? 'approach';
    this.#detectors = buildDetectors(first.adaptive.engine, roadnet, this.#places, centre, grouping);
    this.#runs = { ...first, flows: new FlowCounter(this.#detectors) };
    this.#queues = new Map(this.#places.map((p) => [p.id, 0]));
    this.#stats = {
      simulatedSeconds: 0,
      behindSeconds: 0,
      skips: 0,
      readingsAccepted: 0,
      readingsRefused: 0,
      readingsPending: 0,
      phaseEvents: 0,
      ticksSkipped: 0,
      tickFailures: 0,
      sensors: this.#detectors.length * 2,
      intersections: this.#places.length,
    };
  }

  /** Registers the district's intersections and detectors, then runs until `stop()`. */
  static async start(options: LiveTrafficOptions): Promise<LiveTraffic> {
    const live = new LiveTraffic(options);
    await live.#register(options.registry);
    live.#cancel = options.clock.every(options.tickMillis ?? 250, () => live.#onTimer());
    return live;
  }

  /**
   * Registers the district's intersections, and its detectors, unless an earlier start did (one of
   * them is registered): what an operator changed since (renamed an intersection, tagged a
   * detector) or deleted stays so. Only an intersection's `controller` tag, a fact of this start,
   * is brought up to date. Each put is all or nothing, so a start stopped between the two leaves
   * the detectors to the next one.
   */
  async #register(registry: LiveTrafficOptions['registry']): Promise<void> {
    const controller = this.#controller;
    const assets = intersectionAssets(this.#places, controller);
    const sensors = detectorSensors(this.#detectors);
    if (!(await someKnown(assets, (id) => registry.getAsset(id))))
      await registry.putAssets(assets, { existing: 'keep' });
    if (!(await someKnown(sensors, (id) => registry.getSensor(id))))
      await registry.putSensors(sensors, { existing: 'keep' });
    for (const asset of assets) {
      const current = await registry.getAsset(asset.id);
      if (current === undefined || current.tags.controller === controller) continue;
      await registry.updateAsset(asset.id, async (latest) => ({
        ...latest,
        tags: { ...latest.tags, controller },
      }));
    }
  }

  /** Advances the simulation to the clock; resolves when its readings and events are handed over. Never throws. */
  async tick(): Promise<void> {
    if (this.#busy || this.#stopped) {
      this.#stats.ticksSkipped += 1;
      return;
    }
    this.#busy = true;
    try {
      await this.#advance();
    } catch (error) {
      this.#stats.tickFailures += 1;
      this.#options.log?.(`live traffic: tick failed: ${(error as Error).message}`);
    } finally {
      this.#busy = false;
    }
  }

  /** Stops the clock and waits for the tick in flight. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancel();
    if (this.#inFlight !== null) await this.#inFlight;
  }

  stats(): LiveTrafficStats {
    const outbox = this.#outbox;
    return {
      ...this.#stats,
      readingsAccepted: outbox.accepted,
      readingsRefused: outbox.refused,
      readingsPending: outbox.pending,
    };
  }

  snapshot(): LiveTrafficSnapshot {
    const signals = this.#runs.adaptive.signals();
    const { adaptive, baseline } = this.#runs.travel.averages();
    return {
      timeSeconds: this.#stats.simulatedSeconds,
      // The period's own time: a day that waited for emergency vehicles began that much later.
      timeOfDay: this.#scenario.demandTime?.(this.#stats.simulatedSeconds - this.#periodStart) ?? null,
      speed: this.#options.speed,
      controller: this.#controller,
      baseline: this.#baseline,
      intersections: signals.map((s) => {
        const place = this.#placeById.get(s.id)!;
        return {
          id: place.assetId,
          row: place.row,
          column: place.column,
          lat: place.lat,
          lon: place.lon,
          phase: s.phase,
          phaseCount: s.phaseCount,
          yellow: s.yellow,
          movements: this.#movements.get(s.id)?.[s.lightPhase] ?? [],
          queue: this.#queues.get(s.id) ?? 0,
        };
      }),
      averageTravelSeconds: adaptive,
      baselineTravelSeconds: baseline,
      history: this.#runs.travel.history(),
      behindSeconds: this.#stats.behindSeconds,
      skips: this.#stats.skips,
      emergencyVehicles: this.#emergency.views(),
    };
  }

  /**
   * Sends an emergency vehicle from intersection `from` through intersection `to` (asset ids, as
   * the snapshot lists them): the adaptive run's signals give it priority, the baseline run drives
   * the same trip without. The next demand period waits for its trips (up to
   * `emergencyCarryOverSeconds`); one still going then is `dropped`.
   */
  sendEmergencyVehicle(from: string, to: string): EmergencySending {
    const start = this.#placeByAsset.get(from);
    const end = this.#placeByAsset.get(to);
    const rule = 'must be an intersection of the district (the ids GET /api/v1/traffic lists)';
    if (start === undefined) return { ok: false, reason: 'invalid', field: 'from', value: from, rule };
    if (end === undefined) return { ok: false, reason: 'invalid', field: 'to', value: to, rule };
    if (start === end)
      return { ok: false, reason: 'invalid', field: 'to', value: to, rule: 'must differ from from' };
    const { adaptive, baseline } = this.#runs;
    const route = planEmergencyRoute(adaptive.engine.network, start.id, end.id);
    if (!route.ok)
      return {
        ok: false,
        reason: 'invalid',
        field: 'to',
        value: to,
        rule: `cannot be reached by road from '${from}'`,
      };
    if (this.#emergency.live >= maxLiveEmergencyVehicles)
      return {
        ok: false,
        reason: 'too-many',
        rule: `at most ${maxLiveEmergencyVehicles} emergency vehicles may be on their way at once`,
      };
    const spec = this.#scenario.flows[0]?.vehicle ?? defaultEmergencyVehicle;
    const vehicle: EmergencyVehicleView = {
      id: this.#emergency.nextId(),
      from,
      to,
      route: route.intersections.map((id) => this.#assetOf(id) ?? id),
      roads: route.roads,
      startedSeconds: this.#stats.simulatedSeconds,
      state: 'on-its-way',
      at: null,
      prioritySeconds: null,
      baselineSeconds: null,
    };
    this.#emergency.add(
      vehicle,
      adaptive.engine.addVehicle(spec, route.roads, 'emergency'),
      baseline.engine.addVehicle(spec, route.roads, 'emergency'),
    );
    this.#emergency.observe((id) => this.#assetOf(id));
    this.#emergencyEvent(vehicle);
    return { ok: true, vehicle: { ...vehicle, route: [...vehicle.route], roads: [...vehicle.roads] } };
  }

  #onTimer(): void {
    if (this.#inFlight !== null) {
      this.#stats.ticksSkipped += 1;
      return;
    }
    this.#inFlight = this.tick().finally(() => {
      this.#inFlight = null;
    });
  }

  /** Both runs on fresh engines; detectors (when known) are rebound to the new adaptive engine's lanes. */
  #createRuns(detectors: Detector[] | null, previous: TravelTimes | null): Runs {
    const { roadnet, flows } = this.#scenario;
    const seed = (this.#options.seed ?? 0) + this.#day;
    const stepper = (name: string, priority: boolean): SignalStepper => {
      const engine = new Engine(roadnet, flows, { seed });
      const layouts = createSignalStates(engine, 4).map((s) => s.layout);
      const controller = controllerFactories.get(name)!(layouts, defaultCadence);
      // Without requests the wrapper decides exactly as the controller it wraps.
      return new SignalStepper(
        engine,
        priority ? withEmergencyPriority(controller) : controller,
        defaultCadence,
        4,
      );
    };
    const adaptive = stepper(this.#controller, true);
    const baseline = stepper(this.#baseline, false);
    if (detectors !== null) {
      const lanes = new Map(adaptive.engine.network.lanes.map((l) => [l.id, l]));
      for (const d of detectors) d.lanes = d.lanes.map((l) => lanes.get(l.id)!);
    }
    const travel = new TravelTimes(adaptive.engine, baseline.engine, previous);
    return { adaptive, baseline, flows: new FlowCounter(detectors ?? []), travel };
  }

  async #advance(): Promise<void> {
    const { speed } = this.#options;
    const now = this.#options.clock.now();
    let target = Math.floor(((now - this.#wallStart) * speed) / 1000);
    const lagMillis = ((target - this.#stats.simulatedSeconds) * 1000) / speed;
    if (lagMillis > (this.#options.maxLagMillis ?? 60_000)) {
      // Catching up hours at a few ticks' worth per tick would keep a core busy for hours: the
      // stalled time is a gap instead, and the run goes on from now.
      this.#wallStart = now - (this.#stats.simulatedSeconds * 1000) / speed;
      target = this.#stats.simulatedSeconds;
      this.#stats.skips += 1;
      this.#options.log?.(
        `live traffic: ${Math.round(lagMillis / 1000)} s behind the clock (stalled, or the CPU cannot keep up): going on from now`,
      );
    }
    const maxSteps =
      this.#options.maxStepsPerTick ??
      Math.max(1, Math.ceil((speed * (this.#options.tickMillis ?? 250) * 4) / 1000));
    const steps = Math.max(0, Math.min(maxSteps, target - this.#stats.simulatedSeconds));
    const budgetMillis = (this.#options.tickMillis ?? 250) * (this.#options.maxBusyShare ?? 0.5);
    const { clock } = this.#options;
    const began = clock.now();
    for (let i = 0; i < steps; i++) {
      if (i > 0 && clock.now() - began >= budgetMillis) break;
      this.#stepOnce();
    }
    this.#stats.behindSeconds = Math.max(0, target - this.#stats.simulatedSeconds);
    await this.#flush(now);
  }

  #stepOnce(): void {
    const runs = this.#runs;
    const prioritised = this.#emergency.prioritised();
    const priority =
      prioritised.length === 0
        ? undefined
        : priorityRequests(prioritised, this.#controlled, priorityHorizonSeconds);
    runs.adaptive.step((change) => this.#phaseEvent(change), priority);
    runs.baseline.step();
    for (const vehicle of this.#emergency.observe((id) => this.#assetOf(id))) this.#emergencyEvent(vehicle);
    runs.flows.observe();
    this.#stats.simulatedSeconds += 1;
    runs.travel.observe(this.#wallAt(this.#stats.simulatedSeconds));
    // On the run's own time, not the period's: a period shorter than (or not a multiple of) the
    // detector interval still gives a reading every `detectorSeconds`.
    if (this.#stats.simulatedSeconds % (this.#options.detectorSeconds ?? 10) === 0) this.#sample();
    const overdue = this.#stats.simulatedSeconds - this.#periodStart - this.#scenario.periodSeconds;
    if (overdue >= 0 && !this.#waitingForEmergency(overdue)) {
      // The demand repeats: a new day starts on fresh engines; travel-time history carries on.
      this.#day += 1;
      this.#periodStart = this.#stats.simulatedSeconds;
      // Their vehicles are not carried over: trips still going end here (`dropped`).
      for (const vehicle of this.#emergency.endAll()) this.#emergencyEvent(vehicle);
      this.#runs = this.#createRuns(this.#detectors, this.#runs.travel);
    }
  }

  /**
   * Whether emergency vehicles on their way hold the new period back (up to the carry-over) until
   * their trips are over in both runs, on the engines they drive in. Asked once the period is over.
   */
  #waitingForEmergency(overdueSeconds: number): boolean {
    return overdueSeconds < (this.#options.emergencyCarryOverSeconds ?? 1800) && this.#emergency.live > 0;
  }

  /** Wall-clock time of a simulated second. */
  #wallAt(simulatedSeconds: number): number {
    return Math.trunc(this.#wallStart + (simulatedSeconds * 1000) / this.#options.speed);
  }

  #phaseEvent(change: PhaseChange): void {
    const place = this.#placeById.get(change.intersectionId);
    if (place === undefined) return;
    this.#events.push({
      type: 'signal-phase',
      ts: this.#wallAt(this.#stats.simulatedSeconds),
      asset: place.assetId,
      data: {
        phase: change.phase,
        previousPhase: change.previousPhase,
        lightPhase: change.lightPhase,
        controller: this.#controller,
        simulatedSeconds: this.#stats.simulatedSeconds,
      },
    });
  }

  #assetOf(intersectionId: string): string | null {
    return this.#placeById.get(intersectionId)?.assetId ?? null;
  }

  /** `emergency-vehicle` on `events`: sent (`on-its-way`), `arrived` (both runs' times) or `dropped`. */
  #emergencyEvent(vehicle: EmergencyVehicleView): void {
    this.#events.push({
      type: 'emergency-vehicle',
      ts: this.#wallAt(this.#stats.simulatedSeconds),
      asset: vehicle.to,
      data: {
        id: vehicle.id,
        state: vehicle.state,
        from: vehicle.from,
        to: vehicle.to,
        route: [...vehicle.route],
        startedSeconds: vehicle.startedSeconds,
        prioritySeconds: vehicle.prioritySeconds,
        baselineSeconds: vehicle.baselineSeconds,
        simulatedSeconds: this.#stats.simulatedSeconds,
      },
    });
  }

  #sample(): void {
    const ts = this.#wallAt(this.#stats.simulatedSeconds);
    const perHour = 3600 / (this.#options.detectorSeconds ?? 10);
    const flows = this.#runs.flows.take();
    for (const id of this.#queues.keys()) this.#queues.set(id, 0);
    this.#detectors.forEach((d, index) => {
      const queue = queueOf(d);
      this.#queues.set(d.intersectionId, (this.#queues.get(d.intersectionId) ?? 0) + queue);
      this.#outbox.add({ sensor: d.queueSensor, ts, value: queue });
      this.#outbox.add({ sensor: d.flowSensor, ts, value: flows[index]! * perHour });
    });
  }

  /** Publishes the phase events and hands the readings to the ingest edge. */
  async #flush(nowMillis: number): Promise<void> {
    const events = this.#events;
    this.#events = [];
    for (const event of events) await this.#options.bus.publish('events', event);
    this.#stats.phaseEvents += events.filter((e) => e.type === 'signal-phase').length;
    await this.#outbox.send(nowMillis);
  }
}

function check(options: LiveTrafficOptions): void {
  if (!(Number.isFinite(options.speed) && options.speed > 0 && options.speed <= 10_000))
    throw new RangeError(`speed must be > 0 and ≤ 10000 simulated seconds per second, got ${options.speed}`);
  const integers = ['detectorSeconds', 'tickMillis', 'maxStepsPerTick', 'maxLagMillis'] as const;
  for (const name of integers) {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1))
      throw new RangeError(`${name} must be an integer ≥ 1, got ${value}`);
  }
  const share = options.maxBusyShare;
  if (share !== undefined && !(Number.isFinite(share) && share > 0 && share <= 1))
    throw new RangeError(`maxBusyShare must be > 0 and ≤ 1, got ${share}`);
  const { periodSeconds, startSecondsOfDay } = options;
  // A period of 0 (or NaN) would start fresh engines every step (or never): a run without traffic.
  if (periodSeconds !== undefined && !(Number.isFinite(periodSeconds) && periodSeconds >= 1))
    throw new RangeError(`periodSeconds must be a number ≥ 1, got ${periodSeconds}`);
  if (
    startSecondsOfDay !== undefined &&
    !(Number.isFinite(startSecondsOfDay) && startSecondsOfDay >= 0 && startSecondsOfDay < 86_400)
  )
    throw new RangeError(`startSecondsOfDay must be ≥ 0 and < 86400, got ${startSecondsOfDay}`);
  const carryOver = options.emergencyCarryOverSeconds;
  if (carryOver !== undefined && !(Number.isInteger(carryOver) && carryOver >= 0))
    throw new RangeError(`emergencyCarryOverSeconds must be an integer ≥ 0, got ${carryOver}`);
}

/** Whether the registry knows any of `records` (by `get`, which answers undefined for an unknown id). */
async function someKnown(
  records: readonly { id: string }[],
  get: (id: string) => Promise<unknown>,
): Promise<boolean> {
  for (const record of records) if ((await get(record.id)) !== undefined) return true;
  return false;
}

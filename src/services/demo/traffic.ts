import type { DemandTime } from '../../core/traffic/grid-roadnet.ts';
import type { City, GridNode } from './city.ts';
import { cityTime, dailyRhythm } from './kinds.ts';
import { seededRandom, type Random } from './random.ts';
import type { TrafficSnapshot } from './views.ts';

/** Approaches of a junction: north, south (phase 0 serves them), east, west (phase 1). */
const approaches = 4;
const saturationVehiclesPerSecond = 0.5;
const linkFreeFlowSeconds = 35;
const yellowSeconds = 3;
const fixedGreenSeconds = 30;
const minimumGreenSeconds = 6;
const maximumGreenSeconds = 50;
const historyPoints = 120;

/** Chance per second that a vehicle enters on a boundary approach, before the direction's share. */
function arrivalRate(hourOfDay: number): number {
  return 0.12 + 0.08 * dailyRhythm(hourOfDay);
}

/** The day's highest `arrivalRate`, found minute by minute: the demand shown is a share of it. */
const peakArrivalRate = Math.max(...Array.from({ length: 1440 }, (_, minute) => arrivalRate(minute / 60)));

interface Junction {
  node: GridNode;
  row: number;
  column: number;
  queues: Float64Array;
  phase: number;
  greenSeconds: number;
  yellowLeft: number;
}

/** One copy of the district under one signal policy. */
class District {
  readonly junctions: Junction[];
  private readonly size: number;
  private readonly adaptive: boolean;
  private queueSeconds = 0;
  private freeFlowSeconds = 0;
  private finished = 0;

  constructor(nodes: GridNode[], size: number, adaptive: boolean) {
    this.size = size;
    this.adaptive = adaptive;
    this.junctions = nodes.map((node, index) => ({
      node,
      row: Math.floor(index / size),
      column: index % size,
      queues: new Float64Array(approaches),
      phase: 0,
      greenSeconds: 0,
      yellowLeft: 0,
    }));
  }

  /** One simulated second: arrivals (the same for both policies), signals, discharge, onward trips. */
  step(arrivals: Float64Array): void {
    const moved = new Float64Array(this.junctions.length * approaches);
    this.junctions.forEach((junction, index) => {
      for (let approach = 0; approach < approaches; approach += 1) {
        junction.queues[approach] =
          (junction.queues[approach] as number) + (arrivals[index * approaches + approach] as number);
      }
      this.signal(junction);
      if (junction.yellowLeft > 0) return;
      for (const approach of junction.phase === 0 ? [0, 1] : [2, 3]) {
        const leaving = Math.min(junction.queues[approach] as number, saturationVehiclesPerSecond);
        junction.queues[approach] = (junction.queues[approach] as number) - leaving;
        // Through traffic goes on to the next junction in its direction, or leaves the district.
        const next = this.downstream(junction, approach);
        if (next === null) this.finished += leaving;
        else moved[next * approaches + approach] = (moved[next * approaches + approach] as number) + leaving;
        this.freeFlowSeconds += leaving * linkFreeFlowSeconds;
      }
    });
    this.junctions.forEach((junction, index) => {
      for (let approach = 0; approach < approaches; approach += 1) {
        junction.queues[approach] =
          (junction.queues[approach] as number) + (moved[index * approaches + approach] as number);
        this.queueSeconds += junction.queues[approach] as number;
      }
    });
  }

  /** Average travel time since the last call (queueing + free flow per finished trip), and resets. */
  takeAverageTravelSeconds(): number | null {
    if (this.finished < 1) return null;
    const average = (this.queueSeconds + this.freeFlowSeconds) / this.finished;
    this.queueSeconds = 0;
    this.freeFlowSeconds = 0;
    this.finished = 0;
    return average;
  }

  private signal(junction: Junction): void {
    if (junction.yellowLeft > 0) {
      junction.yellowLeft -= 1;
      return;
    }
    junction.greenSeconds += 1;
    const served = junction.phase === 0 ? [0, 1] : [2, 3];
    const other = junction.phase === 0 ? [2, 3] : [0, 1];
    const pressure = (list: number[]): number =>
      list.reduce((sum, approach) => sum + (junction.queues[approach] as number), 0);
    const waiting = pressure(other);
    const queued = pressure(served);
    // Adaptive: after the minimum green, give way when the served approaches have emptied (gap-out),
    // when the others' queue is much longer, or at the maximum green.
    const change = this.adaptive
      ? junction.greenSeconds >= minimumGreenSeconds &&
        waiting > 0 &&
        (queued < 0.5 || waiting > 2 * queued + 4 || junction.greenSeconds >= maximumGreenSeconds)
      : junction.greenSeconds >= fixedGreenSeconds;
    if (change) {
      junction.phase = 1 - junction.phase;
      junction.greenSeconds = 0;
      junction.yellowLeft = yellowSeconds;
    }
  }

  private downstream(junction: Junction, approach: number): number | null {
    // Approach 0 = from the north heading south, 1 = from the south heading north, 2 = from the east heading west, 3 = from the west heading east.
    const row = junction.row + (approach === 0 ? 1 : approach === 1 ? -1 : 0);
    const column = junction.column + (approach === 2 ? -1 : approach === 3 ? 1 : 0);
    if (row < 0 || column < 0 || row >= this.size || column >= this.size) return null;
    return row * this.size + column;
  }
}

/**
 * The signalised district in the city centre (a square of junctions of the street grid), run twice
 * on the same arrivals: adaptive control (actuated by queues: minimum green, gap-out when the
 * served approaches empty, give way to a much longer queue, maximum green) against a fixed-time plan. A point-queue model, light enough to run
 * at any `--speed`; demand follows the city's rhythm, heavier east–west in the morning and
 * north–south in the evening.
 */
export class TrafficModel {
  private readonly adaptive: District;
  private readonly fixed: District;
  private readonly random: Random;
  private readonly history: TrafficSnapshot['history'] = [];
  private cityMillis: number;
  private readonly startMillis: number;
  private sinceSampleSeconds = 0;
  private lastAdaptive = Number.NaN;
  private lastFixed = Number.NaN;

  constructor(city: City, seed: number, startMillis: number, districtSize = 4) {
    const size = Math.min(districtSize, city.gridSize);
    const first = Math.floor((city.gridSize - size) / 2);
    const nodes: GridNode[] = [];
    for (let row = first; row < first + size; row += 1) {
      for (let column = first; column < first + size; column += 1)
        nodes.push(city.nodes[row * city.gridSize + column] as GridNode);
    }
    this.adaptive = new District(nodes, size, true);
    this.fixed = new District(nodes, size, false);
    this.random = seededRandom(seed);
    this.cityMillis = startMillis;
    this.startMillis = startMillis;
  }

  /** Advances both districts to `cityMillis` in 1 s steps (at most an hour per call). */
  advanceTo(cityMillis: number, wallMillis: number): void {
    const steps = Math.min(3600, Math.floor((cityMillis - this.cityMillis) / 1000));
    const arrivals = new Float64Array(this.adaptive.junctions.length * approaches);
    for (let step = 0; step < steps; step += 1) {
      this.cityMillis += 1000;
      const hour = cityTime.hourOfDay(this.cityMillis);
      const level = arrivalRate(hour);
      const eastWest = hour < 13 ? 1.5 : 0.7;
      this.adaptive.junctions.forEach((junction, index) => {
        for (let approach = 0; approach < approaches; approach += 1) {
          const edge = this.entersDistrict(junction, approach);
          const rate = edge ? level * (approach >= 2 ? eastWest : 2 - eastWest) : 0;
          arrivals[index * approaches + approach] = this.random.next() < rate ? 1 : 0;
        }
      });
      this.adaptive.step(arrivals);
      this.fixed.step(arrivals);
      this.sinceSampleSeconds += 1;
      if (this.sinceSampleSeconds >= 300) this.sample(wallMillis);
    }
    if (steps === 3600) this.cityMillis = cityMillis;
  }

  snapshot(): TrafficSnapshot | null {
    if (this.history.length === 0) return null;
    const mean = (key: 'adaptive' | 'baseline'): number =>
      this.history.reduce((sum, point) => sum + point[key], 0) / this.history.length;
    return {
      timeSeconds: (this.cityMillis - this.startMillis) / 1000,
      timeOfDay: this.timeOfDay(),
      controller: 'adaptive (queue-actuated)',
      baseline: `fixed time (${fixedGreenSeconds} s greens)`,
      intersections: this.adaptive.junctions.map((junction) => ({
        id: junction.node.id,
        row: junction.row,
        column: junction.column,
        phase: junction.phase,
        phaseCount: 2,
        queue: Math.round(junction.queues.reduce((sum, queue) => sum + queue, 0)),
      })),
      averageTravelSeconds: mean('adaptive'),
      baselineTravelSeconds: mean('baseline'),
      history: [...this.history],
    };
  }

  /** The city's time of day the district has reached, and its demand then. */
  private timeOfDay(): DemandTime {
    const hour = cityTime.hourOfDay(this.cityMillis);
    return {
      secondsOfDay: Math.round(hour * 3600) % 86_400,
      demandShareOfPeak: arrivalRate(hour) / peakArrivalRate,
    };
  }

  private sample(wallMillis: number): void {
    this.sinceSampleSeconds = 0;
    this.lastAdaptive = this.adaptive.takeAverageTravelSeconds() ?? this.lastAdaptive;
    this.lastFixed = this.fixed.takeAverageTravelSeconds() ?? this.lastFixed;
    if (!Number.isFinite(this.lastAdaptive) || !Number.isFinite(this.lastFixed)) return;
    this.history.push({ ts: wallMillis, adaptive: this.lastAdaptive, baseline: this.lastFixed });
    if (this.history.length > historyPoints) this.history.shift();
  }

  private entersDistrict(junction: Junction, approach: number): boolean {
    const last = Math.sqrt(this.adaptive.junctions.length) - 1;
    if (approach === 0) return junction.row === 0;
    if (approach === 1) return junction.row === last;
    if (approach === 2) return junction.column === last;
    return junction.column === 0;
  }
}

/**
 * Actuated pressure: a max-pressure controller that also weighs what the
 * detectors say is coming, extends a green in short steps while it pays and
 * sizes a new green to the queue it serves. Per non-right-turn movement,
 *
 *   demand = queued + w * moving-in-zone + upstreamWeight * (further up the lane)
 *            + neighbourWeight * (queued at the upstream neighbour bound for this approach)
 *   value  = (demand - outgoingWeight * mean queue on the outgoing lanes) * room downstream
 *
 * where w is `runningWeight` for the current phase (moving vehicles a switch
 * would stop: Advanced-MP's effective running vehicles) and
 * `otherRunningWeight` for the others, and "room downstream" falls to zero
 * as the outgoing lanes fill up (no green into a blocked exit). The current
 * phase gets `keepBonus` vehicles of credit. Defaults were chosen on two of
 * the Jinan/Hangzhou flows and checked on the other four (see
 * docs/traffic.md); upstream and neighbour terms measured no gain there and
 * default to 0.
 */
import type {
  Decision,
  IntersectionObservation,
  Movement,
  NetworkObservation,
  Phase,
  SignalController,
} from '../controller.ts';
import { meanLanes, phaseMovements, sumLanes } from './pressure.ts';

export interface ActuatedSettings {
  readonly runningWeight: number;
  /** Weight of moving in-zone vehicles for phases other than the current one; optional, default `runningWeight`. */
  readonly otherRunningWeight?: number;
  readonly upstreamWeight: number;
  readonly neighbourWeight: number;
  readonly outgoingWeight: number;
  readonly keepBonus: number;
  /** Metres of lane per queued vehicle (length + gap). */
  readonly vehicleSpacingMetres: number;
  /** Occupancy of the outgoing lanes at which a movement's value starts to fall. */
  readonly spillbackStart: number;
  /**
   * Seconds until the next decision when the current phase is kept; 0 keeps
   * the cadence's fixed decision interval (the field's setting). A switch
   * always holds yellow + green for a whole decision interval.
   */
  readonly extendSeconds: number;
  /** Seconds (yellow included) a newly chosen phase is held before the next decision; 0: the cadence's interval. */
  readonly switchHoldSeconds: number;
  /**
   * When > 0, a newly chosen phase is held for yellow + this many seconds per
   * vehicle queued on its longest incoming lane, clamped to the min/max green
   * (overrides `switchHoldSeconds`).
   */
  readonly dischargeSecondsPerVehicle: number;
  /** Seconds added to a sized green for the queue to start moving (start-up lost time); optional, default 0. */
  readonly startupSeconds?: number;
  readonly minGreenSeconds: number;
  readonly maxGreenSeconds: number;
  readonly yellowSeconds: number;
  /**
   * Detection zone for "moving in zone", asked of the engine through
   * `SignalController.detectionMetres` (the CityFlow-faithful engine and the
   * SUMO adapter both observe with it).
   */
  readonly detectionMetres: number;
}

/**
 * Chosen on two flows (JN1, HZ1) and checked on the other four (JN2, JN3,
 * HZ2, HZ3), 4 phases; see docs/traffic.md.
 */
export const defaultActuated: ActuatedSettings = {
  runningWeight: 2,
  otherRunningWeight: 1,
  upstreamWeight: 0,
  neighbourWeight: 0,
  outgoingWeight: 1,
  keepBonus: 0.5,
  vehicleSpacingMetres: 7.5,
  spillbackStart: 0.7,
  extendSeconds: 4,
  switchHoldSeconds: 0,
  dischargeSecondsPerVehicle: 3,
  startupSeconds: 0,
  minGreenSeconds: 5,
  maxGreenSeconds: 30,
  yellowSeconds: 5,
  detectionMetres: 80,
};

/** The settings before the JN1/HZ1 re-tuning (kept for comparison in the benchmark). */
export const previousActuated: ActuatedSettings = {
  ...defaultActuated,
  runningWeight: 1.5,
  otherRunningWeight: 1.5,
  extendSeconds: 5,
  dischargeSecondsPerVehicle: 2,
  minGreenSeconds: 8,
  detectionMetres: 120,
};

function longestQueue(o: IntersectionObservation, phase: Phase): number {
  let longest = 0;
  for (const m of phaseMovements(o, phase)) {
    for (const id of m.incomingLanes) longest = Math.max(longest, o.lanes.get(id)?.waitingVehicles ?? 0);
  }
  return longest;
}

function outgoingRoom(o: IntersectionObservation, m: Movement, s: ActuatedSettings): number {
  let occupancy = 0;
  for (const id of m.outgoingLanes) {
    const lane = o.lanes.get(id);
    if (lane !== undefined) occupancy += (lane.vehicles * s.vehicleSpacingMetres) / lane.lengthMetres;
  }
  occupancy /= Math.max(1, m.outgoingLanes.length);
  if (occupancy <= s.spillbackStart) return 1;
  return Math.max(0, (1 - occupancy) / (1 - s.spillbackStart));
}

/** Queued vehicles at upstream neighbours whose movement feeds road `road`. */
function neighbourFeed(network: NetworkObservation, o: IntersectionObservation, road: string): number {
  let total = 0;
  for (const id of o.layout.neighbourIds) {
    const n = network.intersections.get(id);
    if (n === undefined) continue;
    for (const m of n.layout.movements) {
      if (m.outgoingRoad === road)
        total += sumLanes(n, m.incomingLanes, (l) => l.waitingVehicles + l.approachingVehicles);
    }
  }
  return total;
}

export function createActuatedPressure(settings: ActuatedSettings = defaultActuated): SignalController {
  const s = settings;
  return {
    name: 'actuated-pressure',
    detectionMetres: s.detectionMetres,
    settings: {
      running_weight: s.runningWeight,
      other_running_weight: s.otherRunningWeight ?? s.runningWeight,
      keep_bonus: s.keepBonus,
      detection_metres: s.detectionMetres,
      extend_seconds: s.extendSeconds,
      min_green_seconds: s.minGreenSeconds,
      max_green_seconds: s.maxGreenSeconds,
      discharge_seconds_per_vehicle: s.dischargeSecondsPerVehicle,
      startup_seconds: s.startupSeconds ?? 0,
    },
    decide(network, due) {
      const decisions = new Map<string, Decision>();
      for (const id of due) {
        const o = network.intersections.get(id)!;
        const feed = new Map<string, number>();
        const value = (phase: Phase): number => {
          let total = 0;
          const running =
            phase.index === o.currentPhase ? s.runningWeight : (s.otherRunningWeight ?? s.runningWeight);
          for (const m of phaseMovements(o, phase)) {
            let demand = sumLanes(
              o,
              m.incomingLanes,
              (l) =>
                l.waitingVehicles +
                running * l.approachingVehicles +
                s.upstreamWeight * (l.vehicles - l.nearVehicles),
            );
            if (s.neighbourWeight > 0) {
              let f = feed.get(m.incomingRoad);
              if (f === undefined) {
                f = neighbourFeed(network, o, m.incomingRoad);
                feed.set(m.incomingRoad, f);
              }
              demand += (s.neighbourWeight * f) / 3;
            }
            const out = meanLanes(o, m.outgoingLanes, (l) => l.waitingVehicles);
            total += (demand - s.outgoingWeight * out) * outgoingRoom(o, m, s);
          }
          return phase.index === o.currentPhase ? total + s.keepBonus : total;
        };
        let best = o.layout.phases[0]!.index;
        let bestValue = -Infinity;
        for (const phase of o.layout.phases) {
          const v = value(phase);
          if (v > bestValue) {
            bestValue = v;
            best = phase.index;
          }
        }
        const keep = best === o.currentPhase && s.extendSeconds > 0;
        if (keep) decisions.set(id, { phase: best, nextDecisionSeconds: s.extendSeconds });
        else if (s.dischargeSecondsPerVehicle > 0) {
          const phase = o.layout.phases.find((p) => p.index === best)!;
          const green = Math.min(
            s.maxGreenSeconds,
            Math.max(
              s.minGreenSeconds,
              (s.startupSeconds ?? 0) + s.dischargeSecondsPerVehicle * longestQueue(o, phase),
            ),
          );
          decisions.set(id, { phase: best, nextDecisionSeconds: s.yellowSeconds + Math.round(green) });
        } else if (s.switchHoldSeconds > 0)
          decisions.set(id, { phase: best, nextDecisionSeconds: s.switchHoldSeconds });
        else decisions.set(id, { phase: best });
      }
      return decisions;
    },
  };
}

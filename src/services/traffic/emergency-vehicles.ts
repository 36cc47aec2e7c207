/**
 * Emergency vehicles sent through the live district: each is one vehicle in
 * the adaptive run (whose signals give it priority) and the same trip in the
 * baseline run (without), so both travel times are known. At most
 * `maxLive` are on their way at once, and the last `maxListed` are kept.
 */
import { type Lane, type LaneLink, linkKind } from '../../core/traffic/network.ts';
import type { Vehicle } from '../../core/traffic/vehicle.ts';

export type EmergencyState = 'on-its-way' | 'arrived' | 'dropped';

/** An emergency vehicle as the snapshot and the `emergency-vehicle` events show it. */
export interface EmergencyVehicleView {
  id: string;
  /** Intersection asset ids, as `GET /api/v1/traffic` lists them. */
  from: string;
  to: string;
  /** Intersections on the way (asset ids): `from`, each one crossed, `to`. */
  route: string[];
  /** Road ids of the trip: the first leaves `from`, the last leaves `to`. */
  roads: string[];
  /** Simulated seconds (`timeSeconds` of the snapshot) when it was sent. */
  startedSeconds: number;
  /** `arrived` once it has left `to` in the adaptive run; `dropped` when the demand period started over first. */
  state: EmergencyState;
  /** While on its way: the intersection it is approaching or crossing (asset id), null between the district's edge and it. */
  at: string | null;
  /** Seconds from sending to leaving `to`, with priority (adaptive run); null until known. */
  prioritySeconds: number | null;
  /** The same trip without priority (baseline run); null until known. */
  baselineSeconds: number | null;
}

interface Entry {
  view: EmergencyVehicleView;
  adaptive: Vehicle;
  baseline: Vehicle;
  /** Both trips over (or dropped): no longer counts against `maxLive`. */
  done: boolean;
}

export const maxLiveEmergencyVehicles = 20;
export const maxListedEmergencyVehicles = 20;

function tripSeconds(vehicle: Vehicle): number | null {
  return vehicle.finished ? vehicle.exitSeconds - vehicle.enterSeconds : null;
}

/** The vehicle's next (or current) intersection, by engine id. */
function nextIntersection(vehicle: Vehicle): string {
  const drivable = vehicle.drivable;
  return drivable.kind === linkKind
    ? (drivable as LaneLink).roadLink.intersection.id
    : (drivable as Lane).road.end.id;
}

export class EmergencyVehicles {
  readonly #entries: Entry[] = [];
  #count = 0;

  /** Vehicles still to be counted against the bound. */
  get live(): number {
    return this.#entries.filter((e) => !e.done).length;
  }

  nextId(): string {
    this.#count += 1;
    return `ev-${this.#count}`;
  }

  /** Adds a sent vehicle; the caller has checked `live < maxLiveEmergencyVehicles`. */
  add(view: EmergencyVehicleView, adaptive: Vehicle, baseline: Vehicle): void {
    this.#entries.push({ view, adaptive, baseline, done: false });
    while (this.#entries.length > maxListedEmergencyVehicles) {
      const oldest = this.#entries.findIndex((e) => e.done);
      if (oldest < 0) break;
      this.#entries.splice(oldest, 1);
    }
  }

  /** The adaptive run's vehicles still driving: those the signals give priority to. */
  prioritised(): Vehicle[] {
    return this.#entries.filter((e) => !e.done && !e.adaptive.finished).map((e) => e.adaptive);
  }

  /**
   * After a step: records travel times as trips end and where each vehicle is (`assetOf` maps an
   * engine intersection id to its asset id, or null). Returns the vehicles whose trips are over in
   * both runs now.
   */
  observe(assetOf: (intersectionId: string) => string | null): EmergencyVehicleView[] {
    const ended: EmergencyVehicleView[] = [];
    for (const entry of this.#entries) {
      if (entry.done) continue;
      const view = entry.view;
      view.prioritySeconds = tripSeconds(entry.adaptive);
      view.baselineSeconds = tripSeconds(entry.baseline);
      view.state = view.prioritySeconds === null ? 'on-its-way' : 'arrived';
      view.at = view.prioritySeconds === null ? assetOf(nextIntersection(entry.adaptive)) : null;
      if (view.prioritySeconds !== null && view.baselineSeconds !== null) {
        entry.done = true;
        ended.push(view);
      }
    }
    return ended;
  }

  /**
   * The runs start over on fresh engines: the trips still going end here. A vehicle on its way is
   * `dropped`; one that arrived keeps its time, without the baseline's when that was not over.
   */
  endAll(): EmergencyVehicleView[] {
    const ended: EmergencyVehicleView[] = [];
    for (const entry of this.#entries) {
      if (entry.done) continue;
      entry.done = true;
      if (entry.view.state === 'on-its-way') {
        entry.view.state = 'dropped';
        entry.view.at = null;
      }
      ended.push(entry.view);
    }
    return ended;
  }

  /** Newest first, copies. */
  views(): EmergencyVehicleView[] {
    return this.#entries
      .map((e) => ({ ...e.view, route: [...e.view.route], roads: [...e.view.roads] }))
      .reverse();
  }
}

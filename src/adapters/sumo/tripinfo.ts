import { attribute } from './xml-attributes.ts';

/** Trip figures from SUMO's tripinfo output (written with `--tripinfo-output.write-unfinished`). */
export interface TripSummary {
  /** Trips in the file: finished, plus vehicles still running at the end (counted with their time so far). */
  readonly trips: number;
  readonly finished: number;
  /** Mean `duration` over all trips, seconds: the measure of sumo_reference.json. */
  readonly averageTravelSeconds: number;
  /** Mean `timeLoss` (time lost to driving below the desired speed) over all trips, seconds. */
  readonly averageTimeLossSeconds: number;
}

/** One `<tripinfo>` of the output. */
export interface Trip {
  readonly id: string;
  readonly durationSeconds: number;
  readonly timeLossSeconds: number;
  /** False for a trip still running at the end (`arrival="-1..."`). */
  readonly finished: boolean;
  /** The factor on the lanes' speed limits SUMO drew for the vehicle, when written. */
  readonly speedFactor: number | undefined;
}

/** The trips of tripinfo XML, in file order; a figure that is not a number is refused, naming it. */
export function readTrips(xml: string): Trip[] {
  return [...xml.matchAll(/<tripinfo\s([^>]*)\/?>/g)].map((match) => {
    const attributes = match[1] ?? '';
    const speedFactor = Number(attribute(attributes, 'speedFactor'));
    return {
      id: attribute(attributes, 'id') ?? '',
      durationSeconds: numberAttribute(attributes, 'duration'),
      timeLossSeconds: numberAttribute(attributes, 'timeLoss'),
      finished: numberAttribute(attributes, 'arrival') >= 0,
      speedFactor: Number.isFinite(speedFactor) && speedFactor > 0 ? speedFactor : undefined,
    };
  });
}

/** Summarises tripinfo XML. */
export function summariseTripinfo(xml: string): TripSummary {
  const trips = readTrips(xml);
  let finished = 0;
  let durationTotal = 0;
  let timeLossTotal = 0;
  for (const trip of trips) {
    durationTotal += trip.durationSeconds;
    timeLossTotal += trip.timeLossSeconds;
    if (trip.finished) finished += 1;
  }
  return {
    trips: trips.length,
    finished,
    averageTravelSeconds: trips.length > 0 ? durationTotal / trips.length : 0,
    averageTimeLossSeconds: trips.length > 0 ? timeLossTotal / trips.length : 0,
  };
}

/** The speed factor of each trip that has one written, by vehicle id. */
export function speedFactorsOf(trips: readonly Trip[]): Map<string, number> {
  const factors = new Map<string, number>();
  for (const trip of trips) if (trip.speedFactor !== undefined) factors.set(trip.id, trip.speedFactor);
  return factors;
}

function numberAttribute(attributes: string, name: string): number {
  const text = attribute(attributes, name);
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value)) {
    throw new Error(
      `tripinfo: attribute ${name}="${text ?? ''}" is not a number in <tripinfo ${attributes.slice(0, 80)}>`,
    );
  }
  return value;
}

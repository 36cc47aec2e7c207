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

/** Summarises tripinfo XML; an unfinished trip has `arrival="-1..."`. */
export function summariseTripinfo(xml: string): TripSummary {
  let trips = 0;
  let finished = 0;
  let durationTotal = 0;
  let timeLossTotal = 0;
  for (const match of xml.matchAll(/<tripinfo\s([^>]*)\/?>/g)) {
    const attributes = match[1] ?? '';
    const duration = numberAttribute(attributes, 'duration');
    const arrival = numberAttribute(attributes, 'arrival');
    trips += 1;
    durationTotal += duration;
    timeLossTotal += numberAttribute(attributes, 'timeLoss');
    if (arrival >= 0) finished += 1;
  }
  return {
    trips,
    finished,
    averageTravelSeconds: trips > 0 ? durationTotal / trips : 0,
    averageTimeLossSeconds: trips > 0 ? timeLossTotal / trips : 0,
  };
}

function numberAttribute(attributes: string, name: string): number {
  const text = new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attributes)?.[1];
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value)) {
    throw new Error(
      `tripinfo: attribute ${name}="${text ?? ''}" is not a number in <tripinfo ${attributes.slice(0, 80)}>`,
    );
  }
  return value;
}

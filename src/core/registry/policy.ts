import type { Reading, Rejection } from '../readings/reading.ts';

/** What to do with readings from a sensor the registry does not know. */
export type UnknownSensorPolicy = 'auto-register' | 'reject';

export interface PolicyOutcome {
  /** Readings allowed through, in batch order. */
  readings: Reading[];
  /** Readings refused under the reject policy; `index` is the position in `readings` as given. */
  rejected: Rejection[];
  /** Distinct sensor ids to register before storing, under the auto-register policy. */
  toRegister: string[];
}

/**
 * Applies the unknown-sensor policy to a validated batch. `isKnown` answers from the registry
 * (it is asked once per reading, in order, with the reading's position).
 * `indexes`, if given, maps each reading to its item position in the batch as sent, so rejections
 * name the item the client sent.
 */
export function applyUnknownSensorPolicy(
  readings: readonly Reading[],
  policy: UnknownSensorPolicy,
  isKnown: (sensor: string, position: number) => boolean,
  indexes?: readonly number[],
): PolicyOutcome {
  const unknown = new Set<string>();
  for (let position = 0; position < readings.length; position++) {
    const sensor = (readings[position] as Reading).sensor;
    if (!isKnown(sensor, position)) unknown.add(sensor);
  }
  if (unknown.size === 0) return { readings: [...readings], rejected: [], toRegister: [] };
  if (policy === 'auto-register') return { readings: [...readings], rejected: [], toRegister: [...unknown] };
  const outcome: PolicyOutcome = { readings: [], rejected: [], toRegister: [] };
  readings.forEach((reading, position) => {
    if (!unknown.has(reading.sensor)) {
      outcome.readings.push(reading);
      return;
    }
    outcome.rejected.push({
      index: indexes?.[position] ?? position,
      sensor: reading.sensor,
      field: 'sensor',
      value: reading.sensor,
      rule: 'unknown-sensor',
      message: `sensor '${reading.sensor}' is not registered and the unknown-sensor policy is reject`,
    });
  });
  return outcome;
}

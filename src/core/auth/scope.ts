import type { ParsedBatch, Reading, Rejection } from '../readings/reading.ts';
import { idCharacterRule, isValidId } from '../registry/validate.ts';

/** Most patterns one key's scope may hold. */
export const maxScopePatterns = 1_000;

/**
 * The sensors a device key may write, ready for the ingest path: exact ids in a Set, and the
 * prefixes of the patterns ending in `*`.
 */
export interface SensorScope {
  readonly exact: ReadonlySet<string>;
  readonly prefixes: readonly string[];
}

export type CheckedScope = { ok: true; value: string[] } | { ok: false; message: string };

/**
 * Validates the `sensors` of a key as sent to the API: 1 to `maxScopePatterns` patterns, each a
 * sensor id (the registry's id rule) that stands for itself, or ends in `*` and stands for every id
 * that starts with what comes before it (`gw-12.*`; `*` alone: every sensor). Duplicates are dropped.
 */
export function checkScope(input: unknown): CheckedScope {
  if (!Array.isArray(input) || input.length === 0 || input.length > maxScopePatterns) {
    return {
      ok: false,
      message: `sensors must be an array of 1 to ${maxScopePatterns} sensor ids or prefixes ending in '*'`,
    };
  }
  for (const [index, pattern] of input.entries()) {
    if (typeof pattern !== 'string' || !isValidId(pattern)) {
      return {
        ok: false,
        message:
          `sensors[${index}]=${JSON.stringify(pattern)} must be a sensor id (1 to 256 characters ` +
          `${idCharacterRule}) or a prefix followed by '*'`,
      };
    }
  }
  return { ok: true, value: [...new Set(input as string[])] };
}

export function compileScope(patterns: readonly string[]): SensorScope {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('*')) prefixes.push(pattern.slice(0, -1));
    else exact.add(pattern);
  }
  return { exact, prefixes };
}

export function inScope(scope: SensorScope, sensor: string): boolean {
  if (scope.exact.has(sensor)) return true;
  for (const prefix of scope.prefixes) if (sensor.startsWith(prefix)) return true;
  return false;
}

/** Position, in the batch as sent, of the item each reading came from. */
function itemIndexes(batch: ParsedBatch): readonly number[] {
  if (batch.items !== undefined) return batch.items;
  const refused = new Set(batch.rejected.map((rejection) => rejection.index));
  const indexes: number[] = [];
  for (let index = 0; indexes.length < batch.readings.length; index++)
    if (!refused.has(index)) indexes.push(index);
  return indexes;
}

/**
 * The batch with the readings of sensors outside `scope` moved to its rejections (rule
 * `forbidden-sensor`, naming the item as sent). A batch wholly in scope is returned as it is.
 * Consecutive readings of one sensor (a device's usual batch) are checked once.
 */
export function restrictToScope(batch: ParsedBatch, scope: SensorScope): ParsedBatch {
  const { readings } = batch;
  let last: string | undefined;
  let allowed = true;
  const isAllowed = (sensor: string): boolean => {
    if (sensor !== last) {
      last = sensor;
      allowed = inScope(scope, sensor);
    }
    return allowed;
  };
  let first = 0;
  while (first < readings.length && isAllowed((readings[first] as Reading).sensor)) first++;
  if (first === readings.length) return batch;

  const indexes = itemIndexes(batch);
  const kept: Reading[] = readings.slice(0, first);
  const items: number[] = indexes.slice(0, first);
  const forbidden: Rejection[] = [];
  for (let position = first; position < readings.length; position++) {
    const reading = readings[position] as Reading;
    const index = indexes[position] as number;
    if (isAllowed(reading.sensor)) {
      kept.push(reading);
      items.push(index);
      continue;
    }
    forbidden.push({
      index,
      sensor: reading.sensor,
      field: 'sensor',
      value: reading.sensor,
      rule: 'forbidden-sensor',
      message: `sensor '${reading.sensor}' is not among the sensors this key may write`,
    });
  }
  const rejected = [...batch.rejected, ...forbidden].sort((a, b) => a.index - b.index);
  return { readings: kept, rejected, items };
}

import { isRecord, shownValue, unknownFields } from '../../../core/input-checks.ts';

/** The most sensor ids one request body may list (`POST /api/v1/latest`, `POST /api/v1/stream`). */
export const maxSensors = 100_000;

/**
 * The list's field of each route's body, named as its GET parameter: a client that sends one to the
 * other (`POST /api/v1/latest` takes `sensors`, `POST /api/v1/stream` takes `sensor`) is told which.
 */
const listFields = ['sensor', 'sensors'];

/**
 * Why `body` is not a JSON object of `fields` only: `shape` (the body the route takes, in words),
 * then the field that is not one; undefined when it is such an object.
 */
export function bodyFieldsError(body: unknown, fields: readonly string[], shape: string): string | undefined {
  if (!isRecord(body)) return shape;
  const [unknown] = unknownFields(body, fields);
  if (unknown === undefined) return undefined;
  const meant = listFields.includes(unknown) ? fields.find((field) => listFields.includes(field)) : undefined;
  return `${shape}; '${unknown}' is not a field${meant === undefined ? '' : ` (did you mean '${meant}'?)`}`;
}

/**
 * Why `ids`, the body's field `field`, is not an array of at most `maxSensors` string ids, naming
 * the item at fault (`shape` says what the body should be); undefined when it is one.
 */
export function sensorListError(field: string, ids: unknown, shape: string): string | undefined {
  if (!Array.isArray(ids)) return `${shape}; ${field} is ${shownValue(ids, 100)}`;
  if (ids.length > maxSensors) return `${field} has ${ids.length} ids; at most ${maxSensors}`;
  const index = ids.findIndex((id) => typeof id !== 'string');
  if (index >= 0) return `${field}[${index}] is ${shownValue(ids[index], 100)}; each id must be a string`;
  return undefined;
}

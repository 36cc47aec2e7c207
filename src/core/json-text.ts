/**
 * JSON read from an untrusted body. No record of the platform nests deeper than a few levels (a
 * GeoJSON polygon: about eight), so a body nested deeper than `MAX_JSON_DEPTH` is refused whole:
 * `JSON.parse` takes it, but writing any part of it back in an error answer would overflow the
 * stack.
 */
export const MAX_JSON_DEPTH = 64;

export type ParsedJson = { ok: true; value: unknown } | { ok: false; error: string };

/** Whether `value` has arrays or objects nested more than `limit` levels deep (a scalar is level 0). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const next = values.pop();
    const depth = depths.pop() as number;
    if (typeof next !== 'object' || next === null) continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(next) ? next : Object.values(next)) {
      if (typeof child !== 'object' || child === null) continue;
      values.push(child);
      depths.push(depth + 1);
    }
  }
  return false;
}

/** The message for a value nested deeper than `MAX_JSON_DEPTH`. */
export const tooDeep = `nested deeper than ${MAX_JSON_DEPTH} levels`;

/** `text` parsed, or why it cannot be used: not JSON, or nested deeper than `MAX_JSON_DEPTH`. */
export function parseJsonText(text: string): ParsedJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `body is not valid JSON: ${(error as Error).message}` };
  }
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) return { ok: false, error: `body is ${tooDeep}` };
  return { ok: true, value };
}

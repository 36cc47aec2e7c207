import { isRecord } from '../input-checks.ts';

/**
 * `patch` applied to `target` as a JSON Merge Patch (RFC 7396): an object merges member by member,
 * `null` removes a member, anything else (an array too) replaces it. Neither input is changed.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const merged: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    // Defined, not assigned: a member named `__proto__` (JSON.parse makes one) stays a member.
    else
      Object.defineProperty(merged, key, {
        value: mergePatch(Object.hasOwn(merged, key) ? merged[key] : undefined, value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return merged;
}

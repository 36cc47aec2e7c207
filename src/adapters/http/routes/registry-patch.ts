import type { Context } from 'hono';
import { isRecord } from '../../../core/input-checks.ts';
import { mergePatch } from '../../../core/registry/merge-patch.ts';
import { idChange, type Checked, type FieldError } from '../../../core/registry/validate.ts';
import { jsonBody } from '../json-body.ts';

export interface PatchOptions<T> {
  what: 'sensor' | 'asset';
  /** The store's update: `change` runs between its read and its write, with no other update between. */
  update(id: string, change: (current: T) => Promise<T>): Promise<T | undefined>;
  /** Validates the merged record, as a replacement is validated. */
  check(input: object): Promise<Checked<T>>;
}

/** A merged record that fails its checks: nothing is stored. */
class Refused extends Error {
  constructor(readonly errors: FieldError[]) {
    super('refused');
  }
}

/**
 * `PATCH /<what>s/:id`: the body, a JSON Merge Patch (RFC 7396), applied to the stored record (a
 * member replaces a field, `null` removes it, so the field takes its default; `tags` merge key by
 * key, `null` removing a tag); the result is checked as a replacement is, then stored, by the
 * store's update, so that patches at once (in any process sharing the store) are all applied.
 * 404 for an unknown id; the id cannot change.
 */
export async function patchRecord<T extends object>(c: Context, options: PatchOptions<T>): Promise<Response> {
  const id = c.req.param('id') ?? '';
  const body = await jsonBody(c);
  if (!body.ok) return c.json({ error: body.error }, 400);
  const patch = body.value;
  if (!isRecord(patch))
    return c.json(
      { error: `body must be a JSON object: a JSON Merge Patch (RFC 7396) of the ${options.what}` },
      400,
    );
  const moved = idChange(patch, id);
  if (moved !== undefined) return c.json({ error: moved }, 400);
  try {
    const updated = await options.update(id, async (current) => {
      const checked = await options.check({ ...(mergePatch(current, patch) as Record<string, unknown>), id });
      if (!checked.ok) throw new Refused(checked.errors);
      return checked.value;
    });
    if (updated === undefined) return c.json({ error: `no ${options.what} '${id}'` }, 404);
    return c.json(updated);
  } catch (error) {
    if (error instanceof Refused)
      return c.json({ error: `invalid ${options.what}`, errors: error.errors }, 400);
    throw error;
  }
}

import type { Context } from 'hono';
import { mergePatch } from '../../../core/registry/merge-patch.ts';
import { idChange, type Checked } from '../../../core/registry/validate.ts';
import { jsonBody } from '../paging.ts';

/** Runs one update at a time: a patch reads, merges and writes with no other patch of this process in between. */
export class PatchQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(work, work);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

export interface PatchOptions<T> {
  what: 'sensor' | 'asset';
  queue: PatchQueue;
  get(id: string): Promise<T | undefined>;
  /** Validates the merged record, as a replacement is validated. */
  check(input: object): Promise<Checked<T>>;
  put(record: T): Promise<void>;
}

/**
 * `PATCH /<what>s/:id`: the body, a JSON Merge Patch (RFC 7396), applied to the stored record (a
 * member replaces a field, `null` removes it, so the field takes its default; `tags` merge key by
 * key, `null` removing a tag); the result is checked as a replacement is, then stored. 404 for an
 * unknown id; the id cannot change.
 */
export async function patchRecord<T extends object>(c: Context, options: PatchOptions<T>): Promise<Response> {
  const id = c.req.param('id') ?? '';
  const body = await jsonBody(c);
  if (!body.ok) return c.json({ error: body.error }, 400);
  const patch = body.value;
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    return c.json(
      { error: `body must be a JSON object: a JSON Merge Patch (RFC 7396) of the ${options.what}` },
      400,
    );
  const moved = idChange(patch, id);
  if (moved !== undefined) return c.json({ error: moved }, 400);
  return options.queue.run(async () => {
    const current = await options.get(id);
    if (current === undefined) return c.json({ error: `no ${options.what} '${id}'` }, 404);
    const merged = mergePatch(current, patch) as object;
    const checked = await options.check({ ...merged, id });
    if (!checked.ok) return c.json({ error: `invalid ${options.what}`, errors: checked.errors }, 400);
    await options.put(checked.value);
    return c.json(checked.value);
  });
}

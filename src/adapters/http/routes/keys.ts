import { Hono } from 'hono';
import { checkNewKey } from '../../../core/auth/new-key.ts';
import type { KeyService } from '../../../services/auth/keys.ts';
import type { AppEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';
import { jsonBody } from '../json-body.ts';

/**
 * API key management (admin): create (the secret is returned once; a device key may be limited to
 * `sensors`; a key but an admin key may expire), list, revoke (never the last live admin key: 409).
 */
export function keyRoutes(keys: KeyService): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requireRole('manage'));

  app.get('/', async (c) => c.json({ keys: await keys.list() }));

  app.post('/', async (c) => {
    const body = await jsonBody(c);
    if (!body.ok) return c.json({ error: body.error }, 400);
    const checked = checkNewKey(body.value, keys.nowMillis());
    if (!checked.ok) return c.json({ error: checked.message }, 400);
    const { name, role, sensors, expiresMillis } = checked.value;
    const created = await keys.create(name, role, {
      ...(sensors === undefined ? {} : { sensors }),
      ...(expiresMillis === undefined ? {} : { expiresMillis }),
    });
    return c.json({ ...created.info, key: created.secret }, 201);
  });

  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    const outcome = await keys.revokeKeepingAnAdmin(id);
    if (outcome.ok) return c.body(null, 204);
    if (outcome.reason === 'last-admin')
      return c.json(
        { error: `key '${id}' is the last live admin key: create another admin key before revoking it` },
        409,
      );
    return c.json({ error: `no live key '${id}'` }, 404);
  });
  return app;
}

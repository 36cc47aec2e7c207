import { Hono } from 'hono';
import { isRole, roles } from '../../../core/auth/role.ts';
import { checkScope } from '../../../core/auth/scope.ts';
import type { KeyService } from '../../../services/auth/keys.ts';
import type { AppEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';
import { jsonBody } from '../paging.ts';

/**
 * API key management (admin): create (the secret is returned once; a device key may be limited to
 * `sensors`), list, revoke.
 */
export function keyRoutes(keys: KeyService): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requireRole('manage'));

  app.get('/', async (c) => c.json({ keys: await keys.list() }));

  app.post('/', async (c) => {
    const body = await jsonBody(c);
    if (!body.ok) return c.json({ error: body.error }, 400);
    const { name, role, sensors } = (body.value ?? {}) as {
      name?: unknown;
      role?: unknown;
      sensors?: unknown;
    };
    if (!isRole(role))
      return c.json({ error: `role=${JSON.stringify(role)} must be one of ${roles.join(', ')}` }, 400);
    if (name !== undefined && (typeof name !== 'string' || name.length > 256)) {
      return c.json({ error: 'name must be a string of at most 256 characters' }, 400);
    }
    const scoped = sensors !== undefined && sensors !== null;
    if (scoped && role !== 'device')
      return c.json({ error: `sensors is for device keys only, not role=${JSON.stringify(role)}` }, 400);
    const scope = scoped ? checkScope(sensors) : undefined;
    if (scope !== undefined && !scope.ok) return c.json({ error: scope.message }, 400);
    const created = await keys.create(
      name ?? role,
      role,
      scope === undefined ? {} : { sensors: scope.value },
    );
    return c.json({ ...created.info, key: created.secret }, 201);
  });

  app.delete('/:id', async (c) => {
    const revoked = await keys.revoke(c.req.param('id'));
    return revoked ? c.body(null, 204) : c.json({ error: `no live key '${c.req.param('id')}'` }, 404);
  });
  return app;
}

import { Hono } from 'hono';
import type { ApiKey } from '../../../core/auth/key.ts';
import { compileScope, restrictToScope, type SensorScope } from '../../../core/auth/scope.ts';
import type { ParsedBatch } from '../../../core/readings/reading.ts';
import type { EdgeIngest } from '../../../services/edge/edge-ingest.ts';
import { parsePrecision } from '../../../core/ingest/line-protocol.ts';
import type { BatchParsers } from '../../../services/edge/parsers.ts';
import { bodyLines } from '../body-lines.ts';
import { bodyJson } from '../body-json.ts';
import type { AppEnv } from '../env.ts';
import { ingestResponse } from '../ingest-response.ts';
import { requireRole } from '../middleware/auth.ts';

export interface IngestRouteOptions {
  edge: EdgeIngest;
  parsers: BatchParsers;
  nowMillis: () => number;
  /** Largest body after gzip inflation. */
  bodyLimitBytes: number;
}

/** `POST /api/v1/readings` (JSON batch or SenML) and line protocol on `/api/v1/write`, `/write`, `/api/v2/write`. */
export function ingestRoutes(options: IngestRouteOptions): Hono<AppEnv> {
  const { edge, parsers, nowMillis, bodyLimitBytes } = options;
  const app = new Hono<AppEnv>();
  // Compiled once per key object: the key stores hand out the same object while it is cached.
  const scopes = new WeakMap<ApiKey, SensorScope>();
  /** The batch as the caller's key may write it: readings of sensors outside its scope refused. */
  function scoped(key: ApiKey, batch: ParsedBatch): ParsedBatch {
    if (key.sensors === undefined) return batch;
    let scope = scopes.get(key);
    if (scope === undefined) {
      scope = compileScope(key.sensors);
      scopes.set(key, scope);
    }
    return restrictToScope(batch, scope);
  }

  app.post('/api/v1/readings', requireRole('ingest'), async (c) => {
    const type = c.req.header('content-type');
    const format = readingsFormat(type);
    if (format === undefined) {
      const error = `Content-Type '${type ?? ''}' is not read here: send application/json or application/senml+json`;
      return c.json({ error }, 415);
    }
    const body = await bodyJson(c, bodyLimitBytes);
    if (!body.ok) return c.json({ error: body.error }, body.status);
    const json = body.json;
    const senml = format === 'senml';
    const parsed = senml ? parsers.senml(json, nowMillis()) : parsers.json(json, nowMillis());
    const path = senml ? 'senml' : 'json';
    if (!parsed.ok) {
      edge.refused(parsed.reason, path);
      return c.json({ error: parsed.message }, 400);
    }
    return ingestResponse(c, await edge.accept(scoped(c.get('key'), parsed.batch), path));
  });

  const write = requireRole('ingest');
  for (const path of ['/api/v1/write', '/write', '/api/v2/write']) {
    app.post(path, write, async (c) => {
      const precision = parsePrecision(c.req.query('precision'));
      if (precision === undefined) {
        return c.json(
          { error: `precision '${c.req.query('precision')}' is not one of ns, us, ms, s, m, h` },
          400,
        );
      }
      const body = await bodyLines(c, bodyLimitBytes);
      if (!body.ok) return c.json({ error: body.error }, body.status);
      const parsed = parsers.lineProtocol(body.pieces, precision, nowMillis());
      if (!parsed.ok) {
        edge.refused(parsed.reason, 'line_protocol');
        return c.json({ error: parsed.message }, 400);
      }
      return ingestResponse(c, await edge.accept(scoped(c.get('key'), parsed.batch), 'line_protocol'), {
        noContentWhenClean: true,
      });
    });
  }
  return app;
}

/**
 * How `/api/v1/readings` reads a body of this Content-Type: SenML for `application/senml+json`,
 * JSON for anything else that is not another SenML or a binary encoding (a client that sends no
 * type, or curl's form type, means JSON); undefined for SenML in CBOR or EXI and other CBOR. A
 * media type is case-insensitive; its parameters (`charset`) are ignored.
 */
export function readingsFormat(contentType: string | undefined): 'json' | 'senml' | undefined {
  const media = (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (media === 'application/senml+json') return 'senml';
  if (media.includes('senml') || media.endsWith('cbor') || media.endsWith('exi')) return undefined;
  return 'json';
}

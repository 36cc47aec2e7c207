import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { Reading } from '../../../core/readings/reading.ts';
import { readingsWhere } from '../../../core/readings/reading-batch.ts';
import type { BusEvent, MessageBus } from '../../../ports/bus.ts';
import type { Registry } from '../../../ports/registry.ts';
import type { AppEnv } from '../env.ts';
import { jsonBody } from '../json-body.ts';
import { requireRole } from '../middleware/auth.ts';
import { unknownParameters } from '../query-parameters.ts';
import { BoundedQueue } from './bounded-queue.ts';
import { passesEvent, passesReading, resolveStreamFilter } from './stream-filter.ts';
import {
  streamBody,
  streamFields,
  streamQuery,
  type RequestProblem,
  type StreamRequest,
} from './stream-request.ts';
import { defaultStreamLimits, StreamSlots, type StreamLimits } from './stream-slots.ts';

/** A client that falls further behind than this loses the oldest messages (memory stays bounded). */
const maxQueued = 10_000;
/** Events written to the socket at once. */
const maxPerWrite = 1_000;
/** A client that has taken nothing of one write for this long has stopped reading: it is cut off. */
export const defaultStallMillis = 60_000;
/** What a client refused for too many streams is told to wait before it tries again. */
const retryAfterSeconds = 10;

export interface StreamOptions {
  bus: MessageBus;
  registry: Registry;
  /** Aborted at server shutdown: ends every stream. */
  closing?: AbortSignal;
  limits?: StreamLimits;
  stallMillis?: number;
}

type Item = { event: 'reading'; data: Reading } | { event: 'event'; data: BusEvent };

/** Writes `text`; false when the client has not taken it within `stallMillis` (the write still pends). */
async function writeWithin(stream: SSEStreamingApi, text: string, stallMillis: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), stallMillis)));
  try {
    return await Promise.race([stream.write(text).then(() => true as const), stalled]);
  } finally {
    clearTimeout(timer);
  }
}

/** Closes the connection under a request at once, unsent data and all (on Node; elsewhere a no-op). */
function cutConnection(c: Context<AppEnv>): void {
  (c.env as Partial<HttpBindings> | undefined)?.outgoing?.destroy();
}

/**
 * `GET /api/v1/stream`: server-sent events `reading` and `event`, filtered by sensor, asset or bbox
 * (`stream-filter.ts`); `POST` takes the filter in a JSON body instead (`stream-request.ts`), for
 * sensor lists too long for a URL (Node refuses a request line and headers beyond its limit). At
 * most `limits` streams are open at once, in all and per key (429 with Retry-After beyond them); a
 * client that stops reading is cut off after `stallMillis`. Streams end when `closing` aborts
 * (server shutdown).
 */
export function streamRoutes(options: StreamOptions): Hono<AppEnv> {
  const { bus, registry, closing } = options;
  const slots = new StreamSlots(options.limits ?? defaultStreamLimits);
  const stallMillis = options.stallMillis ?? defaultStallMillis;
  const app = new Hono<AppEnv>();

  /** The stream `request` asks for, within the limits; or why there is none. */
  async function open(c: Context<AppEnv>, request: StreamRequest | RequestProblem): Promise<Response> {
    if ('error' in request) return c.json({ error: request.error }, request.status);
    // The slot is taken before the filter is resolved: resolving a long list reads the registry,
    // and a key may not run more of those at once than it may hold streams.
    const slot = slots.take(c.get('key').id);
    if (!slot.ok) {
      c.header('Retry-After', String(retryAfterSeconds));
      return c.json({ error: slot.error }, 429);
    }
    let filter: Awaited<ReturnType<typeof resolveStreamFilter>>;
    try {
      filter = await resolveStreamFilter(registry, request);
    } catch (error) {
      slot.release();
      throw error;
    }
    if ('error' in filter) {
      slot.release();
      return c.json({ error: filter.error }, filter.status);
    }
    // HEAD is answered as GET would be, without a stream left open to hold the slot.
    if (c.req.method === 'HEAD') {
      slot.release();
      return c.body(null, 200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    }
    return streamSSE(c, async (stream) => {
      const queue = new BoundedQueue<Item>(maxQueued);
      let wake: (() => void) | undefined;
      const readings = bus.subscribe('readings', (batch) => {
        for (const reading of readingsWhere(batch, (sensor) => passesReading(filter, sensor)))
          queue.push({ event: 'reading', data: reading });
        wake?.();
      });
      const events = bus.subscribe('events', (event) => {
        if (passesEvent(filter, event)) {
          queue.push({ event: 'event', data: event });
          wake?.();
        }
      });
      stream.onAbort(() => wake?.());
      const stop = () => {
        void stream.close();
        wake?.();
      };
      closing?.addEventListener('abort', stop);
      try {
        await stream.writeSSE({ event: 'ready', data: '{}' });
        while (!stream.aborted && !stream.closed && closing?.aborted !== true) {
          if (queue.size === 0) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
            continue;
          }
          // Everything queued goes out in one write: one event per reading on the wire, but not
          // one write (and one wait) per reading.
          let text = '';
          const dropped = queue.takeDropped();
          if (dropped > 0) text += `event: dropped\ndata: {"count":${dropped}}\n\n`;
          for (let n = 0; n < maxPerWrite; n++) {
            const item = queue.shift();
            if (item === undefined) break;
            text += `event: ${item.event}\ndata: ${JSON.stringify(item.data)}\n\n`;
          }
          if (!(await writeWithin(stream, text, stallMillis))) {
            // Its queue would stay full, dropping everything: the slot goes to a client that reads.
            stream.abort();
            cutConnection(c);
            break;
          }
        }
      } finally {
        closing?.removeEventListener('abort', stop);
        readings.unsubscribe();
        events.unsubscribe();
        slot.release();
      }
    });
  }

  app.get('/', requireRole('read'), async (c) => {
    const unknown = unknownParameters(c, streamFields);
    if (unknown !== undefined) return c.json({ error: unknown }, 400);
    return open(c, streamQuery(c.req.query()));
  });
  app.post('/', requireRole('read'), async (c) => {
    // A filter in the query would be ignored, and the stream carry more than was asked for.
    const unknown = unknownParameters(c, []);
    if (unknown !== undefined) return c.json({ error: `${unknown}; POST takes its filter in the body` }, 400);
    const body = await jsonBody(c);
    if (!body.ok) return c.json({ error: body.error }, 400);
    return open(c, streamBody(body.value));
  });
  return app;
}

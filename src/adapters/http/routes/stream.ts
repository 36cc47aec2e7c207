import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Reading } from '../../../core/readings/reading.ts';
import type { BusEvent, MessageBus } from '../../../ports/bus.ts';
import type { Registry } from '../../../ports/registry.ts';
import type { AppEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';
import { BoundedQueue } from './bounded-queue.ts';
import { passesEvent, passesReading, resolveStreamFilter } from './stream-filter.ts';

/** A client that falls further behind than this loses the oldest messages (memory stays bounded). */
const maxQueued = 10_000;
/** Events written to the socket at once. */
const maxPerWrite = 1_000;

type Item = { event: 'reading'; data: Reading } | { event: 'event'; data: BusEvent };

/**
 * `GET /api/v1/stream`: server-sent events `reading` and `event`, filtered by sensor, asset or bbox
 * (`stream-filter.ts`).
 * Streams end when `closing` aborts (server shutdown).
 */
export function streamRoutes(bus: MessageBus, registry: Registry, closing?: AbortSignal): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/', requireRole('read'), async (c) => {
    const filter = await resolveStreamFilter(registry, c.req.query());
    if ('error' in filter) return c.json({ error: filter.error }, filter.status);
    return streamSSE(c, async (stream) => {
      const queue = new BoundedQueue<Item>(maxQueued);
      let wake: (() => void) | undefined;
      const readings = bus.subscribe('readings', (batch) => {
        for (const reading of batch)
          if (passesReading(filter, reading.sensor)) queue.push({ event: 'reading', data: reading });
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
          await stream.write(text);
        }
      } finally {
        closing?.removeEventListener('abort', stop);
        readings.unsubscribe();
        events.unsubscribe();
      }
    });
  });
  return app;
}

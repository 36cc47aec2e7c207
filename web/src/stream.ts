import { errorText } from './api.ts';

export type StreamState = 'connecting' | 'live' | 'offline';

export interface LiveStream {
  close(): void;
}

/** The live stream, absolute so that a worker (whose base URL is its script) finds it too. */
const streamUrl = new URL('/api/v1/stream', location.origin).href;

/** The server refused the key: retrying cannot help. */
class Unauthorized extends Error {}

/**
 * Reads the platform's server-sent events with `fetch` so that the key travels in the
 * Authorization header (EventSource cannot send headers). Reconnects with backoff, except after a
 * 401: then it stops and calls `onUnauthorized` with the server's error text.
 */
export function openStream(
  headers: Record<string, string>,
  onEvent: (event: string, data: string) => void,
  onState: (state: StreamState) => void,
  onUnauthorized: (message: string) => void,
): LiveStream {
  let closed = false;
  let controller = new AbortController();
  let delayMillis = 500;

  async function connect(): Promise<void> {
    onState('connecting');
    const response = await fetch(streamUrl, { headers, signal: controller.signal });
    if (response.status === 401) throw new Unauthorized(await errorText(response));
    if (!response.ok || response.body === null) throw new Error(`stream answered ${response.status}`);
    onState('live');
    delayMillis = 500;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      // One pass over the chunk: events end at a blank line; the unfinished tail is kept.
      let start = 0;
      let end = buffer.indexOf('\n\n', start);
      while (end >= 0) {
        dispatch(buffer.slice(start, end), onEvent);
        start = end + 2;
        end = buffer.indexOf('\n\n', start);
      }
      buffer = buffer.slice(start);
    }
  }

  async function loop(): Promise<void> {
    while (!closed) {
      try {
        await connect();
      } catch (error) {
        if (error instanceof Unauthorized && !closed) {
          closed = true;
          onState('offline');
          onUnauthorized(error.message);
        }
        // otherwise fall through to the reconnect below
      }
      if (closed) break;
      onState('offline');
      await new Promise((resolve) => setTimeout(resolve, delayMillis));
      delayMillis = Math.min(10_000, delayMillis * 2);
      controller = new AbortController();
    }
  }

  void loop();
  return {
    close() {
      closed = true;
      controller.abort();
    },
  };
}

function dispatch(block: string, onEvent: (event: string, data: string) => void): void {
  // Fast path for what the platform sends: `event: <name>\ndata: <one line>`.
  if (block.startsWith('event: ')) {
    const newline = block.indexOf('\n');
    if (newline > 0 && block.startsWith('data: ', newline + 1) && block.indexOf('\n', newline + 1) < 0) {
      onEvent(block.slice(7, newline), block.slice(newline + 7));
      return;
    }
  }
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length > 0) onEvent(event, data.join('\n'));
}

import assert from 'node:assert/strict';
import { maxHeaderSize, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { headerOverflowError } from './client-errors.ts';
import { keepAliveTimeoutMillis, listen } from './server.ts';

const limits = { maxConnections: 3, headersTimeoutMillis: 1_000, requestTimeoutMillis: 1_500 };

function testApp(): Hono {
  const app = new Hono();
  app.get('/', (c) => c.text('ok'));
  app.post('/', async (c) => c.text(await c.req.text()));
  // A body cut off by the deadline fails to read: not worth a log line here.
  app.onError((_error, c) => c.text('aborted', 500));
  // Ticks every 100 ms for 3 s: twice the request deadline.
  app.get('/ticks', (c) =>
    streamSSE(c, async (stream) => {
      for (let tick = 0; tick < 30 && !stream.aborted; tick += 1) {
        await stream.writeSSE({ event: 'tick', data: String(tick) });
        await stream.sleep(100);
      }
    }),
  );
  return app;
}

async function withServer(run: (server: Server, port: number) => Promise<void>): Promise<void> {
  const server = await listen(testApp().fetch, { host: '127.0.0.1', port: 0, ...limits });
  try {
    await run(server, (server.address() as AddressInfo).port);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Opens a socket, writes `text`, and resolves with what the server sent until it closed, and when. */
async function rawExchange(port: number, text: string): Promise<{ reply: string; afterMillis: number }> {
  const started = Date.now();
  const socket = connect(port, '127.0.0.1');
  let reply = '';
  socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
  socket.on('error', () => undefined);
  socket.write(text);
  await new Promise((resolve) => socket.once('close', resolve));
  return { reply, afterMillis: Date.now() - started };
}

void test('the server carries the configured deadlines and connection cap', async () => {
  await withServer(async (server) => {
    assert.equal(server.headersTimeout, limits.headersTimeoutMillis);
    assert.equal(server.requestTimeout, limits.requestTimeoutMillis);
    assert.equal(server.keepAliveTimeout, keepAliveTimeoutMillis);
    assert.equal(server.maxConnections, limits.maxConnections);
  });
});

void test('a client that does not finish its headers gets 408 soon after the header deadline', async () => {
  await withServer(async (_server, port) => {
    // Regression: Node's default checks deadlines every 30 s, so the 408 came after 72 s.
    const { reply, afterMillis } = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n');
    assert.match(reply, /^HTTP\/1\.1 408/);
    assert.ok(afterMillis >= 900 && afterMillis < 3_000, `408 after ${afterMillis} ms`);
  });
});

void test('a client that does not finish its body gets 408 after the request deadline', async () => {
  await withServer(async (_server, port) => {
    const { reply, afterMillis } = await rawExchange(
      port,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nnot all',
    );
    assert.match(reply, /^HTTP\/1\.1 408/);
    assert.ok(afterMillis >= 1_400 && afterMillis < 4_000, `408 after ${afterMillis} ms`);
  });
});

void test('a live stream is not cut by the request deadline', async () => {
  await withServer(async (_server, port) => {
    const response = await fetch(`http://127.0.0.1:${port}/ticks`);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    // All 30 ticks arrived, the last about 3 s after the request: twice the request deadline.
    assert.match(text, /event: tick\ndata: 29\n/);
  });
});

void test('connections beyond maxConnections are closed as they arrive; the others are served', async () => {
  await withServer(async (_server, port) => {
    const open: Socket[] = [];
    for (let index = 0; index < limits.maxConnections; index += 1) {
      const socket = connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      open.push(socket);
    }
    // Let the server accept them before the one too many arrives.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { reply, afterMillis } = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(reply, '', 'the connection over the cap is closed unanswered');
    assert.ok(afterMillis < 500);
    const first = open[0]!;
    let answer = '';
    first.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    first.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await new Promise((resolve) => first.once('close', resolve));
    assert.match(answer, /^HTTP\/1\.1 200[\s\S]*ok$/);
    for (const socket of open) socket.destroy();
  });
});

void test("a request line and headers over Node's limit get 431 with a JSON error saying where long lists go; bug: a bare 431", async () => {
  await withServer(async (_server, port) => {
    const response = await fetch(`http://127.0.0.1:${port}/?sensor=${'s,'.repeat(maxHeaderSize / 2)}`);
    assert.equal(response.status, 431);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(await response.json(), { error: headerOverflowError });
    assert.match(
      headerOverflowError,
      new RegExp(
        `limit of ${maxHeaderSize} bytes; send long sensor lists in a POST body: POST /api/v1/stream`,
      ),
    );
  });
});

void test("other requests the parser refuses still get Node's own bare answer", async () => {
  await withServer(async (_server, port) => {
    const { reply } = await rawExchange(port, 'GET / HTTP/1.1\r\nHost x\r\n\r\n');
    assert.equal(reply, 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
});

void test('oversize headers after a response has begun on the connection close it without writing into that response', async () => {
  await withServer(async (_server, port) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
    socket.on('error', () => undefined);
    socket.write('GET /ticks HTTP/1.1\r\nHost: x\r\n\r\n');
    while (!reply.includes('event: tick')) await new Promise((resolve) => setTimeout(resolve, 10));
    socket.write(`GET /?sensor=${'s,'.repeat(maxHeaderSize / 2)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await new Promise((resolve) => socket.once('close', resolve));
    assert.match(reply, /^HTTP\/1\.1 200/);
    assert.doesNotMatch(reply, /431/);
  });
});

void test('a header deadline later than the request deadline is refused', () => {
  assert.throws(
    () =>
      listen(testApp().fetch, {
        host: '127.0.0.1',
        port: 0,
        maxConnections: 1,
        headersTimeoutMillis: 5_000,
        requestTimeoutMillis: 1_000,
      }),
    /headersTimeoutMillis \(5000\) must not exceed requestTimeoutMillis \(1000\)/,
  );
});

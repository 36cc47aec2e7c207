import assert from 'node:assert/strict';
import { maxHeaderSize, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { listen } from '../src/adapters/http/server.ts';
import { httpFixture } from './support/http-fixture.ts';

const t0 = Date.UTC(2025, 11, 31, 23, 0);
const limits = { maxConnections: 10, headersTimeoutMillis: 1_000, requestTimeoutMillis: 2_000 };
/** 3,000 ids of 28 characters: about 87 KB in a URL, over five times Node's 16 KiB header limit. */
const sensors = Array.from(
  { length: 3_000 },
  (_, index) => `district-7.pump-${String(index).padStart(4, '0')}.rpm`,
);

type Fixture = Awaited<ReturnType<typeof httpFixture>>;

/** The fixture's app behind a real HTTP server on 127.0.0.1. */
async function withServer(f: Fixture, run: (base: string) => Promise<void>): Promise<void> {
  const server: Server = await listen(f.app.fetch, { host: '127.0.0.1', port: 0, ...limits });
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Reads an event stream until `until` is in it. */
async function readUntil(
  reader: ReadableStreamDefaultReader<string>,
  until: string,
  text = '',
): Promise<string> {
  while (!text.includes(until)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before '${until}': ${text}`);
    text += value;
  }
  return text;
}

async function error(response: Response): Promise<[number, string]> {
  return [response.status, ((await response.json()) as { error: string }).error];
}

void test('POST /api/v1/stream streams the readings of 3,000 sensors named in its body', async () => {
  const f = await httpFixture();
  await withServer(f, async (base) => {
    const response = await fetch(`${base}/api/v1/stream`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${f.secrets.viewer}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ sensor: [...sensors, 'cpu.value,host=h'] }),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = await readUntil(reader, 'event: ready');
    await f.post('device', '/api/v1/readings', [
      { sensor: 'other', ts: t0, value: 1 },
      { sensor: sensors[0], ts: t0, value: 2 },
      { sensor: sensors[2_999], ts: t0, value: 3 },
    ]);
    await f.post('device', '/api/v1/write?precision=ms', `cpu,host=h value=4 ${t0}`, 'text/plain');
    text = await readUntil(reader, '"value":4', text);
    for (const [sensor, value] of [
      [sensors[0], 2],
      [sensors[2_999], 3],
      ['cpu.value,host=h', 4],
    ])
      assert.ok(text.includes(`data: ${JSON.stringify({ sensor, ts: t0, value })}\n`), `${sensor}: ${text}`);
    assert.doesNotMatch(text, /"other"/);
    await reader.cancel();
  });
});

void test("GET /api/v1/stream naming 3,000 sensors in its URL gets 431 with a JSON error pointing to the POST form; bug: Node's bare 431", async () => {
  const f = await httpFixture();
  await withServer(f, async (base) => {
    const response = await fetch(`${base}/api/v1/stream?sensor=${sensors.join(',')}`, {
      headers: { Authorization: `Bearer ${f.secrets.viewer}` },
    });
    const [status, message] = await error(response);
    assert.equal(status, 431);
    assert.match(
      message,
      new RegExp(`^the request line and headers exceed Node's limit of ${maxHeaderSize} bytes; `),
    );
    assert.match(message, /POST \/api\/v1\/stream, POST \/api\/v1\/latest$/);
  });
});

void test('a refused stream body gets 400 naming what is wrong, before any stream opens', async () => {
  const f = await httpFixture();
  const cases: [unknown, RegExp][] = [
    ['{"sensor": [', /^body is not valid JSON: /],
    [`${'['.repeat(100)}${']'.repeat(100)}`, /^body is nested deeper than 64 levels$/],
    [{ sensor: 'a,b' }, /^body must be \{"sensor"\?: \[string, \.\.\.\], .*; sensor is "a,b"$/],
    [{ sensor: ['a', null] }, /^sensor\[1\] is null; each id must be a string$/],
    [{ sensors: ['a'] }, /; 'sensors' is not a field \(did you mean 'sensor'\?\)$/],
    [{ sensor: [] }, /^sensor=\[\] names no sensor$/],
    [{ bbox: '1,2,3' }, /^bbox='1,2,3' must be minLon,minLat,maxLon,maxLat in degrees: it has 3 parts$/],
    [{ asset: '' }, /^asset='' names no asset$/],
  ];
  for (const [body, message] of cases) {
    const [status, text] = await error(await f.post('viewer', '/api/v1/stream', body));
    assert.equal(status, 400, JSON.stringify(body));
    assert.match(text, message);
  }
  assert.deepEqual(await error(await f.post('viewer', '/api/v1/stream', { asset: 'nope' })), [
    404,
    "no asset 'nope'",
  ]);
  assert.deepEqual(await error(await f.post('viewer', '/api/v1/stream?sensor=a', {})), [
    400,
    "unknown parameter 'sensor': it takes none; POST takes its filter in the body",
  ]);
  assert.equal(f.bus.subscriberCount('readings'), 0);
});

void test('the POST stream takes the limits and roles of the GET one; its path answers GET, HEAD and POST', async () => {
  const f = await httpFixture({ streams: { maxTotal: 10, maxPerKey: 1 }, bodyLimitBytes: 64 * 1024 });
  assert.equal((await f.post('device', '/api/v1/stream', {})).status, 403);
  const open = await f.post('viewer', '/api/v1/stream', { sensor: ['a'] });
  assert.equal(open.status, 200);
  const refused = await f.post('viewer', '/api/v1/stream', { sensor: ['b'] });
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get('retry-after'), '10');
  assert.match((await error(refused))[1], /--max-streams-per-key/);
  await open.body!.cancel();
  const [status] = await error(
    await f.post('operator', '/api/v1/stream', { sensor: sensors.concat(sensors) }),
  );
  assert.equal(status, 413, 'a body over --body-limit-bytes');
  const other = await f.request('viewer', '/api/v1/stream', { method: 'PUT' });
  assert.equal(other.status, 405);
  assert.equal(other.headers.get('allow'), 'GET, HEAD, POST');
});

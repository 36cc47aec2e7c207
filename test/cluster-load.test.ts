import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { LoadRefused, runLoad } from '../scripts/cluster/load.ts';

/** An ingest stand-in answering each POST with the next status of `statuses` (the last one repeated). */
async function ingestAnswering(statuses: number[]) {
  let calls = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const status = statuses[Math.min(calls, statuses.length - 1)]!;
      calls += 1;
      response.writeHead(status, { 'content-type': 'application/json' }).end('{"error":"invalid key"}');
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, calls: () => calls, close: () => new Promise((resolveClose) => server.close(resolveClose)) };
}

const stream = { key: 'k', prefix: 's', sensors: 10, startMillis: 0, stepMillis: 1_000, batchReadings: 10 };

test('a load refused for good (401) stops with the answer instead of re-sending it for ever', async () => {
  // Regression: every non-2xx was re-sent, so a wrong key hung the benchmark and the fault test.
  const ingest = await ingestAnswering([401]);
  try {
    await assert.rejects(
      runLoad({ ...stream, urls: [ingest.url], concurrency: 2, totalReadings: 100 }),
      (error: unknown) =>
        error instanceof LoadRefused &&
        error.message === `${ingest.url}/api/v1/readings answered 401: {"error":"invalid key"}`,
    );
    assert.ok(ingest.calls() <= 2, `${ingest.calls()} batches were sent`);
  } finally {
    await ingest.close();
  }
});

test('overload (429) and unavailability (503) are sent again until acknowledged', async () => {
  const ingest = await ingestAnswering([429, 503, 200]);
  try {
    const result = await runLoad({ ...stream, urls: [ingest.url], concurrency: 1, totalReadings: 20 });
    assert.equal(result.acknowledged, 20);
    assert.equal(result.retries, 2);
  } finally {
    await ingest.close();
  }
});

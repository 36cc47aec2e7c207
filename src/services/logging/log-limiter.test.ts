import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogLimiter } from './log-limiter.ts';

function limiter(windowMillis = 60_000) {
  const lines: string[] = [];
  let now = 0;
  const limited = new LogLimiter({ log: (line) => lines.push(line), windowMillis, clock: () => now });
  return { limited, lines, advance: (millis: number) => (now += millis) };
}

test('a failure repeated by 16 shards every second is one line, then one summary per window', () => {
  // Regression: a ClickHouse outage logged one line per shard per retry (1,650 per processor in 35 s).
  const { limited, lines, advance } = limiter();
  for (let second = 0; second < 35; second += 1) {
    for (let shard = 0; shard < 16; shard += 1)
      limited.write('storing readings: Error: connect ECONNREFUSED 127.0.0.1:20123', `shard ${shard}`);
    advance(1_000);
  }
  assert.deepEqual(lines, ['shard 0: storing readings: Error: connect ECONNREFUSED 127.0.0.1:20123']);
  advance(30_000);
  limited.flush();
  assert.equal(lines.length, 2);
  assert.equal(
    lines[1],
    'repeated 559 more times in 65 s from shard 0, shard 1, shard 2, shard 3, shard 4, shard 5 and 10 more: ' +
      'storing readings: Error: connect ECONNREFUSED 127.0.0.1:20123',
  );
  limited.flush();
  assert.equal(lines.length, 2, 'a summary is written once');
});

test('different messages are written each, and one recurring after its window is written again', () => {
  const { limited, lines, advance } = limiter(10_000);
  limited.write('a');
  limited.write('b');
  limited.write('a');
  advance(10_000);
  limited.write('a');
  assert.deepEqual(lines, ['a', 'b', 'repeated 1 more time in 10 s: a', 'a']);
});

test('a message seen once is not summed up, and stop() writes what is still held', () => {
  const { limited, lines, advance } = limiter();
  limited.write('once');
  advance(120_000);
  limited.flush();
  assert.deepEqual(lines, ['once']);
  limited.write('twice');
  limited.write('twice');
  limited.stop();
  assert.deepEqual(lines, ['once', 'twice', 'repeated 1 more time in 0 s: twice']);
});

test('past maxMessages the oldest message is summed up and forgotten', () => {
  const lines: string[] = [];
  const limited = new LogLimiter({
    log: (line) => lines.push(line),
    windowMillis: 60_000,
    maxMessages: 2,
    clock: () => 0,
  });
  limited.write('a');
  limited.write('a');
  limited.write('b');
  limited.write('c');
  assert.deepEqual(lines, ['a', 'b', 'repeated 1 more time in 0 s: a', 'c']);
});

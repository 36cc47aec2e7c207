import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readPatiently, Unanswered } from './unanswered.ts';

const never = (): Promise<string> => new Promise<string>(() => undefined);

test('a read without an answer is sent again, and the answer to a later one is taken', async () => {
  let sent = 0;
  const began = performance.now();
  const answer = await readPatiently(
    'piece',
    () => {
      sent += 1;
      return sent < 3 ? never() : Promise.resolve('bytes');
    },
    { timeoutMillis: 50, attempts: 5 },
  );
  assert.equal(answer, 'bytes');
  assert.equal(sent, 3);
  // Two reads waited their 50 ms; not the client's whole timeout.
  assert.ok(performance.now() - began < 1_000);
});

test("a client's own timeout counts as no answer", async () => {
  let sent = 0;
  const answer = await readPatiently(
    'piece',
    () => {
      sent += 1;
      return sent === 1
        ? Promise.reject(Object.assign(new Error('TIMEOUT'), { code: 'TIMEOUT' }))
        : Promise.resolve(7);
    },
    { timeoutMillis: 1_000, attempts: 2 },
  );
  assert.equal(answer, 7);
  assert.equal(sent, 2);
});

test('any other failure is thrown at once, without sending the read again', async () => {
  let sent = 0;
  await assert.rejects(
    readPatiently(
      'piece',
      () => {
        sent += 1;
        return Promise.reject(new Error('stream not found'));
      },
      { timeoutMillis: 1_000, attempts: 5 },
    ),
    /stream not found/,
  );
  assert.equal(sent, 1);
});

test('it gives up after the last attempt, naming what was read', async () => {
  let sent = 0;
  const failure = await readPatiently(
    'shard 3 base',
    () => {
      sent += 1;
      return never();
    },
    { timeoutMillis: 20, attempts: 3 },
  ).catch((error: unknown) => error);
  assert.ok(failure instanceof Unanswered);
  assert.match(String(failure), /shard 3 base: no answer within 20 ms, 3 times/);
  assert.equal(sent, 3);
});

test('a late rejection of an abandoned read is not left unhandled', async () => {
  let unhandled = 0;
  const count = (): void => {
    unhandled += 1;
  };
  process.on('unhandledRejection', count);
  try {
    let sent = 0;
    const answer = await readPatiently(
      'piece',
      () => {
        sent += 1;
        if (sent > 1) return Promise.resolve('ok');
        return new Promise<string>((_, reject) => setTimeout(() => reject(new Error('late')), 60));
      },
      { timeoutMillis: 20, attempts: 2 },
    );
    assert.equal(answer, 'ok');
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(unhandled, 0);
  } finally {
    process.off('unhandledRejection', count);
  }
});

test('patience is checked', async () => {
  await assert.rejects(
    readPatiently('x', () => Promise.resolve(1), { timeoutMillis: 0, attempts: 1 }),
    RangeError,
  );
  await assert.rejects(
    readPatiently('x', () => Promise.resolve(1), { timeoutMillis: 10, attempts: 0 }),
    RangeError,
  );
});

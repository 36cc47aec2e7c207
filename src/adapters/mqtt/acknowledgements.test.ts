import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Acknowledgements, pubackBytes, type AckStream } from './acknowledgements.ts';
import type { Settled } from './coalescer.ts';

class FakeStream implements AckStream {
  destroyed = false;
  readonly written: number[] = [];
  write(bytes: Uint8Array): void {
    assert.deepEqual([...bytes.subarray(0, 2)], [0x40, 2]);
    this.written.push((bytes[2]! << 8) | bytes[3]!);
  }
  destroy(): void {
    this.destroyed = true;
  }
}

function deferred() {
  let resolve!: (settled: Settled) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<Settled>((yes, no) => ((resolve = yes), (reject = no)));
  return { promise, resolve, reject };
}

void test('a PUBACK carries the packet identifier, high byte first', () => {
  assert.deepEqual([...pubackBytes(0x1234)], [0x40, 2, 0x12, 0x34]);
});

void test('PUBACKs go out in the order the messages came, each once its readings are durable', async () => {
  const stream = new FakeStream();
  const acknowledgements = new Acknowledgements();
  const [first, second] = [deferred(), deferred()];
  acknowledgements.add(stream, 1, first.promise);
  acknowledgements.add(stream, 2, second.promise);
  second.resolve('stored');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(stream.written, [], 'the second waits for the first');
  first.resolve('stored');
  await acknowledgements.settled();
  assert.deepEqual(stream.written, [1, 2]);
});

void test('a message not stored because the server stops gets no PUBACK; the others still do', async () => {
  const stream = new FakeStream();
  const acknowledgements = new Acknowledgements();
  acknowledgements.add(stream, 1, Promise.resolve('shutting-down'));
  acknowledgements.add(stream, 2, Promise.resolve('stored'));
  await acknowledgements.settled();
  assert.deepEqual(stream.written, [2]);
  assert.equal(stream.destroyed, false);
});

void test('a failed store write closes the connection, so the broker sends the unacknowledged messages again', async () => {
  const stream = new FakeStream();
  const acknowledgements = new Acknowledgements();
  acknowledgements.add(stream, 1, Promise.reject(new Error('disk full')));
  acknowledgements.add(stream, 2, Promise.resolve('stored'));
  await acknowledgements.settled();
  assert.equal(stream.destroyed, true);
  assert.deepEqual(stream.written, [], 'nothing is written to a closed connection');
});

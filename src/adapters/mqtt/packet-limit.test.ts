import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacketMeter } from './packet-limit.ts';

/** A packet's fixed header: type byte, then the remaining length in 7-bit groups. */
function header(type: number, length: number): number[] {
  const bytes = [type];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return bytes;
}

function packet(type: number, length: number): Uint8Array {
  return Uint8Array.from([...header(type, length), ...new Array<number>(length).fill(7)]);
}

void test('packets up to the limit pass, in whole or split anywhere, header bytes included', () => {
  const stream = Uint8Array.from([...packet(0x10, 200), ...packet(0xc0, 0), ...packet(0x30, 1000)]);
  assert.equal(new PacketMeter(() => 1000).feed(stream), true);
  for (let cut = 1; cut < stream.length; cut += 37) {
    const meter = new PacketMeter(() => 1000);
    assert.equal(meter.feed(stream.subarray(0, cut)) && meter.feed(stream.subarray(cut)), true, `cut ${cut}`);
  }
});

void test('a packet announcing more than the limit is refused from its header, before its body', () => {
  // Regression: a CONNECT announcing 250 MiB was buffered whole before any key check.
  const meter = new PacketMeter(() => 64 * 1024);
  assert.equal(meter.feed(Uint8Array.from(header(0x10, 250 * 1024 * 1024))), false);
  const split = new PacketMeter(() => 200);
  const announced = header(0x30, 201);
  assert.equal(announced.length, 3);
  assert.equal(split.feed(Uint8Array.from(announced.slice(0, 2))), true);
  assert.equal(split.feed(Uint8Array.from(announced.slice(2))), false);
});

void test('the limit is asked again for each packet, so it may rise after login', () => {
  let limit = 10;
  const meter = new PacketMeter(() => limit);
  assert.equal(meter.feed(packet(0x10, 10)), true);
  limit = 500;
  assert.equal(meter.feed(packet(0x30, 400)), true);
});

void test('a remaining length longer than four bytes is refused', () => {
  assert.equal(
    new PacketMeter(() => Infinity).feed(Uint8Array.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])),
    false,
  );
});

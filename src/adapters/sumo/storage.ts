import { valueType } from './constants.ts';

/** A decoded TraCI value: numbers, strings, lists and compounds (nested arrays). */
export type TraciValue = number | string | readonly string[] | readonly number[] | readonly TraciValue[];

/** Appends big-endian TraCI primitives; `toBuffer()` returns the bytes written. */
export class Writer {
  private buffer = Buffer.alloc(256);
  private length = 0;

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  get size(): number {
    return this.length;
  }

  ubyte(value: number): this {
    this.reserve(1);
    this.buffer.writeUInt8(value, this.length);
    this.length += 1;
    return this;
  }

  int(value: number): this {
    this.reserve(4);
    this.buffer.writeInt32BE(value, this.length);
    this.length += 4;
    return this;
  }

  double(value: number): this {
    this.reserve(8);
    this.buffer.writeDoubleBE(value, this.length);
    this.length += 8;
    return this;
  }

  /** Length-prefixed Latin-1 string (no type byte). */
  string(value: string): this {
    const bytes = Buffer.from(value, 'latin1');
    this.int(bytes.length);
    this.bytes(bytes);
    return this;
  }

  bytes(value: Uint8Array): this {
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  typedInt(value: number): this {
    return this.ubyte(valueType.integer).int(value);
  }

  typedDouble(value: number): this {
    return this.ubyte(valueType.double).double(value);
  }

  typedString(value: string): this {
    return this.ubyte(valueType.string).string(value);
  }

  typedStringList(values: readonly string[]): this {
    this.ubyte(valueType.stringList).int(values.length);
    for (const value of values) this.string(value);
    return this;
  }

  compound(itemCount: number): this {
    return this.ubyte(valueType.compound).int(itemCount);
  }

  toBuffer(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/** Reads big-endian TraCI primitives from a buffer, front to back. */
export class Reader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  get position(): number {
    return this.offset;
  }

  skip(bytes: number): void {
    this.ensure(bytes);
    this.offset += bytes;
  }

  private ensure(bytes: number): void {
    if (this.offset + bytes > this.buffer.length) {
      throw new Error(
        `TraCI message truncated: need ${bytes} bytes at offset ${this.offset} of ${this.buffer.length}`,
      );
    }
  }

  ubyte(): number {
    this.ensure(1);
    const value = this.buffer.readUInt8(this.offset);
    this.offset += 1;
    return value;
  }

  int(): number {
    this.ensure(4);
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  double(): number {
    this.ensure(8);
    const value = this.buffer.readDoubleBE(this.offset);
    this.offset += 8;
    return value;
  }

  string(): string {
    const length = this.int();
    this.ensure(length);
    const value = this.buffer.toString('latin1', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  stringList(): string[] {
    const count = this.int();
    const values: string[] = [];
    for (let i = 0; i < count; i += 1) values.push(this.string());
    return values;
  }

  /** Reads a command length: one byte, or 0 followed by a 32-bit length. Returns the whole command length. */
  commandLength(): number {
    const short = this.ubyte();
    return short > 0 ? short : this.int();
  }

  /** Reads a type byte and the value it announces; compounds decode recursively. */
  typed(): TraciValue {
    return this.value(this.ubyte());
  }

  value(type: number): TraciValue {
    switch (type) {
      case valueType.ubyte:
        return this.ubyte();
      case valueType.byte: {
        const value = this.ubyte();
        return value > 127 ? value - 256 : value;
      }
      case valueType.integer:
        return this.int();
      case valueType.double:
        return this.double();
      case valueType.string:
        return this.string();
      case valueType.stringList:
        return this.stringList();
      case valueType.doubleList: {
        const count = this.int();
        const values: number[] = [];
        for (let i = 0; i < count; i += 1) values.push(this.double());
        return values;
      }
      case valueType.position2d:
        return [this.double(), this.double()];
      case valueType.color:
        return [this.ubyte(), this.ubyte(), this.ubyte(), this.ubyte()];
      case valueType.compound: {
        const count = this.int();
        const items: TraciValue[] = [];
        for (let i = 0; i < count; i += 1) items.push(this.typed());
        return items;
      }
      default:
        throw new Error(`unsupported TraCI value type 0x${type.toString(16)} at offset ${this.offset - 1}`);
    }
  }
}

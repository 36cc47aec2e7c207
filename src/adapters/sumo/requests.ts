import { command, responseOffset, valueType } from './constants.ts';
import type { TraciRequest } from './connection.ts';
import { Writer } from './storage.ts';
import type { Reader, TraciValue } from './storage.ts';

/** Builds a get-variable command (`CMD_GET_<DOMAIN>_VARIABLE`) whose answer `decode` turns into a value. */
export function getRequest<T>(
  domain: number,
  variableId: number,
  objectId: string,
  decode: (reader: Reader) => T,
  parameters?: Writer,
): TraciRequest<T> {
  const content = new Writer().ubyte(variableId).string(objectId);
  if (parameters) content.bytes(parameters.toBuffer());
  return {
    id: domain,
    content: content.toBuffer(),
    read(reader) {
      reader.commandLength();
      const responseId = reader.ubyte();
      const answeredVariable = reader.ubyte();
      const answeredObject = reader.string();
      if (
        responseId !== domain + responseOffset ||
        answeredVariable !== variableId ||
        answeredObject !== objectId
      ) {
        throw new Error(
          `TraCI get answer 0x${responseId.toString(16)}/0x${answeredVariable.toString(16)}/${answeredObject} ` +
            `does not match request 0x${domain.toString(16)}/0x${variableId.toString(16)}/${objectId}`,
        );
      }
      return decode(reader);
    },
  };
}

/** Builds a set-variable command; `value` holds the typed value bytes. */
export function setRequest(
  domain: number,
  variableId: number,
  objectId: string,
  value: Writer,
): TraciRequest<void> {
  const content = new Writer().ubyte(variableId).string(objectId).bytes(value.toBuffer());
  return { id: domain, content: content.toBuffer(), read: () => undefined };
}

function expectType(reader: Reader, expected: number): void {
  const type = reader.ubyte();
  if (type !== expected) {
    throw new Error(
      `TraCI value of type 0x${type.toString(16)} where 0x${expected.toString(16)} was expected`,
    );
  }
}

export function decodeInt(reader: Reader): number {
  expectType(reader, valueType.integer);
  return reader.int();
}

export function decodeDouble(reader: Reader): number {
  expectType(reader, valueType.double);
  return reader.double();
}

export function decodeString(reader: Reader): string {
  expectType(reader, valueType.string);
  return reader.string();
}

export function decodeStringList(reader: Reader): string[] {
  expectType(reader, valueType.stringList);
  return reader.stringList();
}

export function decodeAny(reader: Reader): TraciValue {
  return reader.typed();
}

/** Subscription answer for one object: variable id -> value. */
export interface SubscriptionResult {
  readonly responseId: number;
  readonly objectId: string;
  readonly values: ReadonlyMap<number, TraciValue>;
}

/** Reads one variable-subscription answer (`RESPONSE_SUBSCRIBE_<DOMAIN>_VARIABLE`). */
export function readSubscription(reader: Reader): SubscriptionResult {
  reader.commandLength();
  const responseId = reader.ubyte();
  const objectId = reader.string();
  const variableCount = reader.ubyte();
  const values = new Map<number, TraciValue>();
  for (let i = 0; i < variableCount; i += 1) {
    const variableId = reader.ubyte();
    const variableStatus = reader.ubyte();
    const value = reader.typed();
    if (variableStatus !== 0) {
      throw new Error(
        `TraCI subscription of 0x${variableId.toString(16)} for ${objectId} failed: ${String(value)}`,
      );
    }
    values.set(variableId, value);
  }
  return { responseId, objectId, values };
}

/** `CMD_SIMSTEP` to `targetSeconds` (0 = one step); answers with all subscription results. */
export function stepRequest(targetSeconds: number): TraciRequest<SubscriptionResult[]> {
  return {
    id: command.simulationStep,
    content: new Writer().double(targetSeconds).toBuffer(),
    read(reader) {
      const count = reader.int();
      const results: SubscriptionResult[] = [];
      for (let i = 0; i < count; i += 1) results.push(readSubscription(reader));
      return results;
    },
  };
}

/** Variable subscription for one object over [beginSeconds, endSeconds]; answers with the first values. */
export function subscribeRequest(
  subscribeCommand: number,
  objectId: string,
  variableIds: readonly number[],
  beginSeconds = 0,
  endSeconds = 2 ** 31 - 1,
): TraciRequest<SubscriptionResult | undefined> {
  const content = new Writer()
    .double(beginSeconds)
    .double(endSeconds)
    .string(objectId)
    .ubyte(variableIds.length);
  for (const variableId of variableIds) content.ubyte(variableId);
  return {
    id: subscribeCommand,
    content: content.toBuffer(),
    read: (reader) => (variableIds.length > 0 ? readSubscription(reader) : undefined),
  };
}

import { valueType } from './constants.ts';
import type { Reader, TraciValue } from './storage.ts';

/** A phase of a traffic-light program as SUMO reports it (durations in seconds). */
export interface ProgramPhase {
  readonly durationSeconds: number;
  /** One character per link index: r, y, g, G, s, u, o, O. */
  readonly state: string;
  readonly minDurationSeconds: number;
  readonly maxDurationSeconds: number;
  readonly next: readonly number[];
  readonly name: string;
}

/** A traffic-light program ("logic"); `type` is 0 static, 3 actuated, 4 delay based. */
export interface ProgramLogic {
  readonly programId: string;
  readonly type: number;
  readonly currentPhaseIndex: number;
  readonly phases: readonly ProgramPhase[];
  readonly parameters: ReadonlyMap<string, string>;
}

/** One controlled link: incoming lane, outgoing lane, internal (via) lane. */
export interface ControlledLink {
  readonly fromLane: string;
  readonly toLane: string;
  readonly viaLane: string;
}

/**
 * Decodes TL_CONTROLLED_LINKS: a compound holding the signal count, then per signal (link index)
 * the number of links and each link as a string list [from, to, via].
 */
export function decodeControlledLinks(reader: Reader): ControlledLink[][] {
  expect(reader.ubyte(), valueType.compound);
  reader.int();
  expect(reader.ubyte(), valueType.integer);
  const signalCount = reader.int();
  const signals: ControlledLink[][] = [];
  for (let signal = 0; signal < signalCount; signal += 1) {
    expect(reader.ubyte(), valueType.integer);
    const linkCount = reader.int();
    const links: ControlledLink[] = [];
    for (let link = 0; link < linkCount; link += 1) {
      expect(reader.ubyte(), valueType.stringList);
      const [fromLane = '', toLane = '', viaLane = ''] = reader.stringList();
      links.push({ fromLane, toLane, viaLane });
    }
    signals.push(links);
  }
  return signals;
}

/** Decodes TL_COMPLETE_DEFINITION_RYG (all programs of a traffic light). */
export function decodeLogics(reader: Reader): ProgramLogic[] {
  const value = reader.typed();
  return list(value).map(toLogic);
}

function toLogic(value: TraciValue): ProgramLogic {
  const [programId, type, currentPhaseIndex, phases, parameters] = list(value);
  return {
    programId: String(programId),
    type: Number(type),
    currentPhaseIndex: Number(currentPhaseIndex),
    phases: list(phases ?? []).map(toPhase),
    parameters: new Map(
      list(parameters ?? []).map((pair) => {
        const [key = '', text = ''] = list(pair).map(String);
        return [key, text] as const;
      }),
    ),
  };
}

function toPhase(value: TraciValue): ProgramPhase {
  const [duration, state, minDuration, maxDuration, next, name] = list(value);
  return {
    durationSeconds: Number(duration),
    state: String(state),
    minDurationSeconds: Number(minDuration),
    maxDurationSeconds: Number(maxDuration),
    next: list(next ?? []).map(Number),
    name: String(name ?? ''),
  };
}

function list(value: TraciValue): readonly TraciValue[] {
  if (!Array.isArray(value)) throw new Error(`TraCI compound expected, got ${String(value)}`);
  return value as readonly TraciValue[];
}

function expect(actual: number, expected: number): void {
  if (actual !== expected) {
    throw new Error(
      `TraCI value of type 0x${actual.toString(16)} where 0x${expected.toString(16)} was expected`,
    );
  }
}

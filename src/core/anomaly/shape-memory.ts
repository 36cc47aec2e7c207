import type { SlabViews } from './state-slab.ts';

/**
 * A small memory of recent-window shapes (adaptive-resonance style). Each reading, the last
 * WINDOW_POINTS values, averaged in SHAPE_DIMENSIONS groups and expressed in standard deviations
 * from the running mean, form a shape vector. Its distance to the nearest remembered prototype is
 * the novelty. A shape farther than the vigilance from every prototype becomes a new prototype
 * (replacing the least recently used); otherwise the nearest prototype moves towards it.
 */
export const WINDOW_POINTS = 24;
export const SHAPE_DIMENSIONS = 6;
export const PROTOTYPES = 24;
const GROUP = WINDOW_POINTS / SHAPE_DIMENSIONS;
const VIGILANCE_SIGMAS = 1;
const CLIP_SIGMAS = 10;
const MIN_LEARNING_RATE = 0.02;
/** Counts saturate here; only counts below 1 / MIN_LEARNING_RATE change the learning rate. */
const MAX_COUNT = 255;
/** Prototypes are kept as Int16 fixed point: units of CLIP_SIGMAS / 32767 (0.0003σ). */
const FIXED_POINT = 32767 / CLIP_SIGMAS;

/**
 * Where the memory's state lies in a detector's bytes (byte offsets from the state's start, each
 * aligned to its element size): the last readings (Float32 ring buffer), the prototypes
 * (PROTOTYPES × SHAPE_DIMENSIONS, in σ as Int16 fixed point), how many shapes each has absorbed
 * (Uint8, saturating), when each was last used (Uint16 reading number modulo 2^16, aged like the
 * return-period tables, so the least recently used is the one with the largest age; ages past
 * 40,000 readings tie, and the first such slot is replaced), and how many prototype slots are in
 * use (a Float64 slot).
 */
export interface ShapeLayout {
  windowAt: number;
  prototypesAt: number;
  countsAt: number;
  lastUseAt: number;
  prototypeCountAt: number;
}

const vector = new Float64Array(SHAPE_DIMENSIONS);

/**
 * Adds `value` (reading number `index`, 1-based) to the memory of the state at `byteOffset` in
 * `views` and returns the novelty of the current window in standard deviations (0 until the
 * window is full or while nothing is remembered).
 */
export function shapeNovelty(
  views: SlabViews,
  byteOffset: number,
  layout: ShapeLayout,
  index: number,
  value: number,
  mean: number,
  sd: number,
): number {
  const { float64, float32, int16, uint16, uint8 } = views;
  const windowAt = (byteOffset + layout.windowAt) >> 2;
  const prototypesAt = (byteOffset + layout.prototypesAt) >> 1;
  const countsAt = byteOffset + layout.countsAt;
  const lastUseAt = (byteOffset + layout.lastUseAt) >> 1;
  const prototypeCountAt = (byteOffset + layout.prototypeCountAt) >> 3;
  float32[windowAt + ((index - 1) % WINDOW_POINTS)] = value;
  if (index < WINDOW_POINTS) return 0;
  const prototypeCount = float64[prototypeCountAt] as number;
  for (let j = 0; j < SHAPE_DIMENSIONS; j++) {
    let sum = 0;
    for (let q = 0; q < GROUP; q++)
      sum += float32[windowAt + ((index + j * GROUP + q) % WINDOW_POINTS)] as number;
    vector[j] = Math.max(-CLIP_SIGMAS, Math.min(CLIP_SIGMAS, (sum / GROUP - mean) / sd));
  }
  let nearest = -1;
  let nearestSquare = Infinity;
  for (let k = 0; k < prototypeCount; k++) {
    let square = 0;
    const at = prototypesAt + k * SHAPE_DIMENSIONS;
    for (let j = 0; j < SHAPE_DIMENSIONS; j++) {
      const e = (vector[j] as number) - (int16[at + j] as number) / FIXED_POINT;
      square += e * e;
    }
    if (square < nearestSquare) {
      nearestSquare = square;
      nearest = k;
    }
  }
  const distance = Math.sqrt(nearestSquare / SHAPE_DIMENSIONS);
  const now = index & 0xffff;
  if (nearest < 0 || distance > VIGILANCE_SIGMAS) {
    const slot = prototypeCount < PROTOTYPES ? prototypeCount : leastRecentlyUsed(uint16, lastUseAt, index);
    float64[prototypeCountAt] = Math.max(prototypeCount, slot + 1);
    const at = prototypesAt + slot * SHAPE_DIMENSIONS;
    for (let j = 0; j < SHAPE_DIMENSIONS; j++)
      int16[at + j] = Math.round((vector[j] as number) * FIXED_POINT);
    uint8[countsAt + slot] = 1;
    uint16[lastUseAt + slot] = now;
  } else {
    const count = uint8[countsAt + nearest] as number;
    const rate = Math.max(1 / (count + 1), MIN_LEARNING_RATE);
    const at = prototypesAt + nearest * SHAPE_DIMENSIONS;
    for (let j = 0; j < SHAPE_DIMENSIONS; j++) {
      const prototype = int16[at + j] as number;
      int16[at + j] = Math.round(prototype + rate * ((vector[j] as number) * FIXED_POINT - prototype));
    }
    uint8[countsAt + nearest] = Math.min(MAX_COUNT, count + 1);
    uint16[lastUseAt + nearest] = now;
  }
  return nearest < 0 ? 0 : distance;
}

/** The slot whose last use (`lastUse[at + k]`) is oldest (the first such slot on a tie). */
function leastRecentlyUsed(lastUse: Uint16Array, at: number, index: number): number {
  let slot = 0;
  let oldest = -1;
  for (let k = 0; k < PROTOTYPES; k++) {
    const age = (index - (lastUse[at + k] as number)) & 0xffff;
    if (age > oldest) {
      oldest = age;
      slot = k;
    }
  }
  return slot;
}

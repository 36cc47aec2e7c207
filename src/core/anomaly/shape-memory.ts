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
 * The memory's state, as views into the detector's bytes: the last readings (a ring buffer), the
 * prototypes (PROTOTYPES × SHAPE_DIMENSIONS, in σ as Int16 fixed point), how many shapes each has
 * absorbed (saturating), and when each was last used (reading number modulo 2^16, aged like the
 * return-period tables, so the least recently used is the one with the largest age; ages past
 * 40,000 readings tie, and the first such slot is replaced).
 */
export interface ShapeMemory {
  window: Float32Array;
  prototypes: Int16Array;
  counts: Uint8Array;
  lastUse: Uint16Array;
}

const vector = new Float64Array(SHAPE_DIMENSIONS);

/**
 * Adds `value` (reading number `index`, 1-based) and returns the novelty of the current window
 * in standard deviations (0 until the window is full or while nothing is remembered).
 * `prototypeCount` is how many prototype slots are in use; the new count is returned via `used`.
 */
export function shapeNovelty(
  memory: ShapeMemory,
  index: number,
  value: number,
  mean: number,
  sd: number,
  prototypeCount: number,
  used: { count: number },
): number {
  const { window, prototypes, counts, lastUse } = memory;
  window[(index - 1) % WINDOW_POINTS] = value;
  used.count = prototypeCount;
  if (index < WINDOW_POINTS) return 0;
  for (let j = 0; j < SHAPE_DIMENSIONS; j++) {
    let sum = 0;
    for (let q = 0; q < GROUP; q++) sum += window[(index + j * GROUP + q) % WINDOW_POINTS] as number;
    vector[j] = Math.max(-CLIP_SIGMAS, Math.min(CLIP_SIGMAS, (sum / GROUP - mean) / sd));
  }
  let nearest = -1;
  let nearestSquare = Infinity;
  for (let k = 0; k < prototypeCount; k++) {
    let square = 0;
    for (let j = 0; j < SHAPE_DIMENSIONS; j++) {
      const e = (vector[j] as number) - (prototypes[k * SHAPE_DIMENSIONS + j] as number) / FIXED_POINT;
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
    const slot = prototypeCount < PROTOTYPES ? prototypeCount : leastRecentlyUsed(lastUse, index);
    used.count = Math.max(prototypeCount, slot + 1);
    for (let j = 0; j < SHAPE_DIMENSIONS; j++)
      prototypes[slot * SHAPE_DIMENSIONS + j] = Math.round((vector[j] as number) * FIXED_POINT);
    counts[slot] = 1;
    lastUse[slot] = now;
  } else {
    const count = counts[nearest] as number;
    const rate = Math.max(1 / (count + 1), MIN_LEARNING_RATE);
    for (let j = 0; j < SHAPE_DIMENSIONS; j++) {
      const at = nearest * SHAPE_DIMENSIONS + j;
      const prototype = prototypes[at] as number;
      prototypes[at] = Math.round(prototype + rate * ((vector[j] as number) * FIXED_POINT - prototype));
    }
    counts[nearest] = Math.min(MAX_COUNT, count + 1);
    lastUse[nearest] = now;
  }
  return nearest < 0 ? 0 : distance;
}

/** The slot whose last use is oldest (the first such slot on a tie). */
function leastRecentlyUsed(lastUse: Uint16Array, index: number): number {
  let slot = 0;
  let oldest = -1;
  for (let k = 0; k < PROTOTYPES; k++) {
    const age = (index - (lastUse[k] as number)) & 0xffff;
    if (age > oldest) {
      oldest = age;
      slot = k;
    }
  }
  return slot;
}

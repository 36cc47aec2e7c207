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

/** Layout inside a Float32Array, starting at an offset: ring buffer, prototypes, counts, last use. */
export const SHAPE_BUFFER = 0;
export const SHAPE_PROTOTYPES = SHAPE_BUFFER + WINDOW_POINTS;
export const SHAPE_COUNTS = SHAPE_PROTOTYPES + PROTOTYPES * SHAPE_DIMENSIONS;
export const SHAPE_LAST_USE = SHAPE_COUNTS + PROTOTYPES;
export const SHAPE_MEMORY_LENGTH = SHAPE_LAST_USE + PROTOTYPES;

const vector = new Float64Array(SHAPE_DIMENSIONS);

/**
 * Adds `value` (reading number `index`, 1-based) and returns the novelty of the current window
 * in standard deviations (0 until the window is full or while nothing is remembered).
 * `prototypeCount` is how many prototype slots are in use; the new count is returned via `used`.
 */
export function shapeNovelty(
  memory: Float32Array,
  index: number,
  value: number,
  mean: number,
  sd: number,
  prototypeCount: number,
  used: { count: number },
): number {
  memory[SHAPE_BUFFER + ((index - 1) % WINDOW_POINTS)] = value;
  used.count = prototypeCount;
  if (index < WINDOW_POINTS) return 0;
  for (let j = 0; j < SHAPE_DIMENSIONS; j++) {
    let sum = 0;
    for (let q = 0; q < GROUP; q++)
      sum += memory[SHAPE_BUFFER + ((index + j * GROUP + q) % WINDOW_POINTS)] as number;
    vector[j] = Math.max(-CLIP_SIGMAS, Math.min(CLIP_SIGMAS, (sum / GROUP - mean) / sd));
  }
  let nearest = -1;
  let nearestSquare = Infinity;
  for (let k = 0; k < prototypeCount; k++) {
    let square = 0;
    for (let j = 0; j < SHAPE_DIMENSIONS; j++) {
      const e = (vector[j] as number) - (memory[SHAPE_PROTOTYPES + k * SHAPE_DIMENSIONS + j] as number);
      square += e * e;
    }
    if (square < nearestSquare) {
      nearestSquare = square;
      nearest = k;
    }
  }
  const distance = Math.sqrt(nearestSquare / SHAPE_DIMENSIONS);
  if (nearest < 0 || distance > VIGILANCE_SIGMAS) {
    const slot = prototypeCount < PROTOTYPES ? prototypeCount : leastRecentlyUsed(memory);
    used.count = Math.max(prototypeCount, slot + 1);
    for (let j = 0; j < SHAPE_DIMENSIONS; j++)
      memory[SHAPE_PROTOTYPES + slot * SHAPE_DIMENSIONS + j] = vector[j] as number;
    memory[SHAPE_COUNTS + slot] = 1;
    memory[SHAPE_LAST_USE + slot] = index;
  } else {
    const rate = Math.max(1 / ((memory[SHAPE_COUNTS + nearest] as number) + 1), MIN_LEARNING_RATE);
    for (let j = 0; j < SHAPE_DIMENSIONS; j++) {
      const at = SHAPE_PROTOTYPES + nearest * SHAPE_DIMENSIONS + j;
      memory[at] = (memory[at] as number) + rate * ((vector[j] as number) - (memory[at] as number));
    }
    memory[SHAPE_COUNTS + nearest] = (memory[SHAPE_COUNTS + nearest] as number) + 1;
    memory[SHAPE_LAST_USE + nearest] = index;
  }
  return nearest < 0 ? 0 : distance;
}

function leastRecentlyUsed(memory: Float32Array): number {
  let slot = 0;
  let oldest = Infinity;
  for (let k = 0; k < PROTOTYPES; k++) {
    const lastUse = memory[SHAPE_LAST_USE + k] as number;
    if (lastUse < oldest) {
      oldest = lastUse;
      slot = k;
    }
  }
  return slot;
}

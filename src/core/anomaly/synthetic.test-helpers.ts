/** Deterministic test signals: a seeded Gaussian noise source (xorshift + Box–Muller). */
export function noiseSource(seed: number): () => number {
  let state = seed >>> 0 || 1;
  const uniform = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return (state + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Five-minute readings from 2024-01-01 UTC. */
export function timestampAt(index: number): number {
  return Date.UTC(2024, 0, 1) + index * 300_000;
}

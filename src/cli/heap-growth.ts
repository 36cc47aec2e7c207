import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Config } from '../config.ts';

/** Growth past the live heap, in %, once resident memory nears the target. */
export const TIGHT_HEAP_GROWTH_PERCENT = 10;
/** Share of the memory target above which the heaps are paced tightly, and below which they are let go again. */
const TIGHTEN_AT = 0.75;
const LOOSEN_AT = 0.6;
const CHECK_MILLIS = 100;

/**
 * Whether the JavaScript heaps should be paced tightly at `residentBytes`, given whether they are
 * now: tight from three quarters of the target, loose again below 60 % (not back and forth at
 * one edge).
 */
export function pacedTightly(residentBytes: number, targetBytes: number, tight: boolean): boolean {
  return residentBytes >= (tight ? LOOSEN_AT : TIGHTEN_AT) * targetBytes;
}

/**
 * Paces V8's full collections (a process-wide setting, read by every thread's heap at each full
 * collection; NODE_OPTIONS does not accept it): `--heap-growth-percent` fixes the growth; otherwise
 * the heaps grow by V8's own factor (up to 300 % past their live size on a busy process) while the
 * process stays well under `--memory-target-mb`, and by 10 % once it nears it, as Go's memory
 * limit makes its collector work harder near the limit. Also turns pretenuring off first
 * (`allocateYoung`). Returns a stop.
 */
export function applyHeapGrowth(config: Config): () => void {
  allocateYoung();
  if (config.heapGrowthPercent !== null) {
    setFlagsFromString(`--heap-growing-percent=${config.heapGrowthPercent}`);
    return () => undefined;
  }
  const target = config.memoryTargetMegabytes * 1_048_576;
  let tight = false;
  const timer = setInterval(() => {
    const next = pacedTightly(process.memoryUsage.rss(), target, tight);
    if (next === tight) return;
    tight = next;
    // 0 is V8's own, dynamic factor.
    setFlagsFromString(`--heap-growing-percent=${tight ? TIGHT_HEAP_GROWTH_PERCENT : 0}`);
    // The growth is read at a full collection: without one now, a heap let grow by V8's factor
    // (to four times its live size) would still fill up to that limit before the tighter one applies.
    if (tight) collectNow();
  }, CHECK_MILLIS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Turns V8's allocation-site pretenuring off (process-wide, before the hot paths warm up). A
 * reading on the ingest path lives until it is durable, a few milliseconds: long enough to outlive
 * a young collection, so V8 learned to allocate every reading of the parsers' one allocation site
 * straight in the old generation, where each allocation and its later collection cost more than
 * copying it once. A CPU profile of line protocol in batches of 5,000 put that allocation at 11.6 %
 * of the ingest thread's time (0.5 µs a reading), gone without pretenuring (young collections
 * 9.5 % → 12.1 %); runs alternated with it on took 5 % more readings a second at 90 MB less peak
 * memory (docs/performance.md).
 */
export function allocateYoung(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}

let collector: (() => void) | undefined;

/** A full collection of this thread's heap now (V8's `gc`, exposed for the purpose). */
export function collectNow(): void {
  if (collector === undefined) {
    setFlagsFromString('--expose-gc');
    collector = runInNewContext('gc') as () => void;
  }
  collector();
}

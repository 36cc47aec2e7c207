import { setFlagsFromString } from 'node:v8';
import type { Config } from '../config.ts';

/** `--heap-growth-percent`: a process-wide V8 setting, read at every full collection; NODE_OPTIONS does not accept it. */
export function applyHeapGrowth(config: Config): void {
  if (config.heapGrowthPercent !== null)
    setFlagsFromString(`--heap-growing-percent=${config.heapGrowthPercent}`);
}

import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { DemoOptions } from '../services/demo/runner.ts';

/** Marks a data folder that the demo city filled, so later starts run the demo again. */
const markerName = '.demo-city';
const note = 'Written by the demo city; delete the folder to start afresh.';

/** What the options of a city must match for a later start to resume it. */
type CityIdentity = Pick<DemoOptions, 'seed' | 'speed' | 'sensorCount'>;

/** When a demo city started, and which city it was. */
export interface DemoStart {
  atMillis: number;
  city: CityIdentity;
}

const startSchema = z.object({
  startedAtMillis: z.number().finite(),
  seed: z.number().finite(),
  speed: z.number().positive(),
  sensorCount: z.number().int().positive(),
});

/** The demo city a data folder holds, read from its marker. */
export type DemoFolder =
  /** No folder, or an empty one: the demo starts afresh. */
  | { kind: 'empty' }
  /** Data the demo did not write: no demo. */
  | { kind: 'foreign' }
  /** A folder the demo filled; no start when the marker predates it or the city never got going. */
  | { kind: 'demo'; start: DemoStart | null };

export function readDemoFolder(dataDir: string): DemoFolder {
  if (!existsSync(dataDir)) return { kind: 'empty' };
  const entries = readdirSync(dataDir);
  if (entries.length === 0) return { kind: 'empty' };
  if (!entries.includes(markerName)) return { kind: 'foreign' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(dataDir, markerName), 'utf8'));
  } catch {
    // The plain-text marker of earlier versions, or a torn write: a demo folder of unknown start.
    return { kind: 'demo', start: null };
  }
  const start = startSchema.safeParse(parsed);
  if (!start.success) return { kind: 'demo', start: null };
  const { startedAtMillis, seed, speed, sensorCount } = start.data;
  return { kind: 'demo', start: { atMillis: startedAtMillis, city: { seed, speed, sensorCount } } };
}

/**
 * The wall time to resume the folder's city from: only when it records a start at or before
 * `nowMillis` for a city with these options.
 */
export function resumableStart(folder: DemoFolder, options: CityIdentity, nowMillis: number): number | null {
  if (folder.kind !== 'demo' || folder.start === null) return null;
  const { atMillis, city } = folder.start;
  const same =
    city.seed === options.seed && city.speed === options.speed && city.sensorCount === options.sensorCount;
  return same && atMillis <= nowMillis ? atMillis : null;
}

/** Writes the marker: before anything else (start unknown), and again once the city has started. */
export function writeDemoMarker(dataDir: string, start?: DemoStart): void {
  const record =
    start === undefined
      ? { note }
      : {
          note,
          startedAtMillis: start.atMillis,
          seed: start.city.seed,
          speed: start.city.speed,
          sensorCount: start.city.sensorCount,
        };
  writeFileSync(join(dataDir, markerName), `${JSON.stringify(record)}\n`);
}

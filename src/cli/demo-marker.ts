import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoOptions } from '../services/demo/runner.ts';

/** Marks a data folder that the demo city filled, so later starts run the demo again. */
const markerName = '.demo-city';
const note = 'Written by the demo city; delete the folder to start afresh.';

/** What the options of a city must match for a later start to resume it. */
type CityIdentity = Pick<DemoOptions, 'seed' | 'speed' | 'sensorCount'>;

/** The demo city a data folder holds, read from its marker. */
export type DemoFolder =
  /** No folder, or an empty one: the demo starts afresh. */
  | { kind: 'empty' }
  /** Data the demo did not write: no demo. */
  | { kind: 'foreign' }
  /** A folder the demo filled; `startedAtMillis` is unknown when the marker predates it or it never got going. */
  | { kind: 'demo'; startedAtMillis: number | null; city: CityIdentity | null };

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
    return { kind: 'demo', startedAtMillis: null, city: null };
  }
  const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const number = (key: string): number | null => {
    const value = record[key];
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  };
  const [startedAtMillis, seed, speed, sensorCount] = ['startedAtMillis', 'seed', 'speed', 'sensorCount'].map(
    number,
  );
  const city = seed != null && speed != null && sensorCount != null ? { seed, speed, sensorCount } : null;
  return { kind: 'demo', startedAtMillis: startedAtMillis ?? null, city };
}

/**
 * The wall time to resume the folder's city from: only when it records a start at or before
 * `nowMillis` for a city with these options.
 */
export function resumableStart(folder: DemoFolder, options: CityIdentity, nowMillis: number): number | null {
  if (folder.kind !== 'demo' || folder.startedAtMillis === null || folder.city === null) return null;
  const same =
    folder.city.seed === options.seed &&
    folder.city.speed === options.speed &&
    folder.city.sensorCount === options.sensorCount;
  return same && folder.startedAtMillis <= nowMillis ? folder.startedAtMillis : null;
}

/** Writes the marker: before anything else (start unknown), and again once the city has started. */
export function writeDemoMarker(dataDir: string, started?: { atMillis: number; city: CityIdentity }): void {
  const record =
    started === undefined
      ? { note }
      : {
          note,
          startedAtMillis: started.atMillis,
          seed: started.city.seed,
          speed: started.city.speed,
          sensorCount: started.city.sensorCount,
        };
  writeFileSync(join(dataDir, markerName), `${JSON.stringify(record)}\n`);
}

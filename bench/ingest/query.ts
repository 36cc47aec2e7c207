import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/adapters/duckdb/database.ts';
import { DuckDbReadingStore } from '../../src/adapters/duckdb/reading-store.ts';
import { ReadingQueryService } from '../../src/services/query/reading-query-service.ts';
import { directoryBytes } from './processes.ts';
import { percentile } from './http-load.ts';

export interface QueryResult {
  readings_stored: number;
  sensors: number;
  load_seconds: number;
  bytes_per_reading: number;
  series_points: number;
  series_p50_ms: number;
  series_p95_ms: number;
  latest_1000_p95_ms: number;
}

/**
 * Stores `readings` readings of 1-second data for 24 hours (readings / 86,400 sensors, appended
 * second by second as they would arrive), then times the 24-hour series of one sensor downsampled
 * to 1,000 points, and the latest values of 1,000 sensors.
 */
export async function measureQueries(readings: number, log: (line: string) => void): Promise<QueryResult> {
  const seconds = 86_400;
  const sensors = Math.max(1, Math.round(readings / seconds));
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-query-'));
  const database = await openDatabase({ dataDir });
  const store = await DuckDbReadingStore.open(database);
  try {
    const keys = Array.from({ length: sensors }, (_, i) => store.sensorKey(`q${i}`));
    const start = Date.UTC(2026, 10, 27);
    const chunkRows = 1_000_000;
    const chunk = {
      keys: new Uint32Array(chunkRows),
      timestamps: new Float64Array(chunkRows),
      values: new Float64Array(chunkRows),
      length: 0,
    };
    const loadStarted = performance.now();
    let stored = 0;
    for (let second = 0; second < seconds; second++) {
      for (let s = 0; s < sensors; s++) {
        const row = chunk.length++;
        chunk.keys[row] = keys[s] as number;
        chunk.timestamps[row] = start + second * 1000;
        chunk.values[row] = Math.round((50 + 20 * Math.sin(second / 3600 + s)) * 10) / 10;
        if (chunk.length === chunkRows) {
          stored += (await store.append(chunk)).stored;
          chunk.length = 0;
        }
      }
      if (second % 7200 === 0) log(`  query data: ${stored} readings stored`);
    }
    if (chunk.length > 0) stored += (await store.append(chunk)).stored;
    await store.checkpoint();
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const bytes = directoryBytes(dataDir);
    const queries = new ReadingQueryService(store);
    const stepMillis = (seconds * 1000) / 1000;
    const seriesTimes: number[] = [];
    let points = 0;
    for (let i = 0; i < 40; i++) {
      const sensor = `q${(i * 7919) % sensors}`;
      const began = performance.now();
      const series = await queries.series(sensor, start, start + seconds * 1000, stepMillis, 'avg');
      seriesTimes.push(performance.now() - began);
      points = series.length;
    }
    const latestTimes: number[] = [];
    for (let i = 0; i < 40; i++) {
      const ids = Array.from({ length: 1000 }, (_, j) => `q${(i * 1000 + j) % sensors}`);
      const began = performance.now();
      await queries.latest(ids);
      latestTimes.push(performance.now() - began);
    }
    return {
      readings_stored: stored,
      sensors,
      load_seconds: Math.round(loadSeconds * 10) / 10,
      bytes_per_reading: Math.round((bytes / stored) * 100) / 100,
      series_points: points,
      series_p50_ms: Math.round(percentile(seriesTimes, 0.5) * 10) / 10,
      series_p95_ms: Math.round(percentile(seriesTimes, 0.95) * 10) / 10,
      latest_1000_p95_ms: Math.round(percentile(latestTimes, 0.95) * 100) / 100,
    };
  } finally {
    await store.close();
    database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

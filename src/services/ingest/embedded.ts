import { join } from 'node:path';
import { openDatabase, type Database } from '../../adapters/duckdb/database.ts';
import { DuckDbReadingStore } from '../../adapters/duckdb/reading-store.ts';
import { WriteAheadLog } from '../../adapters/wal/write-ahead-log.ts';
import type { Ingestor } from '../../ports/ingest.ts';
import type { ReadingQueries } from '../../ports/reading-queries.ts';
import { ReadingQueryService } from '../query/reading-query-service.ts';
import { IngestPipeline, type PipelineStats } from './pipeline.ts';
import { resolvePipelineOptions, type PipelineOptions } from './pipeline-options.ts';

export interface EmbeddedStorageOptions {
  /** Folder of the DuckDB file and the write-ahead log (`<dataDir>/wal`). */
  dataDir: string;
  pipeline?: Partial<PipelineOptions>;
  /** Rows of the recent tail sorted into the clustered readings table at once (default 4,000,000). */
  clusterRows?: number;
  /** DuckDB worker threads (default: one per core). */
  threads?: number;
  /**
   * DuckDB memory limit, shared by every user of the database (default: DuckDB's own, 80% of RAM).
   * Beyond it DuckDB spills to disk or fails the statement.
   */
  memoryLimitMegabytes?: number;
}

/** The embedded storage: DuckDB file, write-ahead log, ingest pipeline and queries. */
export interface EmbeddedStorage {
  ingestor: Ingestor;
  queries: ReadingQueries;
  /** The shared DuckDB database, for other tables in the same file (e.g. the registry). */
  database: Database;
  /** What opening found in the write-ahead log: readings, the sensors they belong to, torn bytes. */
  recovered: { readings: number; sensors: string[]; tornBytes: number };
  stats(): PipelineStats;
  /** Flushes every acknowledged reading into the store and checkpoints it. */
  forceFlush(): Promise<void>;
  /** Stops ingest, flushes, checkpoints and closes the database. */
  shutdown(): Promise<void>;
}

/**
 * Opens (or creates) the embedded storage in `dataDir`, replaying the write-ahead log left by a
 * crash into the store before returning, then starts the background flush.
 */
export async function createEmbeddedStorage(options: EmbeddedStorageOptions): Promise<EmbeddedStorage> {
  const pipelineOptions = resolvePipelineOptions(options.pipeline);
  const database = await openDatabase({
    dataDir: options.dataDir,
    threads: options.threads,
    memoryLimitMegabytes: options.memoryLimitMegabytes,
  });
  const store = await DuckDbReadingStore.open(database, { clusterRows: options.clusterRows });
  const walDirectory = join(options.dataDir, 'wal');
  const wal = await WriteAheadLog.open(walDirectory);
  const pipeline = new IngestPipeline(store, wal, pipelineOptions);
  const walIds = new Map<number, string>();
  const recoveredSensors = new Set<string>();
  const replay = await WriteAheadLog.replay(walDirectory, async (batch) => {
    for (const [key, id] of batch.defines) walIds.set(key, id);
    await pipeline.replay(batch, (key) => {
      const id = walIds.get(key) ?? store.sensorId(key);
      if (id === undefined) throw new Error(`write-ahead log refers to unknown sensor key ${key}`);
      recoveredSensors.add(id);
      return id;
    });
  });
  await pipeline.forceFlush();
  pipeline.start();
  let closed = false;
  return {
    ingestor: pipeline,
    queries: new ReadingQueryService(store),
    database,
    recovered: { readings: replay.readings, sensors: [...recoveredSensors], tornBytes: replay.tornBytes },
    stats: () => pipeline.stats(),
    forceFlush: () => pipeline.forceFlush(),
    async shutdown() {
      if (closed) return;
      closed = true;
      await pipeline.shutdown();
      await store.close();
      database.close();
    },
  };
}

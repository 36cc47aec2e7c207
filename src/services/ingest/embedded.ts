import { join } from 'node:path';
import { openDatabase, type Database } from '../../adapters/duckdb/database.ts';
import { DuckDbReadingStore } from '../../adapters/duckdb/reading-store.ts';
import type { SkippedDamage } from '../../adapters/wal/wal-replay.ts';
import { WriteAheadLog, type WriteAheadLogOptions } from '../../adapters/wal/write-ahead-log.ts';
import type { Ingestor } from '../../ports/ingest.ts';
import type { ReadingQueries } from '../../ports/reading-queries.ts';
import type { ReadingHistory } from '../../ports/reading-store.ts';
import { ReadingQueryService } from '../query/reading-query-service.ts';
import { FailureEpisodes } from './failure-episodes.ts';
import { IngestPipeline, type PipelineStats } from './pipeline.ts';
import { resolvePipelineOptions, type PipelineOptions } from './pipeline-options.ts';
import { describeError } from '../../core/describe-error.ts';

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
  /**
   * Damage in the middle of the write-ahead log (not a torn tail) refuses the start unless this
   * is set: then the damaged segments are kept in `<dataDir>/wal-corrupt/`, what can be read of
   * them is replayed, and `recovered.skipped` lists what was not.
   */
  skipCorruptWal?: boolean;
  /** Progress of a replay and failures of ingest (one line when they start, one when they end). */
  log?: (line: string) => void;
  /** How the write-ahead log opens its files (tests inject failures). */
  wal?: WriteAheadLogOptions;
}

/** The embedded storage: DuckDB file, write-ahead log, ingest pipeline and queries. */
export interface EmbeddedStorage {
  ingestor: Ingestor;
  queries: ReadingQueries;
  /** Raw readings read back in bulk (the detectors' catch-up at start). */
  history: ReadingHistory;
  /** The shared DuckDB database, for other tables in the same file (e.g. the registry). */
  database: Database;
  /** What opening found in the write-ahead log: readings, the sensors they belong to, torn bytes, skipped damage. */
  recovered: { readings: number; sensors: string[]; tornBytes: number; skipped: SkippedDamage[] };
  stats(): PipelineStats;
  /** False while the write-ahead log cannot be written (ingest is refused meanwhile). */
  writable(): boolean;
  /** New ingest calls are answered `shutting-down`; calls already accepted finish. */
  stopAccepting(): void;
  /** Flushes every acknowledged reading into the store and checkpoints it; rejects if that failed. */
  forceFlush(): Promise<void>;
  /**
   * Stops ingest, flushes, checkpoints and closes the database. Rejects if the last flush failed:
   * the readings it missed stay in the write-ahead log and are replayed at the next start.
   */
  shutdown(): Promise<void>;
}

/**
 * Opens (or creates) the embedded storage in `dataDir`, replaying the write-ahead log left by a
 * crash into the store before returning, then starts the background flush.
 */
export async function createEmbeddedStorage(options: EmbeddedStorageOptions): Promise<EmbeddedStorage> {
  const log = options.log ?? ((line: string) => console.error(`urban-brain: ${line}`));
  const pipelineOptions = resolvePipelineOptions({ log, ...options.pipeline });
  const database = await openDatabase({
    dataDir: options.dataDir,
    threads: options.threads,
    memoryLimitMegabytes: options.memoryLimitMegabytes,
  });
  const compactions = new FailureEpisodes(log);
  const store = await DuckDbReadingStore.open(database, {
    clusterRows: options.clusterRows,
    onCompaction: (error) =>
      error === undefined
        ? compactions.succeeded('rollup compaction')
        : compactions.failed(
            'rollup compaction',
            error,
            'partial rollup rows are kept and merged at a later checkpoint; queries merge them meanwhile',
          ),
  });
  const walDirectory = join(options.dataDir, 'wal');
  const wal = await WriteAheadLog.open(walDirectory, options.wal);
  const pipeline = new IngestPipeline(store, wal, pipelineOptions);
  let replay;
  try {
    replay = await replayLog(pipeline, store, walDirectory, options, log);
    // The recovered readings go into the store now; then the log segments they came from are deleted.
    await pipeline.forceFlush().catch((error: unknown) => {
      throw new Error(
        `could not write the readings of the write-ahead log into the store: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    });
  } catch (error) {
    // No checkpoint: the log keeps everything for the next start.
    await wal.close().catch(() => undefined);
    await store.close();
    database.close();
    throw error;
  }
  pipeline.start();
  let closed = false;
  return {
    ingestor: pipeline,
    queries: new ReadingQueryService(store),
    history: store,
    database,
    recovered: replay,
    stats: () => pipeline.stats(),
    writable: () => pipeline.logWritable,
    stopAccepting: () => pipeline.stopAccepting(),
    forceFlush: () => pipeline.forceFlush(),
    async shutdown() {
      if (closed) return;
      closed = true;
      try {
        await pipeline.shutdown();
      } catch (error) {
        throw new Error(
          `could not write the last readings into the store: ${describeError(error)} ` +
            '(acknowledged readings stay in the write-ahead log and are replayed at the next start)',
          { cause: error },
        );
      } finally {
        await store.close();
        database.close();
      }
    },
  };
}

/** Replays the log into the pipeline, logging a line per segment that held records. */
async function replayLog(
  pipeline: IngestPipeline,
  store: DuckDbReadingStore,
  walDirectory: string,
  options: EmbeddedStorageOptions,
  log: (line: string) => void,
): Promise<EmbeddedStorage['recovered']> {
  const walIds = new Map<number, string>();
  const sensors = new Set<string>();
  const replay = await WriteAheadLog.replay(
    walDirectory,
    async (batch) => {
      for (const [key, id] of batch.defines) walIds.set(key, id);
      return pipeline.replay(batch, (key) => {
        const id = walIds.get(key) ?? store.sensorId(key);
        if (id !== undefined) sensors.add(id);
        return id;
      });
    },
    {
      skipCorrupt: options.skipCorruptWal === true,
      corruptDirectory: join(options.dataDir, 'wal-corrupt'),
      onSegment: ({ name, index, segments, readings }) =>
        log(
          `replaying the write-ahead log: ${name} done (${index + 1} of ${segments}), ${readings} readings so far`,
        ),
    },
  );
  return {
    readings: replay.readings,
    sensors: [...sensors],
    tornBytes: replay.tornBytes,
    skipped: replay.skipped,
  };
}

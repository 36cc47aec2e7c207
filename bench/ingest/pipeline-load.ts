import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParseOutcome } from '../../src/core/ingest/validation.ts';
import { createEmbeddedStorage } from '../../src/services/ingest/embedded.ts';
import { percentile } from './http-load.ts';
import { directoryBytes } from './processes.ts';

export interface PipelineResult {
  readings: number;
  readings_per_s: number;
  stored_readings_per_s: number;
  parse_readings_per_s: number;
  ack_p50_ms: number;
  ack_p99_ms: number;
  bytes_per_reading: number;
}

/**
 * The data plane alone, in this process: parse each body, hand it to the embedded storage with
 * `concurrency` batches in flight, until every one is acknowledged (WAL fsynced); then until stored.
 */
export async function measurePipeline(
  bodies: readonly string[],
  parse: (body: string) => ParseOutcome,
  concurrency: number,
): Promise<PipelineResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-pipeline-'));
  const storage = await createEmbeddedStorage({ dataDir });
  try {
    const inFlight = new Set<Promise<void>>();
    const latencies: number[] = [];
    let parseMillis = 0;
    let readings = 0;
    const started = performance.now();
    for (const body of bodies) {
      const parseStarted = performance.now();
      const parsed = parse(body);
      parseMillis += performance.now() - parseStarted;
      if (!parsed.ok) throw new Error(parsed.message);
      const batch = parsed.batch.readings;
      readings += batch.length;
      const sent = performance.now();
      const acknowledged = (async () => {
        for (;;) {
          const result = await storage.ingestor.ingest(batch);
          if (result.ok) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        latencies.push(performance.now() - sent);
      })();
      const tracked = acknowledged.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const ackSeconds = (performance.now() - started) / 1000;
    await storage.forceFlush();
    const storedSeconds = (performance.now() - started) / 1000;
    await storage.shutdown();
    return {
      readings,
      readings_per_s: Math.round(readings / ackSeconds),
      stored_readings_per_s: Math.round(readings / storedSeconds),
      parse_readings_per_s: Math.round(readings / (parseMillis / 1000)),
      ack_p50_ms: Math.round(percentile(latencies, 0.5) * 10) / 10,
      ack_p99_ms: Math.round(percentile(latencies, 0.99) * 10) / 10,
      bytes_per_reading: Math.round((directoryBytes(dataDir) / readings) * 100) / 100,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

import { gzipSync } from 'node:zlib';

/** Synthetic readings for the ingest benchmark: `sensors` sensors, one reading each per second-round. */
export interface Workload {
  sensors: number;
  readings: number;
  batchReadings: number;
  /** Timestamp of round 0, epoch ms; round k is k seconds later. */
  startMillis: number;
}

export function sensorId(index: number): string {
  return `s${index}`;
}

/** Value of reading `i`: a slow wave with one decimal, as real sensors send. */
export function readingValue(i: number, sensor: number): number {
  return Math.round((20 + 10 * Math.sin(i / 7_919 + sensor) + (i % 13) / 10) * 10) / 10;
}

/** Calls `emit(sensorIndex, ts, value)` for readings [from, to) of the workload, in arrival order. */
export function forEachReading(
  workload: Workload,
  from: number,
  to: number,
  emit: (sensor: number, ts: number, value: number) => void,
): void {
  for (let i = from; i < to; i++) {
    const sensor = i % workload.sensors;
    const round = Math.floor(i / workload.sensors);
    emit(sensor, workload.startMillis + round * 1000 + (sensor % 1000), readingValue(i, sensor));
  }
}

/** One reading as a line of line protocol (millisecond precision, one `sensor` tag). */
export function lineProtocolLine(sensor: number, ts: number, value: number): string {
  return `m,sensor=${sensorId(sensor)} value=${value} ${ts}`;
}

/** Line-protocol bodies of `lineProtocolLine`s, `batchReadings` lines each. */
export function lineProtocolBodies(workload: Workload): string[] {
  return bodies(workload, (from, to) => {
    const lines: string[] = [];
    forEachReading(workload, from, to, (sensor, ts, value) =>
      lines.push(lineProtocolLine(sensor, ts, value)),
    );
    return lines.join('\n');
  });
}

/**
 * Bodies compressed as Telegraf sends them by default (`Content-Encoding: gzip`, zlib's default
 * level), compressed before the load starts as the text bodies are made before it.
 */
export function gzipBodies(bodies: readonly string[]): Buffer[] {
  return bodies.map((body) => gzipSync(body));
}

/** JSON batch bodies `[{"sensor","ts","value"}]`. */
export function jsonBodies(workload: Workload): string[] {
  return bodies(workload, (from, to) => {
    const items: string[] = [];
    forEachReading(workload, from, to, (sensor, ts, value) =>
      items.push(`{"sensor":"${sensorId(sensor)}","ts":${ts},"value":${value}}`),
    );
    return `[${items.join(',')}]`;
  });
}

/** SenML packs (times in seconds). */
export function senmlBodies(workload: Workload): string[] {
  return bodies(workload, (from, to) => {
    const records: string[] = [];
    forEachReading(workload, from, to, (sensor, ts, value) =>
      records.push(`{"n":"${sensorId(sensor)}","t":${ts / 1000},"v":${value}}`),
    );
    return `[${records.join(',')}]`;
  });
}

function bodies(workload: Workload, build: (from: number, to: number) => string): string[] {
  const result: string[] = [];
  for (let from = 0; from < workload.readings; from += workload.batchReadings) {
    result.push(build(from, Math.min(workload.readings, from + workload.batchReadings)));
  }
  return result;
}

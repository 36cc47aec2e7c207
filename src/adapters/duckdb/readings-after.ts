import type { DuckDBConnection } from '@duckdb/node-api';
import type { SensorKeys } from '../../core/readings/sensor-keys.ts';
import type { ReadingsAfterQuery, StoredReadings } from '../../ports/reading-store.ts';
import { allReadings } from './reading-schema.ts';
import { integerLiteral } from './series-sql.ts';

let calls = 0;

/** A timestamp bound as a whole millisecond in the safe range (timestamps are BIGINT ms). */
function bound(millis: number): number {
  const clamped = Math.min(Number.MAX_SAFE_INTEGER, Math.max(-Number.MAX_SAFE_INTEGER, millis));
  return Math.floor(clamped);
}

/**
 * `ReadingHistory.readingsAfter` on the DuckDB tables, on `reader`: the per-sensor bounds go to a
 * temp table joined to the readings, so 100,000 sensors cost one scan (plus one count when the
 * limit cuts).
 */
export async function readingsAfter(
  reader: DuckDBConnection,
  keys: SensorKeys,
  query: ReadingsAfterQuery,
): Promise<StoredReadings> {
  const table = `readings_after_${++calls}`;
  await reader.run(`CREATE TEMP TABLE ${table} (sensor UINTEGER NOT NULL, after BIGINT NOT NULL)`);
  try {
    let lowest = query.othersFromMillis;
    const appender = await reader.createAppender(table, null, 'temp');
    for (const [sensor, after] of query.afterBySensor) {
      const key = keys.find(sensor);
      if (key === undefined) continue;
      // ts > after ⇔ ts > ⌊after⌋ for whole-millisecond timestamps.
      appender.appendUInteger(key);
      appender.appendBigInt(BigInt(bound(after)));
      appender.endRow();
      lowest = Math.min(lowest, after);
    }
    appender.closeSync();
    const range = `ts >= ${integerLiteral(bound(lowest))} AND ts <= ${integerLiteral(bound(query.toMillis))}`;
    const others = `r.ts >= ${integerLiteral(bound(Math.ceil(query.othersFromMillis)))}`;
    const matching =
      `FROM ${allReadings(range, 'sensor, ts, value')} r LEFT JOIN temp.${table} c ON c.sensor = r.sensor ` +
      `WHERE CASE WHEN c.after IS NULL THEN ${others} ELSE r.ts > c.after END`;
    const limit = Math.max(0, Math.min(Math.floor(query.limit), 2 ** 31));
    const rows = await reader.runAndReadAll(
      `SELECT sensor, ts::DOUBLE, value FROM (SELECT r.sensor, r.ts, r.value ${matching} ` +
        `ORDER BY r.ts DESC LIMIT ${limit}) ORDER BY ts`,
    );
    const length = rows.currentRowCount;
    const [sensorColumn = [], tsColumn = [], valueColumn = []] = rows.getColumns();
    const result: StoredReadings = {
      sensors: new Array<string>(length),
      timestamps: new Float64Array(length),
      values: new Float64Array(length),
      matched: length,
    };
    for (let row = 0; row < length; row++) {
      result.sensors[row] = keys.idOf(Number(sensorColumn[row])) ?? String(sensorColumn[row]);
      result.timestamps[row] = Number(tsColumn[row]);
      result.values[row] = Number(valueColumn[row]);
    }
    if (length >= limit) {
      const counted = await reader.runAndReadAll(`SELECT count(*) ${matching}`);
      result.matched = Number(counted.getRows()[0]?.[0] ?? length);
    }
    return result;
  } finally {
    await reader.run(`DROP TABLE IF EXISTS temp.${table}`);
  }
}

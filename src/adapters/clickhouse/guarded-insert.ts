import type { ClickHouseClient } from '@clickhouse/client';
import type { Reading } from '../../core/readings/reading.ts';
import { encodeRowBinary } from './row-binary.ts';
import { quote, readingColumns, revokedInsertsTable } from './schema.ts';

/** Where a shard's HTTP interface is, and how to sign in to it (from `http://user:password@host:port`). */
export interface ShardEndpoint {
  url: URL;
  headers: Record<string, string>;
}

export function shardEndpoint(shardUrl: string): ShardEndpoint {
  const url = new URL(shardUrl);
  const headers: Record<string, string> = {};
  if (url.username !== '' || url.password !== '') {
    const user = decodeURIComponent(url.username || 'default');
    const credentials = `${user}:${decodeURIComponent(url.password)}`;
    headers['authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  return { url, headers };
}

/**
 * Inserts `readings` into `database.readings_local` on the shard unless `queryId` is in
 * `revoked_inserts` by the time the server runs the query: the rows travel as HTTP external data
 * (a table `batch` in RowBinary) and `INSERT … SELECT … WHERE` asks the revocations. A server puts
 * a query in its process list before it evaluates the query's subqueries, so once an id is stored
 * there (`revokeInserts`) and is not in `system.processes`, its insert has either finished or will
 * store nothing: a write that timed out here, which the server may still carry out later (once it
 * reads a request that waited for it), can then be checked and written again without the late run
 * counting twice in the rollups.
 */
export async function guardedInsert(
  shard: ShardEndpoint,
  database: string,
  readings: readonly Reading[],
  queryId: string,
  timeoutMillis: number,
): Promise<void> {
  const url = new URL(shard.url);
  url.searchParams.set(
    'query',
    `INSERT INTO ${database}.readings_local (sensor, ts, value) SELECT sensor, ts, value FROM batch ` +
      `WHERE (SELECT count() FROM ${database}.${revokedInsertsTable} WHERE id = ${quote(queryId)}) = 0`,
  );
  url.searchParams.set('batch_structure', readingColumns);
  url.searchParams.set('batch_format', 'RowBinary');
  url.searchParams.set('query_id', queryId);
  const form = new FormData();
  const rows = encodeRowBinary(readings);
  // A Buffer from Node's pool: its memory is an ArrayBuffer, never shared.
  form.append(
    'batch',
    new Blob([new Uint8Array(rows.buffer as ArrayBuffer, rows.byteOffset, rows.length)]),
    'batch',
  );
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      body: form,
      headers: shard.headers,
      signal: AbortSignal.timeout(timeoutMillis),
    });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    throw new Error(`insert into ClickHouse failed: ${cause?.message ?? (error as Error).message}`, {
      cause: error,
    });
  }
  const text = await response.text();
  if (!response.ok)
    throw new Error(`ClickHouse refused the insert (${response.status}): ${text.trim().slice(0, 500)}`);
}

/** Stores the query ids in the shard's `revoked_inserts`: a guarded insert of one of them run from now on stores nothing. */
export async function revokeInserts(
  client: ClickHouseClient,
  database: string,
  queryIds: readonly string[],
): Promise<void> {
  if (queryIds.length === 0) return;
  await client.command({
    query: `INSERT INTO ${database}.${revokedInsertsTable} (id) VALUES ${queryIds.map((id) => `(${quote(id)})`).join(', ')}`,
  });
}

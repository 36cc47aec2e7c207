// Part of `npm test`; alone: `npm run test:faults` (about 2.5 minutes). A steady stream through the local cluster while one NATS
// server, one processor and one ingest process are killed with SIGKILL and restarted, and while
// both ClickHouse shards are unreachable (stopped with SIGSTOP) for 30 s. Afterwards every
// acknowledged reading must be in ClickHouse exactly once, no alert or work order duplicated, and
// processing resumed. Counts are logged; `npm run test:faults` also writes them to
// bench/results/faults.json (bench:scale reports them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { hasPostgres } from '../../src/adapters/postgres/server-process.ts';
import { LocalCluster } from '../../scripts/cluster/launcher.ts';
import { runLoad } from '../../scripts/cluster/load.ts';
import type { LoadProgress } from '../../scripts/cluster/load.ts';
import { localTopology } from '../../scripts/cluster/topology.ts';
import { maintenanceCounts, storedCounts } from './checks.ts';

const repository = resolve(import.meta.dirname, '../..');
const missing = ['/usr/sbin/nats-server', '/usr/sbin/clickhouse-server'].filter((path) => !existsSync(path));
const skip =
  missing.length > 0 || !hasPostgres()
    ? `needs nats-server, clickhouse-server and PostgreSQL 15 or later (missing: ${missing.join(', ') || 'postgresql'})`
    : false;

const pause = (millis: number): Promise<void> => new Promise((done) => setTimeout(done, millis));

function log(line: string): void {
  process.stderr.write(`faults: ${line}\n`);
}

void test(
  'kill -9 of a NATS server, a processor and an ingest process, and 30 s without ClickHouse, lose and duplicate nothing',
  { skip, timeout: 900_000 },
  async () => {
    const directory = '/tmp/urban-brain-faults';
    // Processes of a run that was interrupted (their pids in the folder's pids.json) would join
    // this run's engines and write its shards: stopped first, as `npm run cluster:down` does.
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/cluster/down.ts', '--dir', directory], {
      cwd: repository,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await rm(directory, { recursive: true, force: true });
    await mkdir(directory, { recursive: true });
    const topology = localTopology(directory, 21_000);
    const cluster = new LocalCluster(topology, {
      adminKey: randomBytes(24).toString('base64url'),
      detached: false,
    });
    const pool = new pg.Pool({
      connectionString: `postgres://postgres@127.0.0.1:${topology.postgresPort}/postgres`,
      max: 2,
    });
    pool.on('error', () => undefined);
    const chUrl = `http://127.0.0.1:${topology.clickhouse[0]!.httpPort}/`;
    try {
      await cluster.startEngines();
      for (const spec of cluster.defaultRoles()) cluster.startRole(spec);
      for (const port of [topology.api.port, ...topology.ingest.map((node) => node.port)])
        await cluster.waitForHttp(port);
      await pause(5_000); // shards assigned
      // The API process serves the emergency queues from PostgreSQL: admit two patients now, find
      // them after the faults.
      const api = `http://127.0.0.1:${topology.api.port}/api/v1`;
      const headers = { authorization: `Bearer ${cluster.adminKey}`, 'content-type': 'application/json' };
      const hospital = {
        id: 'h-faults',
        type: 'hospital',
        name: 'Faults General',
        lat: 50,
        lon: 8,
        tags: {},
      };
      const created = await fetch(`${api}/assets`, {
        method: 'POST',
        headers,
        body: JSON.stringify(hospital),
      });
      assert.ok(created.ok, `hospital asset: ${created.status}`);
      for (const patientId of ['q1', 'q2']) {
        const presentation = {
          sex: 'male',
          ageYears: 40,
          arrivalMode: 'walk',
          injury: false,
          chiefComplaint: 'cough',
          mental: 'alert',
          pain: false,
          painScore: 0,
          systolicMmHg: 125,
          diastolicMmHg: 80,
          heartRatePerMinute: 80,
          respiratoryRatePerMinute: 16,
          temperatureCelsius: 36.8,
          oxygenSaturationPercent: 98,
        };
        const admitted = await fetch(`${api}/emergency/departments/h-faults/patients`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ patientId, presentation }),
        });
        assert.equal(admitted.status, 201, await admitted.text());
      }
      log('cluster up; streaming');

      const prefix = `f${Date.now().toString(36)}`;
      const sensors = 200;
      // Every 20th sensor carries planted spikes; the others are a steady sine.
      const spiked = (sensor: number): boolean => sensor % 20 === 0;
      const spikedId = (id: string): boolean => spiked(Number(id.slice(prefix.length + 1)));
      const stop = new AbortController();
      const progress: LoadProgress = { acknowledged: 0, retries: 0, acknowledgedOrder: [] };
      const loadStarted = Date.now();
      const load = runLoad(
        {
          urls: topology.ingest.map((node) => `http://127.0.0.1:${node.port}`),
          key: cluster.adminKey,
          prefix,
          sensors,
          startMillis: Date.UTC(2026, 0, 1),
          stepMillis: 60_000,
          batchReadings: 2_000,
          concurrency: 4,
          maxReadingsPerSecond: 30_000,
          totalReadings: 50_000_000,
          // A spike every 2,000 readings of every 20th sensor, after the detector has learned.
          value: (sensor, round) =>
            20 + Math.sin(round / 50) + (spiked(sensor) && round % 2_000 === 1_500 ? 40 : 0),
          signal: stop.signal,
        },
        progress,
      );
      const at = async (seconds: number, what: string, action: () => Promise<void> | void): Promise<void> => {
        const wait = loadStarted + seconds * 1_000 - Date.now();
        if (wait > 0) await pause(wait);
        log(`t=${seconds}s ${what} (acknowledged ${progress.acknowledged})`);
        await action();
      };
      await at(8, 'kill -9 nats-2', () => cluster.kill('nats-2', 'SIGKILL'));
      await at(14, 'kill -9 processor-1', () => cluster.kill('processor-1', 'SIGKILL'));
      await at(20, 'kill -9 ingest-1', () => cluster.kill('ingest-1', 'SIGKILL'));
      await at(30, 'restart nats-2, processor-1, ingest-1', async () => {
        await cluster.startNats(1);
        cluster.restartRole('processor-1');
        cluster.restartRole('ingest-1');
      });
      let outageAcknowledged = 0;
      const clickhouse = ['clickhouse-1', 'clickhouse-2'].map((name) => cluster.children.get(name)!);
      await at(45, 'ClickHouse unreachable (SIGSTOP both shards)', () => {
        outageAcknowledged = progress.acknowledged;
        for (const child of clickhouse) child.kill('SIGSTOP');
      });
      await at(75, 'ClickHouse back (SIGCONT)', () => {
        outageAcknowledged = progress.acknowledged - outageAcknowledged;
        for (const child of clickhouse) child.kill('SIGCONT');
      });
      // A rolling restart: an ingest process told to stop while clients keep sending to it.
      let ingestStop: { code: number | null; seconds: number } | null = null;
      await at(82, 'SIGTERM ingest-2 (clients busy)', async () => {
        const child = cluster.children.get('ingest-2')!;
        const signalledAt = Date.now();
        await cluster.kill('ingest-2', 'SIGTERM');
        ingestStop = { code: child.exitCode, seconds: (Date.now() - signalledAt) / 1_000 };
      });
      await at(90, 'stream stops', () => stop.abort());
      const result = await load;
      const streamSeconds = result.elapsedMillis / 1_000;
      log(
        `acknowledged ${result.acknowledged} readings in ${streamSeconds.toFixed(1)} s (${result.retries} re-sent batches)`,
      );

      const catchUpStarted = Date.now();
      let counts = await storedCounts(chUrl, 'urban_brain', prefix);
      while (counts.distinct < result.acknowledged && Date.now() - catchUpStarted < 300_000) {
        await pause(2_000);
        counts = await storedCounts(chUrl, 'urban_brain', prefix);
      }
      const catchUpSeconds = (Date.now() - catchUpStarted) / 1_000;
      await pause(5_000); // let a late duplicate show, if any
      counts = await storedCounts(chUrl, 'urban_brain', prefix);
      const maintenance = await maintenanceCounts(pool, prefix);
      const processorLog = await readFile(join(directory, 'processor-1.log'), 'utf8');
      const restartedPid = cluster.children.get('processor-1')?.pid;
      const takeOvers = processorLog
        .split('\n')
        .filter((line) => line.includes(`[${restartedPid}]`) && line.includes('taken over'));
      const summary = {
        acknowledged: result.acknowledged,
        lost: result.acknowledged - counts.distinct,
        duplicates: counts.inserted - counts.distinct,
        stored_rows: counts.rows,
        resent_batches: result.retries,
        acknowledged_while_clickhouse_unreachable: outageAcknowledged,
        catch_up_seconds: Math.round(catchUpSeconds),
        alerts: maintenance.alerts,
        alert_duplicates: maintenance.alerts - maintenance.distinctAlerts,
        alerted_sensors_with_spikes: maintenance.alertedSensors.filter(spikedId).length,
        alerted_sensors_without_spikes: maintenance.alertedSensors.filter((id) => !spikedId(id)).length,
        work_orders: maintenance.workOrders,
        max_active_work_orders_per_asset: maintenance.maxActivePerAsset,
        shards_taken_by_restarted_processor: takeOvers.length,
        ingest_sigterm: ingestStop,
        stream_readings_per_s: Math.round(result.acknowledged / streamSeconds),
        measured_at: new Date().toISOString(),
      };
      log(JSON.stringify(summary));
      const unplanted = maintenance.alertTimes.filter((alert) => !spikedId(alert.sensor));
      if (unplanted.length > 0) {
        const rounds = unplanted.map((alert) => (alert.ts - Date.UTC(2026, 0, 1)) / 60_000);
        log(`alerts of sensors without spikes at rounds ${[...new Set(rounds)].slice(0, 40).join(', ')}`);
        // What the detector saw before the first of them: rounds (gaps show), values and scores.
        const first = unplanted[0]!;
        const points = first.evidence.map(
          (point) =>
            `${(point.ts - Date.UTC(2026, 0, 1)) / 60_000}:${point.value.toFixed(4)}:${point.score.toFixed(3)}`,
        );
        log(`evidence of ${first.sensor} (round:value:score): ${points.join(' ')}`);
        // Batches acknowledged after a later one: their readings reach the detectors after newer
        // ones of the same sensors, and are skipped there (first round, and rounds behind the newest).
        const late: string[] = [];
        let newest = -1;
        for (const batchFirst of progress.acknowledgedOrder ?? []) {
          if (batchFirst < newest) late.push(`${batchFirst / sensors}(-${(newest - batchFirst) / sensors})`);
          newest = Math.max(newest, batchFirst);
        }
        log(`${late.length} batches acknowledged late, at rounds: ${late.join(' ')}`);
      }
      if (process.env['URBAN_BRAIN_FAULTS_RESULTS'] === '1') {
        await mkdir(join(repository, 'bench/results'), { recursive: true });
        await writeFile(join(repository, 'bench/results/faults.json'), `${JSON.stringify(summary)}\n`);
      }

      assert.equal(summary.lost, 0, 'every acknowledged reading is stored');
      assert.equal(summary.duplicates, 0, 'and stored once');
      assert.ok(outageAcknowledged > 0, 'ingest kept acknowledging while ClickHouse was unreachable');
      assert.equal(summary.alert_duplicates, 0);
      assert.ok(summary.alerts > 0, 'the planted spikes raised alerts');
      // A shard's detectors that miss readings (two starts of one shard sharing its consumer) see a
      // jump in every steady sine: every sensor without spikes alerted at one round.
      assert.equal(summary.alerted_sensors_without_spikes, 0, 'no sensor without spikes alerts');
      assert.ok(summary.max_active_work_orders_per_asset <= 1);
      assert.ok(takeOvers.length > 0, 'the restarted processor took shards again');
      const stopped = ingestStop as { code: number | null; seconds: number } | null;
      assert.equal(stopped?.code, 0, 'the ingest process stopped by SIGTERM exits 0');
      assert.ok(stopped.seconds < 5, `it stopped in ${stopped.seconds} s of a 10 s grace period`);
      const queue = (await (
        await fetch(`${api}/emergency/departments/h-faults/queue`, { headers })
      ).json()) as { queue: { patientId: string }[] };
      assert.deepEqual(
        queue.queue.map((entry) => entry.patientId).sort(),
        ['q1', 'q2'],
        'the emergency queue is kept in PostgreSQL',
      );
    } finally {
      await pool.end();
      await cluster.stopAll();
    }
  },
);

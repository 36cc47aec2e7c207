import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metrics } from './metrics.ts';

test('the detection gauges read the service when scraped', async () => {
  const metrics = new Metrics();
  let backlog = 1_200;
  metrics.watchDetection({
    backlogReadings: () => backlog,
    status: () => ({ sensors: 42, restarts: 1, pendingAlerts: 3 }),
  });
  let text = await metrics.registry.metrics();
  assert.match(text, /urban_brain_detection_backlog_readings 1200/);
  assert.match(text, /urban_brain_detection_sensors 42/);
  // A count that only grows is a counter, named `_total` (it was a gauge named without it).
  assert.match(
    text,
    /# TYPE urban_brain_detection_restarts_total counter\nurban_brain_detection_restarts_total 1\n/,
  );
  assert.match(text, /urban_brain_detection_pending_alerts 3/);
  backlog = 0;
  text = await metrics.registry.metrics();
  assert.match(text, /urban_brain_detection_backlog_readings 0/);
});

test("the live traffic district's counters are read when scraped, 0 while none runs", async () => {
  const metrics = new Metrics();
  type Stats = NonNullable<ReturnType<Parameters<Metrics['watchTraffic']>[0]>>;
  let district: { stats: Stats } | null = null;
  metrics.watchTraffic(() => district?.stats ?? null);
  let text = await metrics.registry.metrics();
  assert.match(text, /urban_brain_traffic_tick_failures_total 0\n/);
  assert.match(text, /urban_brain_traffic_behind_seconds 0\n/);
  district = {
    stats: {
      behindSeconds: 90,
      skips: 2,
      tickFailures: 3,
      ticksSkipped: 4,
      readingsRefused: 5,
      readingsPending: 6,
    },
  };
  text = await metrics.registry.metrics();
  assert.match(
    text,
    /# TYPE urban_brain_traffic_tick_failures_total counter\nurban_brain_traffic_tick_failures_total 3\n/,
  );
  for (const [name, value] of [
    ['urban_brain_traffic_behind_seconds', 90],
    ['urban_brain_traffic_skips_total', 2],
    ['urban_brain_traffic_ticks_skipped_total', 4],
    ['urban_brain_traffic_readings_refused_total', 5],
    ['urban_brain_traffic_readings_pending', 6],
  ] as const)
    assert.match(text, new RegExp(`\\n${name} ${value}\\n`), name);
});

test('the emergency gauges read the departments once per scrape, by hospital and level', async () => {
  const metrics = new Metrics();
  let reads = 0;
  let waiting = [0, 2, 1, 0, 0];
  metrics.watchEmergency({
    departments: async () => {
      reads += 1;
      return [{ id: 'central', waitingByLevel: waiting, inTreatment: 4, enRouteByLevel: [0, 1, 0, 0, 1] }];
    },
  });
  let text = await metrics.registry.metrics();
  assert.match(text, /urban_brain_emergency_waiting_patients\{hospital="central",level="2"\} 2/);
  assert.match(text, /urban_brain_emergency_waiting_patients\{hospital="central",level="3"\} 1/);
  assert.match(text, /urban_brain_emergency_in_treatment_patients\{hospital="central"\} 4/);
  assert.match(text, /urban_brain_emergency_ambulances_en_route\{hospital="central"\} 2/);
  assert.equal(reads, 1);
  waiting = [0, 0, 0, 0, 0];
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  text = await metrics.registry.metrics();
  assert.match(text, /urban_brain_emergency_waiting_patients\{hospital="central",level="2"\} 0/);
  assert.equal(reads, 2);
});

test('a scrape still answers, without the emergency series, while the departments cannot be read', async () => {
  // Regression: one failed read of the departments (their database down) failed the whole scrape.
  const metrics = new Metrics();
  metrics.accepted(5, 'json');
  metrics.watchEmergency({
    departments: () => Promise.reject(new Error('connection refused')),
  });
  const text = await metrics.registry.metrics();
  assert.match(text, /urban_brain_readings_accepted_total\{path="json"\} 5/);
  assert.doesNotMatch(text, /^urban_brain_emergency_waiting_patients\{/m);
});

test('the ingest pipeline counters and gauges read the pipeline when scraped', async () => {
  const metrics = new Metrics();
  const stats = {
    accepted: 10,
    stored: 5,
    duplicates: 0,
    buffered: 5,
    walBacklogBytes: 4096,
    flushes: 1,
    lastFlushMillis: 3,
    failures: 2,
    logWriteFailures: 7,
    logWritable: false,
  };
  metrics.watchIngestPipeline({ stats: () => stats });
  let text = await metrics.registry.metrics();
  assert.match(text, /urban_brain_ingest_buffered_readings 5/);
  assert.match(text, /urban_brain_wal_backlog_bytes 4096/);
  assert.match(text, /urban_brain_wal_writable 0/);
  assert.match(text, /urban_brain_wal_write_failures_total 7/);
  assert.match(text, /urban_brain_store_flush_failures_total 2/);
  stats.logWriteFailures = 9;
  stats.logWritable = true;
  text = await metrics.registry.metrics();
  assert.match(text, /urban_brain_wal_write_failures_total 9/);
  assert.match(text, /urban_brain_wal_writable 1/);
});

test('counts accepted and rejected readings by the path they came by, every path at 0 from the start', async () => {
  const metrics = new Metrics();
  let text = await metrics.registry.metrics();
  for (const path of ['json', 'senml', 'line_protocol', 'mqtt', 'mqtt_senml', 'simulation'])
    assert.match(text, new RegExp(`^urban_brain_readings_accepted_total\\{path="${path}"\\} 0$`, 'm'));
  metrics.accepted(5, 'json');
  metrics.accepted(2, 'json');
  metrics.accepted(3, 'mqtt');
  metrics.rejected('malformed', 1, 'line_protocol');
  metrics.rejected('malformed', 2, 'mqtt_senml');
  metrics.rejected('not-a-number', 4, 'mqtt_senml');
  text = await metrics.registry.metrics();
  assert.match(text, /^urban_brain_readings_accepted_total\{path="json"\} 7$/m);
  assert.match(text, /^urban_brain_readings_accepted_total\{path="mqtt"\} 3$/m);
  assert.match(text, /^urban_brain_readings_accepted_total\{path="senml"\} 0$/m);
  assert.match(text, /^urban_brain_readings_rejected_total\{reason="malformed",path="line_protocol"\} 1$/m);
  assert.match(text, /^urban_brain_readings_rejected_total\{reason="malformed",path="mqtt_senml"\} 2$/m);
  assert.match(text, /^urban_brain_readings_rejected_total\{reason="not-a-number",path="mqtt_senml"\} 4$/m);
});

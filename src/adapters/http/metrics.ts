import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RejectionRule } from '../../core/readings/reading.ts';
import { ingestPaths, type IngestObserver, type IngestPath } from '../../services/edge/edge-ingest.ts';
import type { PipelineStats } from '../../services/ingest/pipeline.ts';

/** The Prometheus metrics of the platform, in their own registry (no global state). */
export class Metrics implements IngestObserver {
  readonly registry = new Registry();
  readonly #accepted = new Counter({
    name: 'urban_brain_readings_accepted_total',
    help: 'Readings stored durably and acknowledged, by the path they came by',
    labelNames: ['path'],
    registers: [this.registry],
  });
  readonly #rejected = new Counter({
    name: 'urban_brain_readings_rejected_total',
    help: 'Readings refused at the edge, by rule and by the path they came by',
    labelNames: ['reason', 'path'],
    registers: [this.registry],
  });
  readonly #overloaded = new Counter({
    name: 'urban_brain_ingest_overloaded_total',
    help: 'Batches turned away because the store was overloaded, by the path they came by',
    labelNames: ['path'],
    registers: [this.registry],
  });
  readonly #overloadedReadings = new Counter({
    name: 'urban_brain_ingest_overloaded_readings_total',
    help: 'Readings in the batches turned away as overloaded (to be sent again), by path',
    labelNames: ['path'],
    registers: [this.registry],
  });
  readonly #queue = new Gauge({
    name: 'urban_brain_ingest_queue_readings',
    help: 'Readings handed to the store and not yet durable',
    registers: [this.registry],
  });
  readonly #lag = new Gauge({
    name: 'urban_brain_ingest_lag_seconds',
    help: 'Age of the newest reading of the last stored batch when it became durable',
    registers: [this.registry],
  });
  readonly #write = new Histogram({
    name: 'urban_brain_store_write_seconds',
    help: 'Time from handing a batch to the store until it is durable',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    // Every path's series from the start, at 0: a rate over a path that has taken nothing yet is 0,
    // not missing.
    for (const path of ingestPaths) {
      this.#accepted.inc({ path }, 0);
      this.#overloaded.inc({ path }, 0);
      this.#overloadedReadings.inc({ path }, 0);
    }
    if (options.processMetrics === true)
      collectDefaultMetrics({ register: this.registry, prefix: 'urban_brain_' });
  }

  /**
   * Failure-prediction gauges, read when scraped: readings waiting for the detectors, sensors
   * with a detector, and how often the detectors' thread was restarted.
   */
  watchDetection(detection: {
    backlogReadings(): number;
    status(): { sensors: number; restarts: number; pendingAlerts: number };
  }): void {
    const gauge = this.#scrapedGauge.bind(this);
    gauge('urban_brain_detection_backlog_readings', 'Accepted readings not yet scored by the detectors', () =>
      detection.backlogReadings(),
    );
    gauge(
      'urban_brain_detection_sensors',
      'Sensors with a failure-prediction detector',
      () => detection.status().sensors,
    );
    this.#scrapedCounter(
      'urban_brain_detection_restarts_total',
      'Times the detectors were restarted from saved states',
      () => detection.status().restarts,
    );
    gauge(
      'urban_brain_detection_pending_alerts',
      'Crossings waiting to become alerts',
      () => detection.status().pendingAlerts,
    );
  }

  /**
   * The embedded store's ingest pipeline, read when scraped: readings waiting for the database,
   * write-ahead-log backlog, whether the log can be written, and the failures of log writes and
   * of flushes into the database.
   */
  watchIngestPipeline(pipeline: { stats(): PipelineStats }): void {
    const gauge = (name: string, help: string, read: (stats: PipelineStats) => number) =>
      this.#scrapedGauge(name, help, () => read(pipeline.stats()));
    const counter = (name: string, help: string, read: (stats: PipelineStats) => number) =>
      this.#scrapedCounter(name, help, () => read(pipeline.stats()));
    gauge(
      'urban_brain_ingest_buffered_readings',
      'Acknowledged readings waiting to be written into the database',
      (stats) => stats.buffered,
    );
    gauge(
      'urban_brain_wal_backlog_bytes',
      'Write-ahead log bytes not yet covered by a database checkpoint',
      (stats) => stats.walBacklogBytes,
    );
    gauge(
      'urban_brain_wal_writable',
      '1 while the write-ahead log can be written, 0 while its writes fail (ingest is refused)',
      (stats) => (stats.logWritable ? 1 : 0),
    );
    counter(
      'urban_brain_wal_write_failures_total',
      'Ingest calls not acknowledged because the write-ahead log could not be written',
      (stats) => stats.logWriteFailures,
    );
    counter(
      'urban_brain_store_flush_failures_total',
      'Flushes, checkpoints and retention runs of the database that failed (each is retried)',
      (stats) => stats.failures,
    );
  }

  /**
   * The live traffic district's counters, read when scraped (0 while none runs): how far its run
   * is behind the clock, its skips ahead, its ticks that failed (logged) or were skipped while one
   * was still running, and its detector readings refused or waiting to be handed to ingest.
   */
  watchTraffic(
    stats: () => {
      behindSeconds: number;
      skips: number;
      tickFailures: number;
      ticksSkipped: number;
      readingsRefused: number;
      readingsPending: number;
    } | null,
  ): void {
    type Stats = NonNullable<ReturnType<typeof stats>>;
    const read = (pick: (current: Stats) => number) => () => {
      const current = stats();
      return current === null ? 0 : pick(current);
    };
    this.#scrapedGauge(
      'urban_brain_traffic_behind_seconds',
      'Simulated seconds the live traffic district is behind the clock',
      read((s) => s.behindSeconds),
    );
    this.#scrapedCounter(
      'urban_brain_traffic_skips_total',
      'Times the live traffic district fell too far behind and went on from the clock (a gap in its readings)',
      read((s) => s.skips),
    );
    this.#scrapedCounter(
      'urban_brain_traffic_tick_failures_total',
      'Steps of the live traffic district that failed (each logged)',
      read((s) => s.tickFailures),
    );
    this.#scrapedCounter(
      'urban_brain_traffic_ticks_skipped_total',
      'Steps of the live traffic district skipped while the one before was still running',
      read((s) => s.ticksSkipped),
    );
    this.#scrapedCounter(
      'urban_brain_traffic_readings_refused_total',
      "Readings of the live traffic district's detectors that ingest refused",
      read((s) => s.readingsRefused),
    );
    this.#scrapedGauge(
      'urban_brain_traffic_readings_pending',
      "Readings of the live traffic district's detectors waiting to be handed to ingest",
      read((s) => s.readingsPending),
    );
  }

  /**
   * Emergency departments, read from the service when scraped: patients waiting by hospital and
   * triage level, patients in treatment and ambulances on their way by hospital.
   */
  watchEmergency(emergency: {
    departments(): Promise<
      readonly {
        id: string;
        waitingByLevel: readonly number[];
        inTreatment: number;
        enRouteByLevel: readonly number[];
      }[]
    >;
  }): void {
    type Departments = Awaited<ReturnType<typeof emergency.departments>>;
    // One read of the service serves the three gauges of a scrape.
    let cached: { at: number; departments: Promise<Departments> } | undefined;
    const read = (): Promise<Departments> => {
      const now = performance.now();
      if (cached === undefined || now - cached.at > 1_000)
        cached = { at: now, departments: emergency.departments() };
      return cached.departments;
    };
    type Department = Departments[number];
    const registers = [this.registry];
    // A gauge whose series are each department's (labels, value) pairs, read at every scrape.
    const gauge = (
      name: string,
      help: string,
      labelNames: readonly string[],
      series: (department: Department) => [Record<string, string>, number][],
    ) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          let departments: Departments;
          try {
            departments = await read();
          } catch {
            // The departments cannot be read (their database is down): these series are left out
            // of the scrape rather than failing it, so every other metric still reaches Prometheus.
            this.reset();
            return;
          }
          this.reset();
          for (const department of departments)
            for (const [labels, value] of series(department)) this.set(labels, value);
        },
      });
    gauge(
      'urban_brain_emergency_waiting_patients',
      'Patients waiting in an emergency queue, by hospital and triage level',
      ['hospital', 'level'],
      (department) =>
        department.waitingByLevel.map((count, index) => [
          { hospital: department.id, level: String(index + 1) },
          count,
        ]),
    );
    gauge(
      'urban_brain_emergency_in_treatment_patients',
      'Patients in treatment at an emergency department (its occupancy)',
      ['hospital'],
      (department) => [[{ hospital: department.id }, department.inTreatment]],
    );
    gauge(
      'urban_brain_emergency_ambulances_en_route',
      'Ambulances sent to an emergency department and not yet arrived',
      ['hospital'],
      (department) => [
        [{ hospital: department.id }, department.enRouteByLevel.reduce((total, count) => total + count, 0)],
      ],
    );
  }

  /** A gauge set from `read()` at every scrape. */
  #scrapedGauge(name: string, help: string, read: () => number): Gauge {
    return new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** A counter kept elsewhere (monotonic while the process runs), copied at every scrape. */
  #scrapedCounter(name: string, help: string, read: () => number): Counter {
    return new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  accepted(count: number, path: IngestPath): void {
    this.#accepted.inc({ path }, count);
  }

  rejected(rule: RejectionRule, count: number, path: IngestPath): void {
    this.#rejected.inc({ reason: rule, path }, count);
  }

  queueDepth(readings: number): void {
    this.#queue.set(readings);
  }

  stored(writeMillis: number, lagMillis: number): void {
    this.#write.observe(writeMillis / 1000);
    this.#lag.set(lagMillis / 1000);
  }

  overloaded(readings: number, path: IngestPath): void {
    this.#overloaded.inc({ path });
    this.#overloadedReadings.inc({ path }, readings);
  }
}

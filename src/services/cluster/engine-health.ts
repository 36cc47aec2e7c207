import { describeOutageEnd, Outages } from '../../core/outages.ts';

/**
 * The engines a scaled-out process depends on. `jetstream` is NATS able to store (its streams have
 * a quorum), which a live connection to one server does not tell.
 */
export type Engine = 'nats' | 'jetstream' | 'clickhouse' | 'postgres';

export const engineNames: Record<Engine, string> = {
  nats: 'NATS',
  jetstream: 'NATS JetStream',
  clickhouse: 'ClickHouse',
  postgres: 'PostgreSQL',
};

/** The engines each role needs to do its work (and so to answer `/healthz` with 200). */
export const enginesOfRole: Record<'ingest' | 'process' | 'api' | 'all', readonly Engine[]> = {
  ingest: ['nats', 'jetstream', 'postgres'],
  process: ['nats', 'jetstream', 'clickhouse', 'postgres'],
  api: ['nats', 'clickhouse', 'postgres'],
  // `all` ingests too: without JetStream its publishes fail as an ingest process's do.
  all: ['nats', 'jetstream', 'clickhouse', 'postgres'],
};

export interface EngineHealthOptions {
  log(line: string): void;
  clock?: () => number;
}

/**
 * Which engines are reachable, as the connection listeners and periodic checks last saw them (so
 * asking costs no network call). Each outage is logged twice: one line when an engine stops
 * answering, one when it is back, with how long it was down and how many failures were seen
 * meanwhile; the failures in between are only counted.
 */
export class EngineHealth {
  readonly #log: (line: string) => void;
  readonly #outages: Outages<Engine>;

  constructor(options: EngineHealthOptions) {
    this.#log = options.log;
    this.#outages = new Outages(options.clock ?? Date.now);
  }

  /** `engine` failed (a check, a lost connection, a reconnect attempt); `reason` says how. */
  failed(engine: Engine, reason: string): void {
    if (this.#outages.failed(engine)) this.#log(`${engineNames[engine]} unreachable: ${reason}`);
  }

  /** `engine` answered; `detail` (e.g. the server reached) is added to the line that ends an outage. */
  succeeded(engine: Engine, detail?: string): void {
    const end = this.#outages.succeeded(engine);
    if (end === undefined) return;
    this.#log(
      `${engineNames[engine]} reachable again${detail === undefined ? '' : ` (${detail})`} after ${describeOutageEnd(end)}`,
    );
  }

  /** Which of `engines` are down now, in the order given. */
  down(engines: readonly Engine[]): Engine[] {
    return engines.filter((engine) => this.#outages.isDown(engine));
  }
}

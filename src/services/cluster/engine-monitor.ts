import type { NatsConnection } from 'nats';
import { watchConnection } from '../../adapters/nats/connection-status.ts';
import type { ClusterRole } from './cluster-config.ts';
import { EngineChecks } from './engine-checks.ts';
import type { EngineCheck } from './engine-checks.ts';
import { EngineHealth, enginesOfRole } from './engine-health.ts';
import type { Engine } from './engine-health.ts';

export interface EngineMonitorOptions {
  role: ClusterRole;
  nats: NatsConnection;
  clickhouse: { ping(): Promise<void> };
  postgres: { query(sql: string): Promise<unknown> };
  /** Rejects while JetStream cannot store the readings (asked only of roles that need it). */
  jetstream: { check(): Promise<unknown> };
  log(line: string): void;
  /** How often JetStream, ClickHouse and PostgreSQL are asked (default 2 s). */
  intervalMillis?: number;
  /** A check not answered within this time fails (default 5 s). */
  timeoutMillis?: number;
}

/**
 * What a running process knows of its engines: NATS from the client's connection events,
 * JetStream, ClickHouse and PostgreSQL from a cheap request every `intervalMillis` (only the
 * engines the role needs). A connection to one NATS server says nothing of whether JetStream can
 * store: with two of three servers gone it stays up while every publish fails. Each outage is logged when it starts and when it ends; `down()` answers from that state.
 */
export class EngineMonitor {
  readonly #engines: readonly Engine[];
  readonly #health: EngineHealth;
  readonly #checks: EngineChecks;
  readonly #watching: Promise<void>;
  #stopped = false;

  constructor(options: EngineMonitorOptions) {
    this.#engines = enginesOfRole[options.role];
    this.#health = new EngineHealth({ log: (line) => this.#stopped || options.log(line) });
    const health = this.#health;
    const checks: EngineCheck[] = [{ engine: 'postgres', check: () => options.postgres.query('SELECT 1') }];
    if (this.#engines.includes('jetstream'))
      checks.push({ engine: 'jetstream', check: () => options.jetstream.check() });
    if (this.#engines.includes('clickhouse'))
      checks.push({ engine: 'clickhouse', check: () => options.clickhouse.ping() });
    this.#checks = new EngineChecks({
      health,
      checks,
      intervalMillis: options.intervalMillis ?? 2_000,
      timeoutMillis: options.timeoutMillis ?? 5_000,
    });
    // An attempt counts as a failure once the next one starts (the last one succeeds).
    let attempting = false;
    this.#watching = watchConnection(options.nats, {
      lost: (server) => {
        attempting = false;
        health.failed('nats', `connection to ${server} lost; reconnecting`);
      },
      reconnecting: (server) => {
        if (attempting) health.failed('nats', `reconnecting to ${server}`);
        attempting = true;
      },
      restored: (server) => {
        attempting = false;
        health.succeeded('nats', `connected to ${server}`);
      },
      serverError: (message) => this.#stopped || options.log(`NATS server error: ${message}`),
    });
  }

  start(): void {
    this.#checks.start();
  }

  /** The engines this role needs that are down now (no network call). */
  down(): Engine[] {
    return this.#health.down(this.#engines);
  }

  /** Stops checking and logging (at shutdown the engines' connections are closed on purpose). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#checks.stop();
  }

  /** Resolves once the NATS connection is closed. */
  closed(): Promise<void> {
    return this.#watching;
  }
}

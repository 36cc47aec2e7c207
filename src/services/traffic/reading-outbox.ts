/**
 * Detector readings on their way to the ingest edge: validated with the
 * edge's own rules (as the HTTP and MQTT parsers do), handed to
 * `EdgeIngest.accept`, and kept for the next attempt when the store is
 * overloaded or the edge fails, up to a bound beyond which the oldest are
 * dropped and counted.
 */
import { BatchCollector, type ValidationOptions } from '../../core/ingest/validation.ts';
import type { Reading } from '../../core/readings/reading.ts';
import type { EdgeIngest } from '../edge/edge-ingest.ts';

export class ReadingOutbox {
  readonly #edge: Pick<EdgeIngest, 'accept'>;
  readonly #validation: ValidationOptions;
  readonly #maxPending: number;
  #pending: Reading[] = [];
  accepted = 0;
  refused = 0;

  constructor(edge: Pick<EdgeIngest, 'accept'>, validation: ValidationOptions, maxPending: number) {
    this.#edge = edge;
    this.#validation = validation;
    this.#maxPending = maxPending;
  }

  get pending(): number {
    return this.#pending.length;
  }

  add(reading: Reading): void {
    this.#pending.push(reading);
  }

  /** Sends what is pending; throws what the edge throws, keeping the readings. */
  async send(nowMillis: number): Promise<void> {
    this.#trim();
    if (this.#pending.length === 0) return;
    const readings = this.#pending;
    this.#pending = [];
    const collector = new BatchCollector(nowMillis, this.#validation);
    readings.forEach((r, index) => {
      if (collector.checkSensor(index, r.sensor)) collector.accept(index, r.sensor, r.ts, r.value);
    });
    const batch = collector.batch();
    let outcome;
    try {
      outcome = await this.#edge.accept(batch, 'simulation');
    } catch (error) {
      this.#pending = [...batch.readings, ...this.#pending];
      throw error;
    }
    this.refused += outcome.rejected.length;
    if (outcome.ok) this.accepted += outcome.accepted;
    else if (outcome.reason !== 'shutting-down') this.#pending = [...batch.readings, ...this.#pending];
    else this.refused += batch.readings.length;
  }

  #trim(): void {
    const excess = this.#pending.length - this.#maxPending;
    if (excess <= 0) return;
    this.#pending.splice(0, excess);
    this.refused += excess;
  }
}

/**
 * Runs work one piece at a time, in the order it was handed in (a DuckDB connection runs one
 * statement or transaction at a time; a record's read, change and write must not interleave with
 * another's). A failed piece fails its own caller only.
 */
export class Serial {
  #last: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#last.then(work);
    this.#last = next.catch(() => undefined);
    return next;
  }

  /** Resolves once everything handed in so far has finished. */
  async idle(): Promise<void> {
    await this.#last;
  }
}

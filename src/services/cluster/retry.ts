/** Runs `work` until it succeeds or `timeoutMillis` passed (then its last error is thrown). For start-up steps. */
export async function retry<T>(
  what: string,
  work: () => Promise<T>,
  log: (line: string) => void,
  timeoutMillis = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMillis;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      if (attempt % 5 === 1) log(`${what}: ${String(error)}; retrying`);
      await new Promise((resolve) => setTimeout(resolve, 500 * Math.min(attempt, 4)));
    }
  }
}

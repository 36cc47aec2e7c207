export { freePort } from '../../src/adapters/free-port.ts';

/** Polls `check` every 10 ms until it is true or `timeoutMillis` passes. */
export async function waitFor(check: () => boolean, timeoutMillis = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMillis} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

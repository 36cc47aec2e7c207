/**
 * Wraps a reload so that at most one runs at a time: a call made while one is under way is answered
 * by one more run after it, shared by every call made meanwhile. On a platform slower than the
 * page's timer, requests would otherwise pile up (each adding to the load that slows them) and an
 * older answer could be drawn over a newer one; and each call is still followed by a read that
 * started after it (a vehicle just sent shows at once).
 */
export function oneAtATime(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const start = (): Promise<void> => {
    const run = task().finally(() => {
      running = null;
    });
    running = run;
    return run;
  };
  return () => {
    if (running === null) return start();
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = null;
        return start();
      });
    return next;
  };
}

/** The wall clock the live simulation is paced by, and its timer; tests pass a fake one. */
export interface TrafficClock {
  now(): number;
  /** Calls `callback` every `millis` until the returned function is called. */
  every(millis: number, callback: () => void): () => void;
}

export const systemClock: TrafficClock = {
  now: () => Date.now(),
  every(millis, callback) {
    const timer = setInterval(callback, millis);
    timer.unref?.();
    return () => clearInterval(timer);
  },
};

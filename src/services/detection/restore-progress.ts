import type { DetectorState, DetectorStateStore } from '../../ports/maintenance.ts';

/** How often a long restore or save of detector states says how far it got. */
export const PROGRESS_EVERY_MILLIS = 5_000;

/**
 * `store`, whose `loadDetectorStates` says how far it got: every `PROGRESS_EVERY_MILLIS` while it
 * runs, and once at the end, with the time it took, when there was a state to load. The states are
 * restored before the server listens, which takes 15–60 s at a million sensors: without
 * these lines the start looks hung.
 */
export function withRestoreProgress(
  store: DetectorStateStore,
  log: (line: string) => void,
  now: () => number = () => performance.now(),
): DetectorStateStore {
  const progressing: DetectorStateStore = {
    saveDetectorStates: (states) => store.saveDetectorStates(states),
    loadDetectorStates: async (each) => {
      const started = now();
      let reported = started;
      let loaded = 0;
      await store.loadDetectorStates(async (states: DetectorState[]) => {
        await each(states);
        loaded += states.length;
        const at = now();
        if (at - reported >= PROGRESS_EVERY_MILLIS) {
          reported = at;
          log(
            `failure prediction: restoring saved detector states: ${count(loaded)} so far, ${seconds(at - started)}`,
          );
        }
      });
      if (loaded > 0)
        log(
          `failure prediction: restored ${count(loaded)} saved detector states in ${seconds(now() - started)}`,
        );
    },
  };
  const { markStatesSaved, statesSavedAt } = store;
  if (markStatesSaved !== undefined)
    progressing.markStatesSaved = (atMillis) => markStatesSaved.call(store, atMillis);
  if (statesSavedAt !== undefined) progressing.statesSavedAt = () => statesSavedAt.call(store);
  return progressing;
}

function count(states: number): string {
  return states.toLocaleString('en-US');
}

function seconds(millis: number): string {
  return `${(millis / 1000).toFixed(1)} s`;
}

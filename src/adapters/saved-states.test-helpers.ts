import type { DetectorState, DetectorStateStore } from '../ports/maintenance.ts';

/** Every state a store holds, gathered from the chunks it hands over. */
export async function allSavedStates(
  store: Pick<DetectorStateStore, 'loadDetectorStates'>,
): Promise<DetectorState[]> {
  const states: DetectorState[] = [];
  await store.loadDetectorStates(async (chunk) => {
    states.push(...chunk);
  });
  return states;
}

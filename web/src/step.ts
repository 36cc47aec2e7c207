import { roundStep } from '../../src/core/readings/step.ts';

/** The chart's step: never under a second, and rounded so that a rollup answers it (`roundStep`). */
export function roundedStep(millis: number): number {
  return millis >= 1000 ? roundStep(millis) : 1000;
}

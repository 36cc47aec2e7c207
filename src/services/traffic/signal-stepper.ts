/**
 * A signal controller driving the engine one step at a time, with the same
 * decision cadence as `runController` in `src/core/traffic/run.ts` (a change
 * shows the yellow light phase first, a controller may ask for its next
 * decision sooner or later), so a live run and an offline evaluation of the
 * same scenario produce the same figures. Phase changes are reported to the
 * caller as they are decided.
 */
import type {
  DecisionCadence,
  IntersectionObservation,
  PriorityRequest,
  SignalController,
} from '../../core/traffic/controller.ts';
import type { Engine } from '../../core/traffic/engine.ts';
import { createSignalStates, observe } from '../../core/traffic/run.ts';

type SignalState = ReturnType<typeof createSignalStates>[number];

/** A decided change of green at one intersection. */
export interface PhaseChange {
  readonly intersectionId: string;
  /** Position of the new green among the offered greens (0 .. phaseCount − 1). */
  readonly phase: number;
  /** Position of the previous green, −1 before the first decision. */
  readonly previousPhase: number;
  /** Light phase index of the roadnet shown once the yellow is over. */
  readonly lightPhase: number;
  /** Simulation time of the decision. */
  readonly timeSeconds: number;
}

export interface SignalView {
  readonly id: string;
  /** Position of the current (or upcoming, during yellow) green among the offered greens; −1 before the first decision. */
  readonly phase: number;
  readonly phaseCount: number;
  /** Light phase of the roadnet of that green; −1 before the first decision. */
  readonly lightPhase: number;
  readonly yellow: boolean;
}

export class SignalStepper {
  readonly engine: Engine;
  readonly controller: SignalController;
  readonly #states: SignalState[];
  readonly #decisionSteps: number;
  readonly #yellowSteps: number;
  readonly #approachMetres: number;
  readonly #pendingGreen = new Map<SignalState, number>();

  constructor(engine: Engine, controller: SignalController, cadence: DecisionCadence, phaseCount: number) {
    this.engine = engine;
    this.controller = controller;
    const interval = engine.intervalSeconds;
    this.#decisionSteps = Math.max(1, Math.round(cadence.decisionSeconds / interval));
    this.#yellowSteps = Math.round(cadence.yellowSeconds / interval);
    this.#approachMetres = controller.detectionMetres ?? cadence.approachMetres;
    this.#states = createSignalStates(engine, phaseCount);
  }

  /** Layouts of the controlled intersections, in the engine's order. */
  get layouts() {
    return this.#states.map((s) => s.layout);
  }

  /**
   * Decides where due, applies yellow and green, advances the engine by one step. With `priority`
   * (emergency vehicles' requests by intersection id, as `runController`'s `priority` with
   * `preempt`), an intersection whose green does not serve its request decides at once.
   */
  step(onChange?: (change: PhaseChange) => void, priority?: ReadonlyMap<string, PriorityRequest>): void {
    const step = this.engine.step;
    const due = this.#states.filter((s) => s.nextDecisionStep <= step || preempted(s, priority));
    if (due.length > 0) this.#decide(due, step, onChange, priority);
    for (const [s, at] of this.#pendingGreen) {
      if (at <= step) {
        this.engine.setLightPhase(s.intersection.index, s.green);
        this.#pendingGreen.delete(s);
      }
    }
    this.engine.nextStep();
  }

  signals(): SignalView[] {
    return this.#states.map((s) => ({
      id: s.layout.id,
      phase: s.plan.greenLightPhases.indexOf(s.green),
      phaseCount: s.plan.greenLightPhases.length,
      lightPhase: s.green,
      yellow: this.#pendingGreen.has(s),
    }));
  }

  #decide(
    due: SignalState[],
    step: number,
    onChange?: (change: PhaseChange) => void,
    priority?: ReadonlyMap<string, PriorityRequest>,
  ): void {
    const time = this.engine.timeSeconds;
    const observations = new Map<string, IntersectionObservation>();
    for (const s of this.#states) observations.set(s.layout.id, observe(s, step, this.#approachMetres, time));
    const decisions = this.controller.decide(
      { intersections: observations, timeSeconds: time },
      due.map((s) => s.layout.id),
      priority,
    );
    for (const s of due) {
      const decision = decisions.get(s.layout.id);
      const next = decision?.nextDecisionSeconds;
      s.nextDecisionStep =
        step +
        (next === undefined
          ? this.#decisionSteps
          : Math.max(1, Math.round(next / this.engine.intervalSeconds)));
      if (decision === undefined || decision.phase === s.green) continue;
      const previous = s.green;
      s.green = decision.phase;
      if (this.#yellowSteps > 0) {
        this.engine.setLightPhase(s.intersection.index, s.plan.yellowLightPhase);
        s.greenFromStep = step + this.#yellowSteps;
        this.#pendingGreen.set(s, s.greenFromStep);
      } else {
        this.engine.setLightPhase(s.intersection.index, s.green);
        s.greenFromStep = step;
        this.#pendingGreen.delete(s);
      }
      onChange?.({
        intersectionId: s.layout.id,
        phase: s.plan.greenLightPhases.indexOf(s.green),
        previousPhase: s.plan.greenLightPhases.indexOf(previous),
        lightPhase: s.green,
        timeSeconds: time,
      });
    }
  }
}

/** A priority request at `state` that its green (or the green after the yellow) does not serve. */
function preempted(state: SignalState, priority?: ReadonlyMap<string, PriorityRequest>): boolean {
  const request = priority?.get(state.layout.id);
  if (request === undefined) return false;
  const phase = state.layout.phases.find((p) => p.index === state.green);
  return phase === undefined || !phase.movementIds.includes(request.movementId);
}

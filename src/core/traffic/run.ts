/**
 * Runs a signal controller against the engine with the decision cadence of
 * the field: at each intersection's decision point the controller picks a
 * green phase; a change inserts the yellow light phase first.
 */
import type {
  DecisionCadence,
  IntersectionLayout,
  IntersectionObservation,
  LaneState,
  PriorityRequest,
  SignalController,
} from './controller.ts';
import type { Engine } from './engine.ts';
import { buildLayout, controlledIntersections, phasePlan, type PhasePlan } from './layout.ts';
import { measureRun, type RunMetrics } from './metrics.ts';
import type { Intersection, Lane } from './network.ts';
import { laneState } from './observe.ts';

export interface RunOptions {
  readonly steps: number;
  readonly cadence: DecisionCadence;
  /** Green phases offered per intersection (4 = the field's setting). */
  readonly phaseCount: number;
  /** Called before each step with the pending priority requests (emergency vehicles); may be omitted. */
  readonly priority?: (
    engine: Engine,
    layouts: ReadonlyMap<string, IntersectionLayout>,
  ) => Map<string, PriorityRequest>;
  /** When true, an intersection whose green does not serve a priority request decides at once. */
  readonly preempt?: boolean;
  readonly onProgress?: (step: number) => void;
  /** Called at the start of each step, before decisions (e.g. to add vehicles). */
  readonly beforeStep?: (engine: Engine) => void;
}

interface SignalState {
  readonly intersection: Intersection;
  readonly plan: PhasePlan;
  readonly layout: IntersectionLayout;
  readonly lanes: Lane[];
  green: number;
  greenFromStep: number;
  nextDecisionStep: number;
}

export function createSignalStates(engine: Engine, phaseCount: number): SignalState[] {
  const controlled = controlledIntersections(engine.network);
  const ids = new Set(controlled.map((i) => i.id));
  const laneById = new Map(engine.network.lanes.map((l) => [l.id, l]));
  return controlled.map((intersection) => {
    const plan = phasePlan(intersection, phaseCount);
    const layout = buildLayout(intersection, plan, ids);
    const laneIds = new Set(layout.movements.flatMap((m) => [...m.incomingLanes, ...m.outgoingLanes]));
    return {
      intersection,
      plan,
      layout,
      lanes: [...laneIds].map((id) => laneById.get(id)!),
      green: -1,
      greenFromStep: 0,
      nextDecisionStep: 0,
    };
  });
}

/** What an intersection's controller sees at `step`: its lanes' detector states and its phase. */
export function observe(
  state: SignalState,
  step: number,
  approachMetres: number,
  time: number,
): IntersectionObservation {
  const lanes = new Map<string, LaneState>();
  for (const lane of state.lanes) lanes.set(lane.id, laneState(lane, approachMetres));
  return {
    layout: state.layout,
    lanes,
    currentPhase: state.green,
    secondsInPhase: Math.max(0, step - state.greenFromStep),
    timeSeconds: time,
  };
}

function serves(state: SignalState, request: PriorityRequest): boolean {
  const phase = state.layout.phases.find((p) => p.index === state.green);
  return phase !== undefined && phase.movementIds.includes(request.movementId);
}

export function runController(engine: Engine, controller: SignalController, options: RunOptions): RunMetrics {
  const { cadence } = options;
  const interval = engine.intervalSeconds;
  const decisionSteps = Math.max(1, Math.round(cadence.decisionSeconds / interval));
  const yellowSteps = Math.round(cadence.yellowSeconds / interval);
  const states = createSignalStates(engine, options.phaseCount);
  const approachMetres = controller.detectionMetres ?? cadence.approachMetres;
  const layouts = new Map(states.map((s) => [s.layout.id, s.layout]));
  // Pending switch from yellow to green: [state, green, step].
  const pendingGreen = new Map<SignalState, number>();
  for (let step = 0; step < options.steps; step++) {
    options.beforeStep?.(engine);
    const priority = options.priority?.(engine, layouts);
    const due: SignalState[] = [];
    for (const s of states) {
      const request = priority?.get(s.layout.id);
      const forced = options.preempt === true && request !== undefined && !serves(s, request);
      if (s.nextDecisionStep <= step || forced) due.push(s);
    }
    if (due.length > 0) {
      const observations = new Map<string, IntersectionObservation>();
      for (const s of states)
        observations.set(s.layout.id, observe(s, step, approachMetres, engine.timeSeconds));
      const decisions = controller.decide(
        { intersections: observations, timeSeconds: engine.timeSeconds },
        due.map((s) => s.layout.id),
        priority,
      );
      for (const s of due) {
        const decision = decisions.get(s.layout.id);
        const next = decision?.nextDecisionSeconds;
        s.nextDecisionStep =
          step + (next === undefined ? decisionSteps : Math.max(1, Math.round(next / interval)));
        if (decision === undefined || decision.phase === s.green) continue;
        s.green = decision.phase;
        if (yellowSteps > 0) {
          engine.setLightPhase(s.intersection.index, s.plan.yellowLightPhase);
          s.greenFromStep = step + yellowSteps;
          pendingGreen.set(s, s.greenFromStep);
        } else {
          engine.setLightPhase(s.intersection.index, s.green);
          s.greenFromStep = step;
          pendingGreen.delete(s);
        }
      }
    }
    for (const [s, at] of pendingGreen) {
      if (at <= step) {
        engine.setLightPhase(s.intersection.index, s.green);
        pendingGreen.delete(s);
      }
    }
    engine.nextStep();
    if (options.onProgress !== undefined && (step + 1) % 600 === 0) options.onProgress(step + 1);
  }
  return measureRun(engine, states.length);
}

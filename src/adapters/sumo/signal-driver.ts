import type { Decision, IntersectionLayout } from '../../core/traffic/controller.ts';
import type { SignalPlan } from './layout.ts';
import type { SignalClock } from './observe.ts';

/** A state string to show on one traffic light now. */
export interface SignalCommand {
  readonly id: string;
  readonly state: string;
}

interface IntersectionTimer extends SignalClock {
  readonly nextDecisionSeconds: number;
  readonly pending?: { readonly phase: number; readonly greenAtSeconds: number };
}

/**
 * Which links a phase change turns yellow: `all` shows the program's yellow (the field's setting:
 * every non-right-turn link stops, as CityFlow's phase 0); `ending` stops only the links that lose
 * green and keeps green those the next phase also serves (no yellow at all when none ends).
 */
export type YellowScope = 'all' | 'ending';

export interface DriverCadence {
  readonly decisionSeconds: number;
  readonly yellowSeconds: number;
  readonly yellowScope?: YellowScope;
}

function isGreen(signal: string | undefined): boolean {
  return signal === 'G' || signal === 'g';
}

/** The yellow between two greens when only the ending links stop. */
export function endingYellow(from: string, to: string): string {
  return [...from]
    .map((signal, link) => (isGreen(signal) ? (isGreen(to[link]) ? signal : 'y') : 'r'))
    .join('');
}

/**
 * Turns controller decisions into SUMO signal states with the field's semantics: a changed phase
 * first shows yellow for `yellowSeconds`, then the new green; a kept phase stays green; the next
 * decision comes `nextDecisionSeconds` (default `decisionSeconds`) after this one, yellow included.
 */
export class SignalDriver {
  private readonly timers = new Map<string, IntersectionTimer>();

  constructor(
    private readonly layouts: readonly IntersectionLayout[],
    private readonly plans: ReadonlyMap<string, SignalPlan>,
    private readonly cadence: DriverCadence,
  ) {
    for (const layout of layouts) {
      const first = layout.phases[0];
      if (!first) throw new Error(`intersection ${layout.id} has no phase`);
      this.timers.set(layout.id, { currentPhase: first.index, phaseStartSeconds: 0, nextDecisionSeconds: 0 });
    }
  }

  get clocks(): ReadonlyMap<string, SignalClock> {
    return this.timers;
  }

  /** Green of every intersection's first phase, shown before the first step. */
  initialCommands(): SignalCommand[] {
    return this.layouts.map((layout) => ({
      id: layout.id,
      state: this.state(layout.id, 'green', this.phaseOf(layout.id)),
    }));
  }

  /** Intersections whose decision is due at `timeSeconds`. */
  due(timeSeconds: number): string[] {
    return [...this.timers].filter(([, timer]) => timer.nextDecisionSeconds <= timeSeconds).map(([id]) => id);
  }

  /** Applies decisions for the due intersections and returns the signal changes to send at `timeSeconds`. */
  advance(
    timeSeconds: number,
    due: readonly string[],
    decisions: ReadonlyMap<string, Decision>,
  ): SignalCommand[] {
    const commands: SignalCommand[] = [];
    for (const id of due) {
      const timer = this.timer(id);
      const decision = decisions.get(id);
      const phase = decision?.phase ?? timer.currentPhase;
      if (!this.plan(id).greenStates.has(phase)) {
        throw new Error(`controller chose phase ${phase} at ${id}, which is not one of its phases`);
      }
      const nextDecisionSeconds =
        timeSeconds + (decision?.nextDecisionSeconds ?? this.cadence.decisionSeconds);
      if (phase === timer.currentPhase) {
        this.timers.set(id, { ...timer, pending: undefined, nextDecisionSeconds });
        continue;
      }
      const yellow =
        this.cadence.yellowScope === 'ending'
          ? endingYellow(this.state(id, 'green', timer.currentPhase), this.state(id, 'green', phase))
          : this.state(id, 'yellow', timer.currentPhase);
      const yellowSeconds =
        yellow.includes('y') || this.cadence.yellowScope !== 'ending' ? this.cadence.yellowSeconds : 0;
      this.timers.set(id, {
        ...timer,
        nextDecisionSeconds,
        pending: { phase, greenAtSeconds: timeSeconds + yellowSeconds },
      });
      if (yellowSeconds > 0) commands.push({ id, state: yellow });
    }
    for (const [id, timer] of this.timers) {
      if (!timer.pending || timer.pending.greenAtSeconds > timeSeconds) continue;
      const phase = timer.pending.phase;
      this.timers.set(id, {
        ...timer,
        currentPhase: phase,
        phaseStartSeconds: timeSeconds,
        pending: undefined,
      });
      commands.push({ id, state: this.state(id, 'green', phase) });
    }
    return commands;
  }

  private phaseOf(id: string): number {
    return this.timer(id).currentPhase;
  }

  private timer(id: string): IntersectionTimer {
    const timer = this.timers.get(id);
    if (!timer) throw new Error(`unknown intersection ${id}`);
    return timer;
  }

  private plan(id: string): SignalPlan {
    const plan = this.plans.get(id);
    if (!plan) throw new Error(`no signal plan for intersection ${id}`);
    return plan;
  }

  private state(id: string, kind: 'green' | 'yellow', phase: number): string {
    const states = kind === 'green' ? this.plan(id).greenStates : this.plan(id).yellowStates;
    const state = states.get(phase);
    if (state === undefined) throw new Error(`no ${kind} state for phase ${phase} at ${id}`);
    return state;
  }
}

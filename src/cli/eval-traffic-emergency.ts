/** `--emergency ROADS@SECONDS` of `urban-brain eval traffic`: reading the option and the row fields. */
import { controllerFactories } from '../core/traffic/controllers/registry.ts';
import { compareEmergencyPriority } from '../core/traffic/emergency-trial.ts';
import type { FlowSpec, RoadnetSpec } from '../core/traffic/scenario.ts';
import type { Settings } from './eval-traffic-options.ts';
import { meanOrNull, round, type Row } from './eval-traffic-output.ts';
import { UsageError } from './eval-traffic-usage.ts';
import { wholeNumber } from './options.ts';

/**
 * Reads `ROAD,ROAD,...@SECONDS`, the documented form: the departure is required (a default of 0
 * would hide a forgotten `@`) and every road is named (`a,,b` is a slip, not a two-road route).
 * The route is checked against the roadnet later.
 */
export function parseEmergency(values: readonly string[], steps: number): Settings['emergency'] {
  return values.map((text) => {
    const at = text.lastIndexOf('@');
    const refuse = (rule: string): never => {
      throw new UsageError(`--emergency expects ROAD,ROAD,...@SECONDS, got '${text}' (${rule})`);
    };
    if (at < 0) refuse('no @SECONDS');
    const route = text.slice(0, at).split(',');
    if (route.some((road) => road.length === 0)) refuse('an empty road name');
    const seconds = text.slice(at + 1);
    const departSeconds = wholeNumber(seconds);
    if (!Number.isSafeInteger(departSeconds)) refuse('SECONDS must be a whole number');
    if (departSeconds >= steps) {
      throw new UsageError(
        `--emergency '${text}': departure ${departSeconds} s must be before the end of the run (--steps ${steps})`,
      );
    }
    return { route, departSeconds, text };
  });
}

/** The ambulances' figures for controller `name`, with and without priority (and in free flow). */
export function emergencyFields(
  roadnet: RoadnetSpec,
  flows: FlowSpec[],
  name: string,
  settings: Settings,
): Row {
  process.stderr.write(`eval traffic: ${name} with and without emergency priority ...\n`);
  // The ambulance drives like the first flow's vehicles (the flow file is never empty here).
  const vehicle = flows[0]!.vehicle;
  const result = compareEmergencyPriority(
    roadnet,
    flows,
    controllerFactories.get(name)!,
    settings.emergency,
    {
      steps: settings.steps,
      seed: settings.seed,
      cadence: settings.cadence,
      phaseCount: settings.phases,
      horizonSeconds: 40,
      vehicle,
    },
  );
  const trips = settings.emergency.length;
  const variants = [
    { key: 'without', label: 'without priority', outcome: result.without },
    { key: 'with', label: 'with priority', outcome: result.with },
    { key: 'free_flow', label: 'in free flow', outcome: result.freeFlow },
  ];
  const unfinished = variants
    .filter((v) => v.outcome.emergencyFinished < trips)
    .map((v) => `${trips - v.outcome.emergencyFinished} ${v.label}`);
  if (unfinished.length > 0) {
    process.stderr.write(
      `eval traffic: warning: ${name}: ambulances not finished by the end of the run (step ${settings.steps}, of ${trips}): ${unfinished.join(', ')}; emergency_tt_* average the finished ones only\n`,
    );
  }
  const row: Row = { controller: name, emergency_trips: trips };
  for (const { key, outcome } of variants) {
    row[`emergency_finished_${key}`] = outcome.emergencyFinished;
    row[`emergency_tt_${key}`] = meanOrNull(outcome.finishedSeconds);
  }
  return {
    ...row,
    others_att_without: round(result.without.othersAtt),
    others_att_with: round(result.with.othersAtt),
  };
}

/** `urban-brain eval traffic` in the CityFlow-model engine: loads and checks the scenario, runs each controller. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { controllerFactories } from '../core/traffic/controllers/registry.ts';
import { Engine } from '../core/traffic/engine.ts';
import { runNativePlan } from '../core/traffic/native-plan.ts';
import { createSignalStates, runController } from '../core/traffic/run.ts';
import {
  parseFlows,
  parseRoadnet,
  routeChecker,
  type FlowSpec,
  type RoadnetSpec,
} from '../core/traffic/scenario.ts';
import { emergencyFields } from './eval-traffic-emergency.ts';
import type { Settings } from './eval-traffic-options.ts';
import { round, settingsFields, type Row } from './eval-traffic-output.ts';
import { UsageError } from './eval-traffic-usage.ts';

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} file ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${what} file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Reads and validates the roadnet, the flows and the ambulances' routes; a fault is a usage error. */
async function loadScenario(
  roadnetFile: string,
  flowFile: string,
  settings: Settings,
): Promise<{ roadnet: RoadnetSpec; flows: FlowSpec[] }> {
  const roadnet = parseRoadnet(await readJson(roadnetFile, 'roadnet'));
  if (!roadnet.ok) throw new UsageError(`${roadnetFile}: ${roadnet.reason}`);
  const flows = parseFlows(await readJson(flowFile, 'flow'), roadnet.value);
  if (!flows.ok) throw new UsageError(`${flowFile}: ${flows.reason}`);
  if (flows.value.length === 0) throw new UsageError(`${flowFile}: the flow file has no vehicles`);
  const checkRoute = routeChecker(roadnet.value);
  for (const trip of settings.emergency) {
    const fault = checkRoute(trip.route);
    if (fault !== undefined) {
      throw new UsageError(
        `--emergency '${trip.text}': route[${fault.index}]: ${fault.reason} in ${roadnetFile}`,
      );
    }
  }
  return { roadnet: roadnet.value, flows: flows.value };
}

/**
 * Runs each named controller (or `native`, the roadnet's own plan) and passes one row each, in
 * order, to `onRow` as soon as that controller finishes.
 */
export async function evaluateCityflow(
  roadnetFile: string,
  flowFile: string,
  names: readonly string[],
  settings: Settings,
  onRow: (row: Row) => void,
): Promise<void> {
  const { roadnet, flows } = await loadScenario(roadnetFile, flowFile, settings);
  const phases = names.some((name) => name !== 'native')
    ? phasesUsed(roadnet, settings.phases, settings.phasesGiven)
    : null;
  for (const name of names) {
    const engine = new Engine(roadnet, flows, { seed: settings.seed });
    process.stderr.write(`eval traffic: ${name} on ${path.basename(flowFile)} ...\n`);
    const onProgress = (step: number): boolean =>
      process.stderr.write(`  ${name}: step ${step}/${settings.steps}\n`);
    const started = performance.now();
    let metrics;
    let controllerSettings: Readonly<Record<string, number>> | undefined;
    let fields: Record<string, number | null> = { ...settingsFields(settings), phases };
    if (name === 'native') {
      metrics = runNativePlan(engine, roadnet, settings.steps, onProgress);
      // The roadnet's own plan: no phase choice, no decision cadence, its own yellow.
      fields = { ...fields, phases: null, decision_seconds: null, yellow_seconds: null };
    } else {
      const layouts = createSignalStates(engine, settings.phases).map((s) => s.layout);
      const controller = controllerFactories.get(name)!(layouts, settings.cadence);
      controllerSettings = controller.settings;
      metrics = runController(engine, controller, {
        steps: settings.steps,
        cadence: settings.cadence,
        phaseCount: settings.phases,
        onProgress,
      });
    }
    const seconds = (performance.now() - started) / 1000;
    onRow({
      controller: name,
      engine: 'cityflow',
      // Null where there is nothing to average: no vehicle yet, none on a signalised approach, no signal.
      att: metrics.generated === 0 ? null : round(metrics.att),
      att_entering_lanes: metrics.enteredSignalLanes === 0 ? null : round(metrics.attEnteringLanes),
      finished: metrics.finished,
      generated: metrics.generated,
      avg_queue: metrics.signalisedIntersections === 0 ? null : round(metrics.avgQueue),
      avg_delay: metrics.generated === 0 ? null : round(metrics.avgDelay),
      steps_per_s: Math.round(metrics.steps / seconds),
      wall_seconds: round(seconds),
      ...fields,
      // A change shows the roadnet's light phase 0 (right turns only in the field's networks): SUMO's `all`.
      yellow_scope: name === 'native' ? null : 'all',
      ...(controllerSettings === undefined ? {} : { controller_settings: controllerSettings }),
      ...(settings.emergency.length > 0 ? emergencyFields(roadnet, flows, name, settings) : {}),
    });
  }
}

/** The largest number of green phases offered at any intersection; warns when below a given `requested`. */
function phasesUsed(roadnet: RoadnetSpec, requested: number, given: boolean): number {
  const states = createSignalStates(new Engine(roadnet, [], { seed: 0 }), requested);
  const used = Math.max(0, ...states.map((state) => state.layout.phases.length));
  if (used === 0) {
    process.stderr.write(
      'eval traffic: warning: no intersection has signals to control (each is virtual, has no road links or fewer than two light phases); the controllers change nothing\n',
    );
  } else if (given && used < requested) {
    process.stderr.write(
      `eval traffic: warning: --phases ${requested}: the network offers at most ${used} green phases per intersection; using ${used}\n`,
    );
  }
  return used;
}

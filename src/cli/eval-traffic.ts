/**
 * `urban-brain eval traffic`: runs signal controllers on a CityFlow-format
 * scenario in the TypeScript engine (or in SUMO through TraCI with
 * `--engine sumo`) and reports travel times, throughput, queues and speed.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DecisionCadence } from '../core/traffic/controller.ts';
import { parseControllerSpec } from '../core/traffic/controllers/controller-spec.ts';
import { controllerFactories, controllerNames } from '../core/traffic/controllers/registry.ts';
import { compareEmergencyPriority, type EmergencyTrip } from '../core/traffic/emergency-trial.ts';
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

const sumoPrograms = ['static', 'actuated', 'delay_based'];

const usage = `usage: urban-brain eval traffic --roadnet FILE --flow FILE --controller NAME|all [options]
       urban-brain eval traffic --engine sumo --sumocfg FILE --controller NAME|all [options]

Runs each controller for --steps 1 s steps and prints, per controller, the average travel
time in CityFlow's measure (att) and the Advanced-XLight measure (att_entering_lanes),
vehicles finished, average queue and delay, and simulation steps per second.

  --roadnet FILE           CityFlow roadnet JSON
  --flow FILE              CityFlow flow JSON
  --controller NAME|all    one of: ${controllerNames.join(', ')}, native (the roadnet's own plan)
                           (SUMO also: ${sumoPrograms.join(', ')}); several: a,b,c
                           actuated-pressure takes settings: actuated-pressure:KEY=N;KEY=N
                           (quote it), e.g. 'actuated-pressure:dischargeSecondsPerVehicle=3.5;minGreenSeconds=8'
  --steps N                simulated seconds (default 3600)
  --seed N                 random seed (default 0)
  --phases N               green phases offered per intersection (default 4); an intersection
                           with fewer offers all it has, and rows report the largest count used
  --decision-seconds N     seconds between decisions, yellow included (default 15)
  --yellow-seconds N       yellow when the phase changes (default 5)
  --yellow-scope all|ending  (SUMO) which links a change turns yellow: all non-right-turn links
                           (default, the field's setting) or only those that lose green
  --engine cityflow|sumo   simulator (default cityflow: the TypeScript CityFlow model)
  --sumocfg FILE           SUMO configuration (with --engine sumo)
  --emergency ROADS@SECONDS  add an ambulance on the comma-separated route at that time (repeatable;
                           SECONDS below --steps); reports how many ambulances finished and their
                           mean travel time with and without emergency priority, and the other
                           vehicles' att in both runs. CityFlow-model engine only; not with native
                           (all leaves native out)
  --json                   one JSON object per controller per line
`;

interface Settings {
  readonly steps: number;
  readonly seed: number;
  readonly phases: number;
  /** True when --phases was given: a cap below it is then worth a warning (the default is not). */
  readonly phasesGiven: boolean;
  readonly cadence: DecisionCadence;
  readonly emergency: readonly (EmergencyTrip & { readonly text: string })[];
  /** SUMO only: links a phase change turns yellow. */
  readonly yellowScope?: 'all' | 'ending';
}

type Row = Record<string, unknown> & { controller: string };

/** Plain decimal digits only: '', ' ', '1e3' and '0x10' are refused, not read as numbers. */
function integerOption(name: string, value: string | undefined, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < minimum) {
    throw new UsageError(`--${name} must be an integer >= ${minimum}, got '${value}'`);
  }
  return n;
}

class UsageError extends Error {}

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

async function evaluateCityflow(
  roadnetFile: string,
  flowFile: string,
  names: readonly string[],
  settings: Settings,
): Promise<Row[]> {
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
  const phases = names.some((name) => name !== 'native')
    ? phasesUsed(roadnet.value, settings.phases, settings.phasesGiven)
    : null;
  const rows: Row[] = [];
  for (const name of names) {
    const engine = new Engine(roadnet.value, flows.value, { seed: settings.seed });
    process.stderr.write(`eval traffic: ${name} on ${path.basename(flowFile)} ...\n`);
    const onProgress = (step: number): boolean =>
      process.stderr.write(`  ${name}: step ${step}/${settings.steps}\n`);
    const started = performance.now();
    let metrics;
    let controllerSettings: Readonly<Record<string, number>> | undefined;
    let fields: Record<string, number | null> = { ...settingsFields(settings), phases };
    if (name === 'native') {
      metrics = runNativePlan(engine, roadnet.value, settings.steps, onProgress);
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
    rows.push({
      controller: name,
      engine: 'cityflow',
      att: round(metrics.att),
      att_entering_lanes: round(metrics.attEnteringLanes),
      finished: metrics.finished,
      generated: metrics.generated,
      avg_queue: round(metrics.avgQueue),
      avg_delay: round(metrics.avgDelay),
      steps_per_s: Math.round(metrics.steps / seconds),
      wall_seconds: round(seconds),
      ...fields,
      // A change shows the roadnet's light phase 0 (right turns only in the field's networks): SUMO's `all`.
      yellow_scope: name === 'native' ? null : 'all',
      ...(controllerSettings === undefined ? {} : { controller_settings: controllerSettings }),
      ...(settings.emergency.length > 0 ? emergencyFields(roadnet.value, flows.value, name, settings) : {}),
    });
  }
  return rows;
}

/** The largest number of green phases offered at any intersection; warns when below a given `requested`. */
function phasesUsed(roadnet: RoadnetSpec, requested: number, given: boolean): number {
  const states = createSignalStates(new Engine(roadnet, [], { seed: 0 }), requested);
  const used = Math.max(0, ...states.map((state) => state.layout.phases.length));
  if (given && used < requested) {
    process.stderr.write(
      `eval traffic: warning: --phases ${requested}: the network offers at most ${used} green phases per intersection; using ${used}\n`,
    );
  }
  return used;
}

function emergencyFields(roadnet: RoadnetSpec, flows: FlowSpec[], name: string, settings: Settings): Row {
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

/** Mean rounded to two decimals; null for no values (nothing to average is not 0 s). */
function meanOrNull(values: readonly number[]): number | null {
  return values.length === 0 ? null : round(values.reduce((a, b) => a + b, 0) / values.length);
}

/** Reads `ROAD,ROAD,...@SECONDS` (no `@`: departs at 0); the route is checked against the roadnet later. */
function parseEmergency(values: readonly string[], steps: number): Settings['emergency'] {
  return values.map((text) => {
    const at = text.lastIndexOf('@');
    const route = (at < 0 ? text : text.slice(0, at)).split(',').filter((r) => r.length > 0);
    const seconds = at < 0 ? '0' : text.slice(at + 1);
    const departSeconds = /^\d+$/.test(seconds) ? Number(seconds) : Number.NaN;
    if (route.length === 0 || !Number.isSafeInteger(departSeconds)) {
      throw new UsageError(`--emergency expects ROAD,ROAD,...@SECONDS, got '${text}'`);
    }
    if (departSeconds >= steps) {
      throw new UsageError(
        `--emergency '${text}': departure ${departSeconds} s must be before the end of the run (--steps ${steps})`,
      );
    }
    return { route, departSeconds, text };
  });
}

function settingsFields(settings: Settings): Record<string, number | null> {
  return {
    steps: settings.steps,
    seed: settings.seed,
    phases: settings.phases,
    decision_seconds: settings.cadence.decisionSeconds,
    yellow_seconds: settings.cadence.yellowSeconds,
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Refuses, before SUMO starts, a --sumocfg that is missing, a directory or not a SUMO configuration. */
async function checkSumocfg(file: string): Promise<void> {
  let text: string;
  try {
    if (!(await stat(file)).isFile()) throw new UsageError(`--sumocfg ${file} is not a file`);
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if ((error as { code?: string }).code === 'ENOENT')
      throw new UsageError(`--sumocfg ${file} does not exist`);
    throw new UsageError(`--sumocfg: cannot read ${file}: ${(error as Error).message}`);
  }
  if (!/<configuration[\s>]/.test(text) || !/<net-file\s+value="[^"]+"/.test(text)) {
    throw new UsageError(
      `--sumocfg ${file} is not a SUMO configuration (expected a <configuration> with <net-file value="..."/>)`,
    );
  }
}

async function evaluateWithSumo(
  sumocfg: string,
  names: readonly string[],
  settings: Settings,
): Promise<Row[]> {
  const file = new URL('../adapters/sumo/evaluate.ts', import.meta.url);
  if (!existsSync(fileURLToPath(file))) {
    throw new UsageError(
      '--engine sumo is not available: src/adapters/sumo/evaluate.ts is absent from this build',
    );
  }
  const module = (await import(file.href)) as {
    evaluateSumo?: (options: Record<string, unknown>) => Promise<Record<string, unknown>[]>;
  };
  if (typeof module.evaluateSumo !== 'function') {
    throw new UsageError(
      '--engine sumo is not available: src/adapters/sumo/evaluate.ts does not export evaluateSumo',
    );
  }
  const results = await module.evaluateSumo({
    sumocfg,
    controllers: names,
    steps: settings.steps,
    seed: settings.seed,
    phaseLimit: settings.phases,
    cadence: settings.cadence,
    yellowScope: settings.yellowScope,
  });
  return results.map((r, i) => ({
    ...settingsFields(settings),
    ...r,
    controller: String(r.controller ?? names[i]),
  }));
}

function print(rows: readonly Row[], json: boolean): void {
  if (json) {
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    return;
  }
  const columns = [
    'controller',
    'att',
    'att_entering_lanes',
    'finished',
    'avg_queue',
    'avg_delay',
    'steps_per_s',
  ];
  if (rows.some((r) => 'emergency_tt_with' in r)) {
    columns.push(
      'emergency_finished_without',
      'emergency_tt_without',
      'emergency_finished_with',
      'emergency_tt_with',
      'others_att_without',
      'others_att_with',
    );
  }
  const lines = [columns, ...rows.map((r) => columns.map((c) => String(r[c] ?? '-')))];
  const widths = columns.map((_, k) => Math.max(...lines.map((l) => l[k]!.length)));
  for (const line of lines) {
    process.stdout.write(
      `${line
        .map((cell, k) => cell.padEnd(widths[k]!))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
}

export async function run(args: string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args,
      options: {
        roadnet: { type: 'string' },
        flow: { type: 'string' },
        controller: { type: 'string' },
        steps: { type: 'string' },
        seed: { type: 'string' },
        phases: { type: 'string' },
        'decision-seconds': { type: 'string' },
        'yellow-seconds': { type: 'string' },
        'yellow-scope': { type: 'string' },
        engine: { type: 'string' },
        sumocfg: { type: 'string' },
        emergency: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      process.stdout.write(usage);
      return 0;
    }
    const engineName = values.engine ?? 'cityflow';
    if (engineName !== 'cityflow' && engineName !== 'sumo') {
      throw new UsageError(`--engine must be cityflow or sumo, got '${engineName}'`);
    }
    const decisionSeconds = integerOption('decision-seconds', values['decision-seconds'], 15, 1);
    const yellowSeconds = integerOption('yellow-seconds', values['yellow-seconds'], 5, 0);
    if (yellowSeconds >= decisionSeconds) {
      throw new UsageError(
        `--yellow-seconds (${yellowSeconds}) must be below --decision-seconds (${decisionSeconds})`,
      );
    }
    const yellowScope = values['yellow-scope'] ?? 'all';
    if (yellowScope !== 'all' && yellowScope !== 'ending') {
      throw new UsageError(`--yellow-scope must be all or ending, got '${yellowScope}'`);
    }
    if (yellowScope !== 'all' && engineName !== 'sumo') {
      throw new UsageError('--yellow-scope ending is only available with --engine sumo');
    }
    const settings: Settings = {
      yellowScope,
      steps: integerOption('steps', values.steps, 3600, 1),
      seed: integerOption('seed', values.seed, 0, 0),
      phases: integerOption('phases', values.phases, 4, 1),
      phasesGiven: values.phases !== undefined,
      cadence: { decisionSeconds, yellowSeconds, approachMetres: 100 },
      emergency: [],
    };
    const controller = values.controller;
    if (controller === undefined) throw new UsageError('--controller NAME|all is required');
    const known =
      engineName === 'sumo' ? [...sumoPrograms, ...controllerNames] : [...controllerNames, 'native'];
    const emergency = values.emergency ?? [];
    // `all` with an ambulance: every controller that can give it priority (the roadnet's own plan cannot).
    const allNames = emergency.length > 0 ? known.filter((name) => name !== 'native') : known;
    if (controller === 'all' && allNames.length < known.length)
      process.stderr.write(
        "eval traffic: --emergency: 'native' (the roadnet's own plan) gives no priority and is left out of all\n",
      );
    const names = controller === 'all' ? allNames : controller.split(',');
    for (const name of names) {
      if (known.includes(name)) continue;
      if (name.includes(':')) {
        const spec = parseControllerSpec(name);
        if (!spec.ok) throw new UsageError(`--controller: ${spec.reason}`);
        continue;
      }
      throw new UsageError(`unknown controller '${name}' (known: ${known.join(', ')}, all)`);
    }
    if (emergency.length > 0 && engineName === 'sumo') {
      throw new UsageError('--emergency is only available with the CityFlow-model engine, not --engine sumo');
    }
    if (emergency.length > 0 && names.includes('native')) {
      throw new UsageError(
        "--emergency cannot run with controller 'native' (the roadnet's own plan gives no priority); name the controllers without it",
      );
    }
    let rows: Row[];
    if (engineName === 'sumo') {
      if (values.sumocfg === undefined) throw new UsageError('--engine sumo needs --sumocfg FILE');
      await checkSumocfg(values.sumocfg);
      rows = await evaluateWithSumo(values.sumocfg, names, settings);
    } else {
      if (values.roadnet === undefined || values.flow === undefined) {
        throw new UsageError('--roadnet FILE and --flow FILE are required');
      }
      rows = await evaluateCityflow(values.roadnet, values.flow, names, {
        ...settings,
        emergency: parseEmergency(emergency, settings.steps),
      });
    }
    print(rows, values.json === true);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`eval traffic: ${(error as Error).message}\n\n${usage}`);
      return 2;
    }
    process.stderr.write(`eval traffic: ${(error as Error).message}\n`);
    return 1;
  }
}

/** The command line of `urban-brain eval traffic`, read and checked into one value. */
import { parseArgs } from 'node:util';
import type { DecisionCadence } from '../core/traffic/controller.ts';
import { parseControllerSpec } from '../core/traffic/controllers/controller-spec.ts';
import { controllerNames } from '../core/traffic/controllers/registry.ts';
import type { EmergencyTrip } from '../core/traffic/emergency-trial.ts';
import { parseEmergency } from './eval-traffic-emergency.ts';
import { sumoPrograms, UsageError } from './eval-traffic-usage.ts';
import { wholeNumber } from './options.ts';

export interface Settings {
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

interface Common {
  readonly help: false;
  /** Controllers to run, in order (`all` expanded). */
  readonly names: readonly string[];
  readonly settings: Settings;
  readonly json: boolean;
}

export type Invocation =
  | { readonly help: true }
  | (Common & { readonly engine: 'cityflow'; readonly roadnet: string; readonly flow: string })
  | (Common & { readonly engine: 'sumo'; readonly sumocfg: string });

/** Plain decimal digits only: '', ' ', '1e3' and '0x10' are refused, not read as numbers. */
function integerOption(name: string, value: string | undefined, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  const n = wholeNumber(value);
  if (!Number.isSafeInteger(n) || n < minimum) {
    throw new UsageError(`--${name} must be an integer >= ${minimum}, got '${value}'`);
  }
  return n;
}

/** Options that take a value (all but --json and --help). */
const valueOptions = new Set([
  '--roadnet',
  '--flow',
  '--controller',
  '--steps',
  '--seed',
  '--phases',
  '--decision-seconds',
  '--yellow-seconds',
  '--yellow-scope',
  '--engine',
  '--sumocfg',
  '--emergency',
]);

/**
 * `--steps -5` as `--steps=-5`: Node's parser would refuse a value that starts with a dash as
 * ambiguous; joined, it reaches the option's own check ("must be an integer >= 1, got '-5'").
 */
function joinNegativeValues(args: readonly string[]): string[] {
  const joined: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    const next = args[k + 1];
    if (valueOptions.has(arg) && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      k++;
    } else joined.push(arg);
  }
  return joined;
}

function parse(args: string[]) {
  return parseArgs({
    args: joinNegativeValues(args),
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
    tokens: true,
  });
}

/**
 * Refuses an option that takes one value given more than once (`--roadnet a --roadnet b`): the
 * parser would keep the last and drop the other silently. Only --emergency repeats.
 */
function refuseRepeats(tokens: ReturnType<typeof parse>['tokens']): void {
  const seen = new Map<string, string | undefined>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.value === undefined || token.name === 'emergency') continue;
    const first = seen.get(token.name);
    if (seen.has(token.name)) {
      throw new UsageError(
        `--${token.name} is given twice ('${first}' and '${token.value}'); it takes one value`,
      );
    }
    seen.set(token.name, token.value);
  }
}

type Values = ReturnType<typeof parse>['values'];

/** The controllers named by --controller (`all` expanded), each checked against the engine's list. */
function controllerList(values: Values, engine: 'cityflow' | 'sumo', emergency: boolean): string[] {
  const controller = values.controller;
  if (controller === undefined) throw new UsageError('--controller NAME|all is required');
  const known = engine === 'sumo' ? [...sumoPrograms, ...controllerNames] : [...controllerNames, 'native'];
  // `all` with an ambulance: every controller that can give it priority (the roadnet's own plan cannot).
  const allNames = emergency ? known.filter((name) => name !== 'native') : known;
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
    if (name === 'all')
      throw new UsageError(
        `--controller '${controller}': 'all' stands alone, it cannot be listed with others`,
      );
    throw new UsageError(`unknown controller '${name}' (known: ${known.join(', ')}, all)`);
  }
  return names;
}

/** Reads the arguments; throws `UsageError` (or Node's ERR_PARSE_ARGS_* error) on bad ones. */
export function readInvocation(args: string[]): Invocation {
  const { values, tokens } = parse(args);
  if (values.help === true) return { help: true };
  refuseRepeats(tokens);
  const engine = values.engine ?? 'cityflow';
  if (engine !== 'cityflow' && engine !== 'sumo') {
    throw new UsageError(`--engine must be cityflow or sumo, got '${engine}'`);
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
  if (yellowScope !== 'all' && engine !== 'sumo') {
    throw new UsageError('--yellow-scope ending is only available with --engine sumo');
  }
  const steps = integerOption('steps', values.steps, 3600, 1);
  const common: Omit<Common, 'names'> = {
    help: false,
    json: values.json === true,
    settings: {
      yellowScope,
      steps,
      seed: integerOption('seed', values.seed, 0, 0),
      phases: integerOption('phases', values.phases, 4, 1),
      phasesGiven: values.phases !== undefined,
      cadence: { decisionSeconds, yellowSeconds, approachMetres: 100 },
      emergency: [],
    },
  };
  const emergency = values.emergency ?? [];
  const names = controllerList(values, engine, emergency.length > 0);
  if (emergency.length > 0 && engine === 'sumo') {
    throw new UsageError('--emergency is only available with the CityFlow-model engine, not --engine sumo');
  }
  if (emergency.length > 0 && names.includes('native')) {
    throw new UsageError(
      "--emergency cannot run with controller 'native' (the roadnet's own plan gives no priority); name the controllers without it",
    );
  }
  if (engine === 'sumo') {
    const unused = (['roadnet', 'flow'] as const).find((name) => values[name] !== undefined);
    if (unused !== undefined) {
      throw new UsageError(`--${unused} is for the CityFlow-model engine; --engine sumo reads --sumocfg`);
    }
    if (values.sumocfg === undefined) throw new UsageError('--engine sumo needs --sumocfg FILE');
    return { ...common, names, engine, sumocfg: values.sumocfg };
  }
  if (values.sumocfg !== undefined) throw new UsageError('--sumocfg is only read with --engine sumo');
  if (values.roadnet === undefined || values.flow === undefined) {
    throw new UsageError('--roadnet FILE and --flow FILE are required');
  }
  return {
    ...common,
    names,
    engine,
    roadnet: values.roadnet,
    flow: values.flow,
    settings: { ...common.settings, emergency: parseEmergency(emergency, steps) },
  };
}

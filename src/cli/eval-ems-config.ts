/**
 * The city file of `urban-brain eval ems --config CITY.json`: any fields of `CityConfig`, the rest
 * from the default city. Checked here, at the edge, before the simulation trusts it.
 */
import { z } from 'zod';
import type { CityConfig } from '../core/ems/city.ts';
import { cityProblems, defaultCity, repeatedIds } from '../core/ems/city.ts';

function anyNumber() {
  return z.number({ error: 'must be a finite number' });
}

function atLeast(minimum: number) {
  return z.number({ error: `must be a finite number ≥ ${minimum}` }).min(minimum, `must be ≥ ${minimum}`);
}

function positive() {
  return z.number({ error: 'must be a finite number > 0' }).positive('must be > 0');
}

function wholeAtLeast(minimum: number) {
  const rule = `must be a whole number ≥ ${minimum}`;
  return z.number({ error: rule }).int(rule).min(minimum, rule);
}

function object<Shape extends z.ZodRawShape>(shape: Shape, description: string) {
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'invalid_type' ? `must be an object ${description}` : undefined),
  });
}

function levels<Item extends z.ZodType>(item: Item, rule: string) {
  const text = `must be a list of 5 entries (levels 1–5), each ${rule}`;
  return z.array(item, { error: text }).length(5, { error: text });
}

const location = object({ xKm: anyNumber(), yKm: anyNumber() }, '{"xKm": number, "yKm": number}');

const hospital = object(
  {
    id: z.string({ error: 'must be text' }).min(1, 'must not be empty'),
    name: z.string({ error: 'must be text' }).optional(),
    location,
    treatmentSpaces: wholeAtLeast(1),
    doctorsOnShift: wholeAtLeast(1),
  },
  '{"id", "name", "location", "treatmentSpaces", "doctorsOnShift"}',
);

/**
 * A hospital id given before is refused where it repeats, beside the file's other problems (zod
 * runs this even when an entry failed: the entries are read as given).
 */
function refuseRepeatedIds(hospitals: readonly unknown[], context: z.RefinementCtx): void {
  const ids = hospitals.map((entry) =>
    typeof entry === 'object' && entry !== null ? (entry as { id?: unknown }).id : undefined,
  );
  for (const { index, first } of repeatedIds(ids))
    context.addIssue({
      code: 'custom',
      path: [index, 'id'],
      message: `repeated (hospitals[${first}] has it)`,
    });
}

const mix = levels(atLeast(0), 'a number ≥ 0').refine(
  (values) => values.reduce((sum, value) => sum + value, 0) > 0,
  'must have a positive sum (relative frequencies of levels 1–5)',
);

const schema = object(
  {
    hospitals: z
      .array(hospital, { error: 'must be a list of hospitals' })
      .min(1, 'must hold at least one hospital')
      .superRefine(refuseRepeatedIds)
      .optional(),
    durationHours: positive().optional(),
    walkInsPerHour: atLeast(0).optional(),
    ambulancesPerHour: atLeast(0).optional(),
    levelMixWalkIn: mix.optional(),
    levelMixAmbulance: mix.optional(),
    treatmentMinutesByLevel: levels(positive(), 'a number > 0').optional(),
    treatmentCoefficientOfVariation: atLeast(0).optional(),
    patienceMinutesByLevel: levels(positive().nullable(), 'a number > 0 or null (never leaves)').optional(),
    demandCentre: location.optional(),
    demandSpreadKm: positive().optional(),
    speedKmPerHour: positive().optional(),
    roadFactor: atLeast(1).optional(),
  },
  'of city settings',
);

const knownKeys: Record<string, readonly string[]> = {
  city: Object.keys(defaultCity),
  hospital: ['id', 'name', 'location', 'treatmentSpaces', 'doctorsOnShift'],
  location: ['xKm', 'yKm'],
};

/**
 * Most patients one simulated run may expect. The default city expects 384; far more exhausted the
 * memory of the process (a fatal error, not a message) instead of being refused.
 */
export const maxPatientsPerRun = 1_000_000;

export type CityFileOutcome = { ok: true; city: CityConfig } | { ok: false; problems: string[] };

/** A city file's parsed JSON → the city to simulate, or one line per problem (key, value, rule). */
export function readCityFile(raw: unknown): CityFileOutcome {
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    return { ok: false, problems: parsed.error.issues.flatMap((issue) => describe(issue, raw)) };
  const { hospitals, ...settings } = parsed.data;
  const city: CityConfig = {
    ...defaultCity,
    ...settings,
    ...(hospitals === undefined
      ? {}
      : { hospitals: hospitals.map((entry) => ({ ...entry, name: entry.name ?? entry.id })) }),
  };
  const problems = cityProblems(city);
  const expected = (city.walkInsPerHour + city.ambulancesPerHour) * city.durationHours;
  if (problems.length === 0 && expected > maxPatientsPerRun)
    problems.push(
      `durationHours × (walkInsPerHour + ambulancesPerHour) = ${city.durationHours} × ` +
        `(${city.walkInsPerHour} + ${city.ambulancesPerHour}) = ${expected} patients: must be at most ` +
        `${maxPatientsPerRun} per run (larger runs exhaust the memory)`,
    );
  return problems.length > 0 ? { ok: false, problems } : { ok: true, city };
}

function describe(issue: z.core.$ZodIssue, raw: unknown): string[] {
  const path = issue.path.filter((key) => typeof key !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const last = path.at(-1);
    const kind = path.length === 0 ? 'city' : typeof last === 'number' ? 'hospital' : 'location';
    return issue.keys.map(
      (key) =>
        `${name([...path, key])} = ${show(valueAt(raw, [...path, key]))}: unknown key (known: ${knownKeys[kind]?.join(', ')})`,
    );
  }
  return [`${name(path)} = ${show(valueAt(raw, path))}: ${issue.message}`];
}

function name(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(the whole file)';
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? key : `.${key}`))
    .join('');
}

function valueAt(raw: unknown, path: readonly (string | number)[]): unknown {
  let value = raw;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function show(value: unknown): string {
  if (value === undefined) return 'missing';
  // JSON reads 1e400 as Infinity, which JSON.stringify would show as null.
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

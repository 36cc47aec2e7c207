import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultCity } from '../core/ems/city.ts';
import { readCityFile } from './eval-ems-config.ts';
import { run } from './eval-ems.ts';
import { captureOutput } from './output.test-helpers.ts';

function problems(raw: unknown): string[] {
  const outcome = readCityFile(raw);
  assert.ok(!outcome.ok, 'the file must be refused');
  return outcome.problems;
}

test('a city file overrides the fields it names; the rest are the default city', () => {
  const outcome = readCityFile({
    ambulancesPerHour: 8,
    hospitals: [{ id: 'a', location: { xKm: 0, yKm: 0 }, treatmentSpaces: 8, doctorsOnShift: 6 }],
  });
  assert.ok(outcome.ok);
  assert.equal(outcome.city.ambulancesPerHour, 8);
  assert.equal(outcome.city.walkInsPerHour, defaultCity.walkInsPerHour);
  assert.deepEqual(outcome.city.hospitals, [
    { id: 'a', name: 'a', location: { xKm: 0, yKm: 0 }, treatmentSpaces: 8, doctorsOnShift: 6 },
  ]);
});

test('unknown or misspelled keys are refused by name, at the top level and inside', () => {
  // Regression: {"bogusField": 1} and "ambulancePerHour" were silently ignored.
  const found = problems({ bogusField: 1, ambulancePerHour: 8, demandCentre: { xKm: 0, yKm: 0, zKm: 1 } });
  assert.equal(found.length, 3, found.join('\n'));
  const line = (key: string): string => found.find((problem) => problem.startsWith(`${key} = `)) ?? '';
  assert.match(
    line('bogusField'),
    /^bogusField = 1: unknown key \(known: hospitals, durationHours, .*ambulancesPerHour/,
  );
  assert.match(line('ambulancePerHour'), /^ambulancePerHour = 8: unknown key/);
  assert.equal(line('demandCentre.zKm'), 'demandCentre.zKm = 1: unknown key (known: xKm, yKm)');
});

test('each bad value is one line naming the key, the value and the rule', () => {
  // Regression: each of these was accepted, or crashed with a TypeError, or gave NaN with exit 0.
  const cases: [unknown, string[]][] = [
    [{ levelMixWalkIn: [0, 0, 0, 0, 0] }, ['levelMixWalkIn = [0,0,0,0,0]: must have a positive sum']],
    [
      { demandCentre: { x: 1 } },
      [
        'demandCentre.xKm = missing: must be a finite number',
        'demandCentre.yKm = missing: must be a finite number',
        'demandCentre.x = 1: unknown key (known: xKm, yKm)',
      ],
    ],
    [{ ambulancesPerHour: '8' }, ['ambulancesPerHour = "8": must be a finite number ≥ 0']],
    [
      { patienceMinutesByLevel: null },
      ['patienceMinutesByLevel = null: must be a list of 5 entries (levels 1–5), each a number > 0 or null'],
    ],
    [{ demandCentre: null }, ['demandCentre = null: must be an object {"xKm": number, "yKm": number}']],
    // JSON reads 1e400 as Infinity.
    [JSON.parse('{"durationHours": 1e400}'), ['durationHours = Infinity: must be a finite number > 0']],
    [
      { hospitals: [{ id: 'a', location: { xKm: 0, yKm: 0 }, treatmentSpaces: 0, doctorsOnShift: 2 }] },
      ['hospitals[0].treatmentSpaces = 0: must be a whole number ≥ 1'],
    ],
    [[1], ['(the whole file) = [1]: must be an object of city settings']],
  ];
  for (const [raw, expected] of cases) {
    const found = problems(raw);
    assert.equal(found.length, expected.length, JSON.stringify(found));
    expected.forEach((start, index) =>
      assert.ok(found[index]?.startsWith(start), `${found[index]} ≠ ${start}…`),
    );
  }
});

test('a repeated hospital id is refused where it repeats, beside the other problems', () => {
  // Regression: it was told only once every other problem was mended, and not as `key = value: rule`.
  const hospital = { id: 'a', location: { xKm: 0, yKm: 0 }, treatmentSpaces: 2, doctorsOnShift: 2 };
  assert.deepEqual(problems({ hospitals: [hospital, hospital] }), [
    'hospitals[1].id = "a": repeated (hospitals[0] has it)',
  ]);
  assert.deepEqual(
    problems({ hospitals: [{ ...hospital, treatmentSpaces: 0 }, hospital, { ...hospital, id: 'b' }] }),
    [
      'hospitals[0].treatmentSpaces = 0: must be a whole number ≥ 1',
      'hospitals[1].id = "a": repeated (hospitals[0] has it)',
    ],
  );
});

test('eval ems --config with a bad file exits 2 with one line per problem and runs nothing', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'eval-ems-'));
  const file = join(folder, 'city.json');
  writeFileSync(file, JSON.stringify({ bogusField: 1, levelMixAmbulance: [0, 0, 0, 0, 0] }));
  let stderr: string;
  try {
    const output = await captureOutput(() => run(['--config', file, '--seeds', '1']));
    assert.equal(output.value, 2);
    stderr = output.stderr;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.ok(lines.every((line) => line.startsWith(`eval ems: ${file}: `)));
  assert.ok(lines.some((line) => /levelMixAmbulance = \[0,0,0,0,0\]: must have a positive sum/.test(line)));
  assert.ok(lines.some((line) => /bogusField = 1: unknown key/.test(line)));
});

test('a city whose run would expect more patients than fit in memory is refused, not a fatal crash', () => {
  // Regression: {"durationHours": 1e9} ended the process with a V8 "invalid size error" core dump.
  assert.deepEqual(problems({ durationHours: 1e9 }), [
    'durationHours × (walkInsPerHour + ambulancesPerHour) = 1000000000 × (11 + 5) = 16000000000 patients: ' +
      'must be at most 1000000 per run (larger runs exhaust the memory)',
  ]);
  assert.ok(readCityFile({ durationHours: 1_000_000 / 16 }).ok, 'the limit itself is accepted');
});

/** `urban-brain eval ems ARGS` in a child process (its stdout would mix with the test report's). */
function runCommand(args: string[]): Promise<{ code: number; stderr: string }> {
  const bin = new URL('../../bin/urban-brain.js', import.meta.url).pathname;
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'eval', 'ems', ...args], (error, _stdout, stderr) =>
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stderr }),
    );
  });
}

test('eval ems --config reads a file that starts with a byte order mark; bad JSON is named as such', async () => {
  // Regression: a city file saved with a BOM was refused as "Unexpected token".
  const folder = mkdtempSync(join(tmpdir(), 'eval-ems-'));
  try {
    const file = join(folder, 'city.json');
    writeFileSync(file, `\uFEFF${JSON.stringify({ durationHours: 1 })}`);
    const read = await runCommand(['--config', file, '--seeds', '1', '--json']);
    assert.equal(read.code, 0, read.stderr);
    assert.match(read.stderr, /1 seeds × 1 h/);
    writeFileSync(file, '{"durationHours": ');
    const bad = await runCommand(['--config', file]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, new RegExp(`^eval ems: ${file}: not valid JSON: `));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

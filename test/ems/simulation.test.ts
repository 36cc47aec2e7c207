import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cityProblems, defaultCity, ktasLevelCounts } from '../../src/core/ems/city.ts';
import type { CityConfig } from '../../src/core/ems/city.ts';
import { simulate } from '../../src/core/ems/simulation.ts';
import { drawPatients } from '../../src/core/ems/arrivals.ts';
import { compareDispatch } from '../../src/core/ems/comparison.ts';
import { treatmentSlots } from '../../src/core/ems/hospital.ts';
import { decodeText } from '../../src/core/triage/text.ts';
import { parseKtasText } from '../../src/core/triage/ktas-file.ts';

const seeds = [1, 2, 3, 4, 5];

void test('conservation: every patient arrives and is either seen or leaves unseen, never both, in both policies', () => {
  for (const policy of ['nearest', 'expected-time'] as const) {
    for (const seed of seeds) {
      const outcomes = simulate(defaultCity, policy, seed);
      assert.equal(outcomes.length, drawPatients(defaultCity, seed).length);
      for (const o of outcomes) {
        assert.ok(
          (o.seenMinutes === null) !== (o.leftMinutes === null),
          `${policy} seed ${seed} ${o.patient.id}`,
        );
        assert.ok(o.doorMinutes >= o.patient.callMinutes);
        if (o.seenMinutes !== null) assert.ok(o.seenMinutes >= o.doorMinutes);
        if (o.leftMinutes !== null)
          assert.ok(
            o.patient.level >= 3 &&
              Math.abs(o.leftMinutes - o.doorMinutes - o.patient.patienceMinutes) < 1e-9,
          );
      }
    }
  }
});

void test('the same seed gives the same run; both policies meet the same patients', () => {
  assert.deepEqual(simulate(defaultCity, 'expected-time', 7), simulate(defaultCity, 'expected-time', 7));
  const ids = (policy: 'nearest' | 'expected-time'): string[] =>
    simulate(defaultCity, policy, 7).map((o) => `${o.patient.id}:${o.patient.level}:${o.patient.mode}`);
  assert.deepEqual(ids('nearest'), ids('expected-time'));
  assert.notDeepEqual(drawPatients(defaultCity, 7), drawPatients(defaultCity, 8));
});

void test('no department ever treats more patients at once than it has treatment slots', () => {
  for (const policy of ['nearest', 'expected-time'] as const) {
    const outcomes = simulate(defaultCity, policy, 3);
    for (const hospital of defaultCity.hospitals) {
      const changes = outcomes
        .filter((o) => o.hospitalId === hospital.id && o.seenMinutes !== null)
        .flatMap((o) => [
          { t: o.seenMinutes as number, d: 1 },
          { t: (o.seenMinutes as number) + o.patient.treatmentMinutes, d: -1 },
        ])
        .sort((a, b) => a.t - b.t || a.d - b.d);
      let busy = 0;
      for (const change of changes) {
        busy += change.d;
        assert.ok(busy <= treatmentSlots(hospital), `${policy} ${hospital.id} busy ${busy}`);
      }
    }
  }
});

void test('walk-ins go to the nearest department under both policies; only ambulances are redirected', () => {
  const nearest = simulate(defaultCity, 'nearest', 4);
  const ours = simulate(defaultCity, 'expected-time', 4);
  nearest.forEach((o, i) => {
    if (o.patient.mode === 'walk-in') assert.equal(ours[i]?.hospitalId, o.hospitalId);
  });
  assert.ok(ours.some((o, i) => o.hospitalId !== nearest[i]?.hospitalId));
});

void test('expected-time dispatch cuts level 1–2 door-to-provider time by ≥ 30% with no worse LWBS (30 seeds; 200-seed reference 46%)', () => {
  const comparison = compareDispatch(defaultCity, 30);
  assert.equal(comparison.unaccounted, 0);
  assert.ok(
    comparison.doorToProviderLevels1to2Reduction >= 0.3,
    `reduction ${comparison.doorToProviderLevels1to2Reduction}`,
  );
  assert.ok(comparison.expectedTime.leftWithoutBeingSeenRate <= comparison.nearest.leftWithoutBeingSeenRate);
});

void test('the level mix by arrival mode matches the KTAS data file', () => {
  const parsed = parseKtasText(
    decodeText(readFileSync(new URL('../../../shared/data/ktas/train.csv', import.meta.url))),
  );
  assert.ok(parsed.ok);
  const counts = { ambulance: [0, 0, 0, 0, 0], walkIn: [0, 0, 0, 0, 0] };
  for (const row of parsed.rows) {
    if (!row.ok || row.labels.expertLevel === null) continue;
    const ambulance =
      row.presentation.arrivalMode === 'public-ambulance' ||
      row.presentation.arrivalMode === 'private-ambulance';
    (ambulance ? counts.ambulance : counts.walkIn)[row.labels.expertLevel - 1]! += 1;
  }
  assert.deepEqual(counts, {
    ambulance: [...ktasLevelCounts.ambulance],
    walkIn: [...ktasLevelCounts.walkIn],
  });
});

void test('a city with problems is described field by field', () => {
  const broken: CityConfig = {
    ...defaultCity,
    hospitals: [{ ...defaultCity.hospitals[0]!, doctorsOnShift: 0 }, { ...defaultCity.hospitals[0]! }],
    walkInsPerHour: -1,
  };
  const problems = cityProblems(broken);
  assert.ok(problems.some((p) => p.includes('doctorsOnShift 0')));
  assert.ok(problems.some((p) => p.includes("'central' is repeated")));
  assert.ok(problems.some((p) => p.startsWith('walkInsPerHour')));
  assert.deepEqual(cityProblems(defaultCity), []);
});

void test('a level mix without weight, a closed department or an infinite figure is a problem', () => {
  // Regression: an all-zero mix gave NaN tables and exit 0.
  const problems = cityProblems({
    ...defaultCity,
    hospitals: [{ ...defaultCity.hospitals[0]!, treatmentSpaces: 0 }],
    levelMixAmbulance: [0, 0, 0, 0, 0],
    durationHours: Infinity,
  });
  assert.deepEqual(problems, [
    'hospitals[0] (central): treatmentSpaces 0 must be ≥ 1 in a simulated city',
    'durationHours Infinity must be a finite number > 0',
    'levelMixAmbulance [0,0,0,0,0] must have a positive sum',
  ]);
});

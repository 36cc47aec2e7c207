import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNabCorpus, readNabFinalResults, readNabResultScores } from '../src/adapters/files/nab-files.ts';
import { descendingOrder, poolCorpus } from '../src/core/nab/pooled.ts';
import type { ScoredFile } from '../src/core/nab/pooled.ts';
import { NAB_PROFILES, parseProfiles } from '../src/core/nab/profiles.ts';
import type { ProfileName } from '../src/core/nab/profiles.ts';
import { sweepThreshold } from '../src/core/nab/sweep.ts';
import { labelFile } from '../src/core/nab/windows.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/data/nab');

async function scorePublished(detector: string): Promise<Record<ProfileName, number>> {
  const corpus = await readNabCorpus(root);
  const files: ScoredFile[] = [];
  for (const series of corpus.series) {
    const published = await readNabResultScores(root, detector, series.key);
    assert.equal(published.scores.length, series.values.length, `${series.key}: row count`);
    files.push({
      labels: labelFile(series.timestampsMillis, corpus.windows.get(series.key) ?? []),
      scores: published.scores,
    });
  }
  const pooled = poolCorpus(files);
  assert.equal(pooled.windowCount, 116);
  const order = descendingOrder(pooled.scores);
  return {
    standard: sweepThreshold(pooled, order, NAB_PROFILES.standard).normalisedScore,
    reward_low_FP_rate: sweepThreshold(pooled, order, NAB_PROFILES.reward_low_FP_rate).normalisedScore,
    reward_low_FN_rate: sweepThreshold(pooled, order, NAB_PROFILES.reward_low_FN_rate).normalisedScore,
  };
}

void test('reproduces the published ARTime scores for all three profiles to ±0.01', async () => {
  const expected = (await readNabFinalResults(root)).get('ARTime');
  assert.ok(expected);
  const scores = await scorePublished('ARTime');
  for (const profile of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const) {
    assert.ok(
      Math.abs(scores[profile] - (expected[profile] as number)) <= 0.01,
      `${profile}: ${scores[profile]} vs ${expected[profile]}`,
    );
  }
});

void test('reproduces the published numenta scores for the standard and low-FN profiles to ±0.01', async () => {
  const expected = (await readNabFinalResults(root)).get('numenta');
  assert.ok(expected);
  const scores = await scorePublished('numenta');
  for (const profile of ['standard', 'reward_low_FN_rate'] as const) {
    assert.ok(
      Math.abs(scores[profile] - (expected[profile] as number)) <= 0.01,
      `${profile}: ${scores[profile]} vs ${expected[profile]}`,
    );
  }
});

void test('the built-in cost profiles are those of config/profiles.json', async () => {
  const parsed = parseProfiles(
    JSON.parse(await readFile(path.join(root, 'config', 'profiles.json'), 'utf8')),
  );
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  assert.deepEqual(parsed.value, NAB_PROFILES);
});

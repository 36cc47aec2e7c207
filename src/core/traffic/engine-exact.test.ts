/**
 * The engine's speed-ups (leader search after lane changes limited to what changed, links with no
 * vehicle near them skipped in the crossing notification, crossing state in plain fields, and the
 * others listed in docs/traffic.md) must not change a single result: these figures were recorded with the engine before them, on the real
 * Jinan and Hangzhou flows with the roadnets' own fixed plans (3600 s, seed 0).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Engine } from './engine.ts';
import { runNativePlan } from './native-plan.ts';
import { parseFlows, parseRoadnet } from './scenario.ts';

const data = new URL('../../../../shared/data/traffic/', import.meta.url);
const read = (file: string): unknown => JSON.parse(readFileSync(new URL(file, data), 'utf8')) as unknown;

const recorded = [
  {
    roadnet: 'jinan_3x4/roadnet_3_4.json',
    flow: 'jinan_3x4/anon_3_4_jinan_real.json',
    att: 444.3871326449563,
    finished: 5258,
  },
  {
    roadnet: 'hangzhou_4x4/roadnet_4_4.json',
    flow: 'hangzhou_4x4/anon_4_4_hangzhou_real.json',
    att: 525.0569896077774,
    finished: 2508,
  },
];

for (const run of recorded) {
  test(`the fixed plan on ${run.flow} gives exactly the figures recorded before the speed-ups`, () => {
    const roadnet = parseRoadnet(read(run.roadnet));
    assert.ok(roadnet.ok);
    const flows = parseFlows(read(run.flow), roadnet.value);
    assert.ok(flows.ok);
    const metrics = runNativePlan(new Engine(roadnet.value, flows.value, { seed: 0 }), roadnet.value, 3600);
    assert.equal(metrics.att, run.att);
    assert.equal(metrics.finished, run.finished);
  });
}

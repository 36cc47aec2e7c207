/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { LiveTrafficSnapshot } from '../src/services/traffic/live-traffic.ts';
import {
  api,
  chromiumPath,
  ensureDashboardBuilt,
  launchBrowser,
  signIn,
  startDemoServer,
  type DemoServer,
} from './browser.ts';

const skip = existsSync(chromiumPath) ? false : `no Chromium at ${chromiumPath} (.ci/run installs it)`;

let server: DemoServer;
let browser: Browser;

before(async () => {
  if (skip !== false) return;
  await ensureDashboardBuilt();
  // A shared machine may take minutes to write the city's history.
  server = await startDemoServer(['--sensors', '200', '--seed', '3'], 300_000);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const straight = (from: 'north' | 'east' | 'south' | 'west') => ({ from, turn: 'straight' as const });
const left = (from: 'north' | 'east' | 'south' | 'west') => ({ from, turn: 'left' as const });

function junction(
  column: number,
  phase: number,
  movements: LiveTrafficSnapshot['intersections'][0]['movements'],
  yellow = false,
) {
  return {
    id: `traffic.j${column}`,
    row: 0,
    column,
    lat: 0,
    lon: 0,
    phase,
    phaseCount: 4,
    yellow,
    movements,
    queue: 2,
  };
}

/** Phases as the live district serves them: 0 east–west straight, 1 north–south straight, 2 east–west left. */
const snapshot: LiveTrafficSnapshot = {
  timeSeconds: 600,
  timeOfDay: { secondsOfDay: 8 * 3600 + 15 * 60, demandShareOfPeak: 0.97 },
  speed: 120,
  controller: 'actuated-pressure',
  baseline: 'fixed',
  intersections: [
    junction(0, 0, [straight('west'), straight('east')]),
    junction(1, 1, [straight('south'), straight('north')], true),
    junction(2, 2, [left('west'), left('east')]),
    junction(3, -1, []),
  ],
  averageTravelSeconds: 200,
  baselineTravelSeconds: 400,
  history: [],
  behindSeconds: 180,
  skips: 0,
  emergencyVehicles: [],
};

test(
  'the traffic view draws each green the way its vehicles go, marks the yellow and says how far the run is behind',
  { skip },
  async () => {
    // Regression: phase 0 (east–west straight in the live district) was drawn as ↕, the yellow not at all.
    const page = await signIn(browser, server.url, server.viewerKey);
    await page.route('**/api/v1/traffic', (route) => route.fulfill({ json: snapshot }));
    await page.click('[data-tab=traffic]');
    await page.locator('.junction').nth(3).waitFor();
    const cells = await page.locator('.junction').evaluateAll((nodes) =>
      nodes.map((node) => ({
        name: node.querySelector('.name')?.textContent,
        symbol: node.querySelector('.phase')?.textContent,
        title: (node as HTMLElement).title,
        yellow: (node as HTMLElement).dataset.yellow !== undefined,
      })),
    );
    assert.deepEqual(
      cells.map((cell) => cell.symbol),
      ['↔', '↕', '↔↰', '•'],
    );
    assert.deepEqual(
      cells.map((cell) => cell.yellow),
      [false, true, false, false],
    );
    // Each cell shows its row-column name (it had none but on hover), and a legend says what the marks mean.
    assert.deepEqual(
      cells.map((cell) => cell.name),
      ['1-1', '1-2', '1-3', '1-4'],
    );
    assert.match(
      cells[0]!.title,
      /^Intersection 1-1 \(traffic\.j0\): phase 1\/4: straight from west and east; 2 vehicles waiting/,
    );
    const legend = await page.locator('#traffic .traffic-legend').innerText();
    for (const words of [
      'named row-column',
      'vehicles waiting',
      'yellow before the next green',
      'emergency vehicle',
    ])
      assert.ok(legend.includes(words), words);
    assert.match(cells[1]!.title, /yellow, then phase 2\/4: straight from south and north/);
    assert.match(cells[3]!.title, /: no phase yet: no green yet; 2 vehicles waiting$/);
    const summary = await page.locator('#traffic .summary').innerText();
    assert.match(summary, /50\.0 % less time\); simulated 10 min, 3 simulated min behind the clock/);
    await page.close();
  },
);

test('an emergency vehicle on its way is marked on the intersection it approaches', { skip }, async () => {
  const page = await signIn(browser, server.url, server.viewerKey);
  const vehicle = {
    id: 'ev-7',
    from: 'traffic.j0',
    to: 'traffic.j3',
    route: ['traffic.j0', 'traffic.j1', 'traffic.j2', 'traffic.j3'],
    roads: [],
    startedSeconds: 540,
    state: 'on-its-way' as const,
    at: 'traffic.j2',
    prioritySeconds: null,
    baselineSeconds: null,
  };
  await page.route('**/api/v1/traffic', (route) =>
    route.fulfill({ json: { ...snapshot, emergencyVehicles: [vehicle] } }),
  );
  await page.click('[data-tab=traffic]');
  await page.locator('.junction').nth(3).waitFor();
  const marked = await page
    .locator('.junction')
    .evaluateAll((nodes) => nodes.map((node) => (node as HTMLElement).dataset.emergency ?? null));
  assert.deepEqual(marked, [null, null, 'ev-7', null]);
  assert.match(
    (await page.locator('.junction').nth(2).getAttribute('title')) ?? '',
    /emergency vehicle ev-7 here/,
  );
  await page.close();
});

test(
  'the traffic view shows the simulated time of day that drives the demand, and its share of the peak',
  { skip },
  async () => {
    // Regression: the tab did not say where in the simulated day the district was, so a user could not tell why queues grew.
    const page = await signIn(browser, server.url, server.viewerKey);
    let served: LiveTrafficSnapshot = snapshot;
    await page.route('**/api/v1/traffic', (route) => route.fulfill({ json: served }));
    await page.click('[data-tab=traffic]');
    const line = page.locator('#traffic .time-of-day');
    await line.waitFor();
    assert.equal(
      await line.innerText(),
      "Simulated time of day 08:15 (120× real time), morning peak: demand 97 % of the day's peak.",
    );
    // A given flow's demand has no time of day: at the next refresh the line goes.
    served = { ...snapshot, timeOfDay: null };
    await line.waitFor({ state: 'hidden' });
    await page.close();
  },
);

test(
  'an emergency vehicle that just arrived stays marked, dimmed, where its trip ended; older and dropped ones do not',
  { skip },
  async () => {
    // Regression: at 120× the mark showed for one or two refreshes of a trip and was easily missed.
    const page = await signIn(browser, server.url, server.viewerKey);
    const vehicle = {
      from: 'traffic.j0',
      route: ['traffic.j0', 'traffic.j1', 'traffic.j2', 'traffic.j3'],
      roads: [],
      at: null,
      baselineSeconds: null,
    };
    const vehicles: LiveTrafficSnapshot['emergencyVehicles'] = [
      // On its way, at 2-2.
      {
        ...vehicle,
        id: 'ev-9',
        to: 'traffic.j3',
        startedSeconds: 3500,
        state: 'on-its-way',
        at: 'traffic.j1',
        prioritySeconds: null,
      },
      // Arrived at simulated 3,300: 300 s before the snapshot, 2.5 s of wall time at 120×.
      {
        ...vehicle,
        id: 'ev-8',
        to: 'traffic.j3',
        startedSeconds: 3000,
        state: 'arrived',
        prioritySeconds: 300,
      },
      // Arrived at 1,200: 20 s of wall time ago.
      {
        ...vehicle,
        id: 'ev-5',
        to: 'traffic.j2',
        startedSeconds: 1000,
        state: 'arrived',
        prioritySeconds: 200,
      },
      {
        ...vehicle,
        id: 'ev-4',
        to: 'traffic.j2',
        startedSeconds: 900,
        state: 'dropped',
        prioritySeconds: null,
      },
    ];
    await page.route('**/api/v1/traffic', (route) =>
      route.fulfill({ json: { ...snapshot, timeSeconds: 3600, emergencyVehicles: vehicles } }),
    );
    await page.click('[data-tab=traffic]');
    await page.locator('.junction').nth(3).waitFor();
    const cells = await page.locator('.junction').evaluateAll((nodes) =>
      nodes.map((node) => {
        const mark = node.querySelector<HTMLElement>('.emergency');
        return {
          here: (node as HTMLElement).dataset.emergency ?? null,
          arrived: (node as HTMLElement).dataset.arrived ?? null,
          mark:
            mark === null
              ? null
              : { text: mark.textContent, opacity: Number(getComputedStyle(mark).opacity) },
        };
      }),
    );
    assert.deepEqual(
      cells.map((cell) => [cell.here, cell.arrived]),
      [
        [null, null],
        ['ev-9', null],
        [null, null],
        [null, 'ev-8'],
      ],
    );
    assert.equal(cells[1]!.mark?.opacity, 1);
    assert.equal(cells[3]!.mark?.text, '✚');
    assert.ok((cells[3]!.mark?.opacity ?? 1) < 1, 'dimmed');
    assert.match(
      (await page.locator('.junction').nth(3).getAttribute('title')) ?? '',
      /; emergency vehicle ev-8 arrived here$/,
    );
    await page.close();
  },
);

test('before any vehicle the traffic view says so instead of a percentage of nothing', { skip }, async () => {
  const page = await signIn(browser, server.url, server.viewerKey);
  const empty = { ...snapshot, averageTravelSeconds: 0, baselineTravelSeconds: 0, behindSeconds: 0 };
  await page.route('**/api/v1/traffic', (route) => route.fulfill({ json: empty }));
  await page.click('[data-tab=traffic]');
  await page.locator('.junction').first().waitFor();
  const summary = await page.locator('#traffic .summary').innerText();
  assert.equal(summary, 'No vehicle in the district yet (actuated-pressure control); simulated 10 min.');
  await page.close();
});

test(
  'on a platform without a traffic district the tab says so, with no empty emergency list',
  { skip },
  async () => {
    // Regression: it showed "Traffic unavailable: no route GET /api/v1/traffic" over an empty list.
    const page = await signIn(browser, server.url, server.viewerKey);
    await page.route('**/api/v1/traffic', (route) =>
      route.fulfill({ status: 404, json: { error: 'no city model is running: the demo city brings one' } }),
    );
    await page.click('[data-tab=traffic]');
    const summary = page.locator('#traffic .summary', { hasText: 'No live traffic district' });
    await summary.waitFor();
    assert.equal(
      await summary.innerText(),
      'No live traffic district runs on this platform: the demo city brings one.',
    );
    assert.equal(await page.locator('#traffic .emergency-vehicles').isVisible(), false);
    assert.equal(await page.locator('#traffic .traffic-legend').isVisible(), false);
    await page.close();
  },
);

test('the live district as served: every symbol matches what the green lets go', { skip }, async () => {
  const page = await signIn(browser, server.url, server.viewerKey);
  await page.click('[data-tab=traffic]');
  await page.locator('.junction').nth(35).waitFor({ timeout: 30_000 });
  const response = await page.evaluate(async () => {
    const cells = [...document.querySelectorAll<HTMLElement>('.junction')];
    return cells.map((cell) => ({
      phase: cell.dataset.phase,
      symbol: cell.querySelector('.phase')?.textContent,
    }));
  });
  const symbols: Record<string, string> = { '0': '↔', '1': '↕', '2': '↔↰', '3': '↕↰', '-1': '•' };
  for (const cell of response) assert.equal(cell.symbol, symbols[cell.phase!], `phase ${cell.phase}`);
  // The time of day shown is the simulation's, as the API answers it (2 s apart at most: a few simulated minutes).
  const shown = await page.locator('#traffic .time-of-day').innerText();
  const answer = (await (
    await api(server, server.viewerKey, 'GET', '/api/v1/traffic')
  ).json()) as LiveTrafficSnapshot;
  assert.ok(answer.timeOfDay !== null, 'the generated district has a time of day');
  assert.ok(answer.timeOfDay.demandShareOfPeak >= 0 && answer.timeOfDay.demandShareOfPeak <= 1);
  const match =
    /^Simulated time of day (\d\d):(\d\d) \((\d+)× real time\), (morning peak|evening peak|off-peak|quiet hours): demand \d+ % of the day's peak\.$/.exec(
      shown,
    );
  assert.ok(match !== null, shown);
  assert.equal(Number(match[3]), answer.speed);
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  const apart = (Math.floor(answer.timeOfDay.secondsOfDay / 60) - minutes + 1440) % 1440;
  assert.ok(apart <= 30, `shown ${shown}, answered ${JSON.stringify(answer.timeOfDay)}`);
  await page.close();
});

test(
  'an operator sends an emergency vehicle from the Traffic tab and sees it listed; a viewer sees the list only',
  { skip },
  async () => {
    const page = await signIn(browser, server.url, server.operatorKey);
    await page.click('[data-tab=traffic]');
    const form = page.locator('#traffic form.emergency-send');
    await form.waitFor({ timeout: 30_000 });
    // Two different intersections, or a refusal on the form (bug: sent, refused by the server).
    await form.locator('select[name=from]').selectOption('traffic.intersection_2_2');
    await form.locator('select[name=to]').selectOption('traffic.intersection_2_2');
    await form.locator('button').click();
    await page
      .locator('#traffic .emergency-note.error', { hasText: 'choose two different intersections' })
      .waitFor();
    const option = form.locator('select[name=from] option[value="traffic.intersection_2_2"]');
    // Named row-column as on the grid and the map, the id on hover (it was shown beside the label).
    assert.match((await option.textContent()) ?? '', /^\d+-\d+$/);
    assert.equal(await option.getAttribute('title'), 'traffic.intersection_2_2');
    await form.locator('select[name=from]').selectOption('traffic.intersection_1_1');
    await form.locator('select[name=to]').selectOption('traffic.intersection_6_6');
    const label = async (id: string): Promise<string> =>
      (await form.locator(`select[name=from] option[value="${id}"]`).textContent()) ?? '';
    const trip = `${await label('traffic.intersection_1_1')} → ${await label('traffic.intersection_6_6')}`;
    await form.locator('button').click();
    await page.locator('#traffic .emergency-note', { hasText: 'sent through 11 intersections' }).waitFor();
    // Named as in the form and on the grid (bug: by ids, whose numbers are not the labels'); ids on hover.
    const item = page.locator('#traffic .emergency-list li', { hasText: trip });
    await item.first().waitFor({ timeout: 30_000 });
    assert.match(await item.first().innerText(), /^ev-\d+ .*: (on its way|arrived, \d+ s with priority)/);
    assert.equal(
      await item.first().getAttribute('title'),
      'traffic.intersection_1_1 → traffic.intersection_6_6',
    );
    await page.close();
    const viewer = await signIn(browser, server.url, server.viewerKey);
    await viewer.click('[data-tab=traffic]');
    await viewer.locator('#traffic .emergency-list li', { hasText: trip }).first().waitFor();
    assert.equal(await viewer.locator('#traffic form.emergency-send').isVisible(), false);
    await viewer.close();
  },
);

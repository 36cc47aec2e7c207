/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { generateCity } from '../src/services/demo/city.ts';
import { assignReplays } from '../src/services/demo/streams.ts';
import {
  api,
  chromiumPath,
  ensureDashboardBuilt,
  launchBrowser,
  repoRoot,
  signIn,
  startDemoServer,
  type DemoServer,
} from './browser.ts';

// The demo city at 1,200× real time: a recorded 5-minute NAB row every 250 ms, so the replayed
// machine-temperature failure (3 recorded hours after the cue) arrives about 9 s after start.
const sensorCount = 1000;
const seed = 42;
const screenshots = `${repoRoot}out/dashboard/`;
const skip = existsSync(chromiumPath) ? false : `no Chromium at ${chromiumPath} (.ci/run installs it)`;

let server: DemoServer;
let browser: Browser;
/** Whether the HTTP app serves the dashboard at `/` (`serveDashboard` in the composition root). */
let served = false;
const notServed = 'the platform does not serve the dashboard at / yet (wire serveDashboard into createApp)';

before(async () => {
  if (skip !== false) return;
  await ensureDashboardBuilt();
  await mkdir(screenshots, { recursive: true });
  server = await startDemoServer([
    '--speed',
    '1200',
    '--sensors',
    String(sensorCount),
    '--seed',
    String(seed),
    // Pinned: the cue points of the replays are chosen for what the shipped detectors see.
    '--detector',
    'surprise',
  ]);
  const home = await fetch(server.url);
  served = home.ok && (await home.text()).includes('id="login"');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${screenshots}${name}.png` });
}

test('the page loads and the map shows every sensor of the demo city', { skip }, async (t) => {
  if (!served) return t.skip(notServed);
  const page = await signIn(browser, server.url, server.viewerKey);
  const registered = (await (
    await api(server, server.viewerKey, 'GET', '/api/v1/sensors?limit=10000')
  ).json()) as { sensors: { id: string; lat: number | null }[] };
  // The generated city's sensors, plus the lane detectors of the live traffic district (`traffic.*`).
  const citySensors = registered.sensors.filter((sensor) => !sensor.id.startsWith('traffic.'));
  assert.equal(citySensors.length, sensorCount);
  const placed = registered.sensors.filter((sensor) => sensor.lat !== null).length;
  await page.waitForFunction(
    (count) => document.getElementById('map')?.dataset.drawn === String(count),
    placed,
  );
  // Readings arrive live: sensors turn from idle to reporting without a reload.
  await page.waitForFunction(() => {
    const state = (window as unknown as { urbanBrain: { readingsReceived: number } }).urbanBrain;
    return state.readingsReceived > 100;
  });
  assert.match(
    (await page.textContent('#counts')) ?? '',
    new RegExp(`${placed.toLocaleString('en-US')} sensors`),
  );
  assert.equal(await page.textContent('#live'), 'live');
  await shot(page, 'map');
  await page.close();
});

test('clicking a sensor opens its chart with data from the query API', { skip }, async (t) => {
  if (!served) return t.skip(notServed);
  const page = await signIn(browser, server.url, server.viewerKey);
  const target = await page.evaluate(() => {
    const state = (
      window as unknown as {
        urbanBrain: {
          table: { sensors: { id: string; kind: string }[]; index: Map<string, number> };
          map: { clientPosition(index: number): { x: number; y: number } };
        };
      }
    ).urbanBrain;
    const sensor = state.table.sensors.find((entry) => entry.kind === 'flow') ?? state.table.sensors[0]!;
    return { id: sensor.id, position: state.map.clientPosition(state.table.index.get(sensor.id)!) };
  });
  assert.ok(target.position !== null);
  await page.mouse.click(target.position.x, target.position.y);
  await page.waitForFunction(() => Number(document.getElementById('sensor-chart')?.dataset.points ?? 0) > 0);
  const title = await page.textContent('#sensor-title');
  // Sensors of one asset sit a few metres apart: the click picks the nearest, which is on the same asset.
  assert.equal(title?.split('.')[0], target.id.split('.')[0]);
  assert.ok(await page.isVisible('#sensor-chart canvas'));
  await shot(page, 'sensor-chart');
  await page.close();
});

test('a replayed failure raises an alert that appears without reloading', { skip }, async (t) => {
  if (!served) return t.skip(notServed);
  const replayed = [...assignReplays(generateCity({ sensorCount, seed })).keys()];
  const page = await signIn(browser, server.url, server.operatorKey);
  await page.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));
  await page.click('[data-tab=alerts]');
  const alertedSensor = await page.waitForFunction(
    (sensors) => {
      const state = (window as unknown as { urbanBrain: { maintenance: { alerts: { sensor: string }[] } } })
        .urbanBrain;
      return state.maintenance.alerts.find((alert) => sensors.includes(alert.sensor))?.sensor ?? false;
    },
    replayed,
    { timeout: 90_000 },
  );
  const sensor = (await alertedSensor.jsonValue()) as string;
  assert.ok(replayed.includes(sensor));
  assert.ok(
    await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce === true),
    'the page was not reloaded',
  );
  assert.ok((await page.locator('#alert-feed li[data-alert]').count()) > 0);
  await shot(page, 'alert-feed');
  await page.evaluate(
    (id) =>
      (window as unknown as { urbanBrain: { selectSensor(id: string): void } }).urbanBrain.selectSensor(id),
    sensor,
  );
  await page.waitForFunction(() => Number(document.getElementById('sensor-chart')?.dataset.points ?? 0) > 0);
  await shot(page, 'alerted-sensor');
  await page.close();
});

test('an operator acknowledges a work order and its state changes through the API', { skip }, async (t) => {
  if (!served) return t.skip(notServed);
  const page = await signIn(browser, server.url, server.operatorKey);
  await page.click('[data-tab=orders]');
  const button = page.locator('article[data-status=open] button[data-action=acknowledge]').first();
  await button.waitFor({ timeout: 90_000 });
  const id = await button.evaluate((node) => (node.closest('article') as HTMLElement).dataset.order!);
  await button.click();
  await page.waitForSelector(`article[data-order="${id}"][data-status=acknowledged]`);
  const order = (await (await api(server, server.viewerKey, 'GET', `/api/v1/work-orders/${id}`)).json()) as {
    status: string;
    verdicts: { action: string }[];
  };
  assert.equal(order.status, 'acknowledged');
  assert.equal(order.verdicts.at(-1)?.action, 'acknowledge');
  await shot(page, 'work-orders');
  await page.close();
});

test('a viewer sees the work orders but cannot act on them', { skip }, async (t) => {
  if (!served) return t.skip(notServed);
  const page = await signIn(browser, server.url, server.viewerKey);
  await page.click('[data-tab=orders]');
  const card = page.locator('article[data-order]').first();
  await card.waitFor({ timeout: 90_000 });
  const buttons = page.locator('article[data-order] button[data-action]');
  const count = await buttons.count();
  for (let index = 0; index < count; index += 1) assert.equal(await buttons.nth(index).isDisabled(), true);
  assert.match((await page.textContent('#orders-note')) ?? '', /may view work orders but not act/);
  const id = await card.evaluate((node) => (node as HTMLElement).dataset.order!);
  const refused = await api(server, server.viewerKey, 'POST', `/api/v1/work-orders/${id}/resolve`);
  assert.equal(refused.status, 403);
  await shot(page, 'viewer');
  await page.close();
});

test('the Hospitals tab shows the platform emergency departments', { skip }, async (t) => {
  if (!served) return t.skip(notServed);
  const page = await signIn(browser, server.url, server.viewerKey);
  await page.click('[data-tab=hospitals]');
  await page.locator('article.hospital[data-hospital]').first().waitFor({ timeout: 30_000 });
  const cards = await page.$$eval('article.hospital[data-hospital]', (nodes) =>
    nodes.map((node) => ({ id: (node as HTMLElement).dataset.hospital!, text: node.textContent ?? '' })),
  );
  const { departments } = (await (
    await api(server, server.viewerKey, 'GET', '/api/v1/emergency/departments')
  ).json()) as {
    departments: { id: string; name: string; doctorsOnShift: number; treatmentSpaces: number }[];
  };
  assert.deepEqual(
    cards.map((card) => card.id).sort(),
    departments.map((department) => department.id).sort(),
  );
  for (const department of departments) {
    const card = cards.find((entry) => entry.id === department.id);
    const beds = Math.min(department.treatmentSpaces, department.doctorsOnShift);
    assert.ok(card?.text.includes(department.name) && card.text.includes(`/${beds} beds`), card?.text);
  }
  await shot(page, 'hospitals');
  await page.close();
});

/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { generateCity } from '../src/services/demo/city.ts';
import { clearArea } from '../web/src/framing.ts';
import { dateTime, moment, time } from '../web/src/format.ts';
import { findSensors } from '../web/src/sensor-search.ts';
import { seriesWithGaps } from '../web/src/series.ts';
import { assignReplays } from '../src/services/demo/streams.ts';
import {
  api,
  chromiumPath,
  ensureDashboardBuilt,
  launchBrowser,
  repoRoot,
  signIn,
  startDemoServer,
  startOutageRelay,
  type DemoServer,
  type Outage,
} from './browser.ts';

// The demo city at 1,200× real time: a recorded 5-minute NAB row every 250 ms, so the replayed
// machine-temperature failure (3 recorded hours after the cue) arrives about 9 s after start.
const sensorCount = 1000;
const seed = 42;
const screenshots = `${repoRoot}out/dashboard/`;
const skip = existsSync(chromiumPath) ? false : `no Chromium at ${chromiumPath} (.ci/run installs it)`;

let server: DemoServer;
let browser: Browser;
/** The same platform through a link the tests can cut. */
let outage: Outage;
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
  outage = await startOutageRelay(server.url);
});

after(async () => {
  await browser?.close();
  await outage?.close();
  await server?.stop();
});

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${screenshots}${name}.png` });
}

interface WorkOrderJson {
  id: string;
  status: string;
  sensors: string[];
}

const active = ['open', 'acknowledged'];
const closed = ['resolved', 'false-alarm'];

/** The most recent work order in one of `statuses`, once the demo's replayed failures have raised one. */
async function orderIn(statuses: string[]): Promise<WorkOrderJson> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const answer = (await (
      await api(server, server.viewerKey, 'GET', '/api/v1/work-orders?limit=100')
    ).json()) as { workOrders: WorkOrderJson[] };
    const order = answer.workOrders.find((candidate) => statuses.includes(candidate.status));
    if (order !== undefined) return order;
    if (Date.now() > deadline) throw new Error(`no work order ${statuses.join('/')} within 90 s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A closed work order: an earlier test's, or an active one resolved now. */
async function closedOrder(): Promise<WorkOrderJson> {
  const answer = (await (
    await api(server, server.viewerKey, 'GET', '/api/v1/work-orders?limit=100')
  ).json()) as {
    workOrders: WorkOrderJson[];
  };
  const order = answer.workOrders.find((candidate) => closed.includes(candidate.status));
  if (order !== undefined) return order;
  const { id } = await orderIn(active);
  const resolved = await api(server, server.operatorKey, 'POST', `/api/v1/work-orders/${id}/resolve`);
  assert.equal(resolved.status, 200);
  return (await resolved.json()) as WorkOrderJson;
}

/**
 * Answers the page's requests matching `pattern` 5 s late (longer than its 2-second refresh), and
 * counts them: how many were asked, and the most under way at once.
 */
async function slowAnswers(page: Page, pattern: string): Promise<{ asked: number; most: number }> {
  const answers = { asked: 0, most: 0 };
  let open = 0;
  await page.route(pattern, async (route) => {
    answers.asked += 1;
    open += 1;
    answers.most = Math.max(answers.most, open);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    open -= 1;
    await route.continue().catch(() => {});
  });
  return answers;
}

/** What the tests read from the page (`window.urbanBrain`). */
interface PageHooks {
  table: { sensors: { id: string; kind: string; unit: string; asset: string | null }[] };
  chart: { shown(): { sensor: string; unit: string; fromMillis: number; toMillis: number } | null };
  maintenance: { putOrder(order: unknown): void };
  selectSensor(id: string): void;
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

  // A drag zooms in: no range is shown as chosen and a line says the view stands still (bug: the
  // range stayed marked and new readings silently stopped); a double click follows the present again.
  const pressed = () => page.locator('[data-range][aria-pressed=true]').count();
  assert.equal(await pressed(), 1);
  const over = await page.locator('#sensor-chart .u-over').boundingBox();
  assert.ok(over !== null);
  await page.mouse.move(over.x + over.width * 0.3, over.y + over.height / 2);
  await page.mouse.down();
  await page.mouse.move(over.x + over.width * 0.6, over.y + over.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.locator('.chart-note', { hasText: 'Zoomed in, not following new readings' }).waitFor();
  assert.equal(await pressed(), 0);
  await page.mouse.dblclick(over.x + over.width / 2, over.y + over.height / 2);
  await page.waitForFunction(() => document.querySelector<HTMLElement>('.chart-note')?.hidden === true);
  assert.equal(await pressed(), 1);
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
    // The demo reaches its first replayed failure in under a minute on a quiet machine; the suite's
    // busiest stretch has taken longer (a timeout at 90 s once, the alert there right after).
    { timeout: 180_000 },
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
    alertIds: string[];
  };
  assert.equal(order.status, 'acknowledged');
  assert.equal(order.verdicts.at(-1)?.action, 'acknowledge');
  await shot(page, 'work-orders');
  // The feed tells the order's alerts apart from the open ones (bug: it looked the same after).
  await page.click('[data-tab=alerts]');
  const alertId = order.alertIds[0]!;
  await page.waitForSelector(`#alert-feed li[data-alert="${alertId}"][data-order-status=acknowledged]`);
  assert.match(
    await page.locator(`#alert-feed li[data-alert="${alertId}"]`).innerText(),
    /order acknowledged/,
  );
  await page.close();
});

test(
  'an operator assigns a work order to a crew in a field on its card and reopens it once closed, from the board',
  { skip },
  async (t) => {
    if (!served) return t.skip(notServed);
    const order = await orderIn(active);
    // Nobody assigned, whatever an earlier test did (409 when nobody was).
    const cleared = await api(server, server.operatorKey, 'POST', `/api/v1/work-orders/${order.id}/assign`, {
      assignee: null,
    });
    assert.ok(cleared.status === 200 || cleared.status === 409, `clearing answered ${cleared.status}`);
    const page = await signIn(browser, server.url, server.operatorKey);
    // Bug: Assign used window.prompt, which blocks the page (live stream, timers) and suits no phone.
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.click('[data-tab=orders]');
    const card = page.locator(`article[data-order="${order.id}"]`);
    await card.waitFor();
    const field = card.locator('form.assign input[name=assignee]');
    // Escape closes the field without assigning.
    await card.locator('button[data-action=assign]').click();
    await field.waitFor();
    await page.keyboard.press('Escape');
    await field.waitFor({ state: 'detached' });
    await card.locator('button[data-action=assign]').click();
    assert.equal(await card.locator('button[data-action=assign]').getAttribute('aria-expanded'), 'true');
    assert.equal(
      await field.evaluate((node) => node === document.activeElement),
      true,
      'the field has focus',
    );
    // Empty with nobody assigned: the page asks for a name (bug: it sent it, and showed the 409's text).
    assert.equal(await field.getAttribute('placeholder'), 'person or crew');
    await page.keyboard.type('   ');
    await page.keyboard.press('Enter');
    await card.locator('.error', { hasText: 'nobody is assigned yet' }).waitFor();
    assert.equal(
      await field.evaluate((node) => node === document.activeElement),
      true,
      'the field keeps focus',
    );
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('  crew');
    // A live event redraws the board while the operator types: the text, the caret and the focus stay.
    const redraw = (): Promise<void> =>
      page.evaluate((id) => {
        const { maintenance } = (
          window as unknown as {
            urbanBrain: { maintenance: { orders: Map<string, unknown>; putOrder(order: unknown): void } };
          }
        ).urbanBrain;
        maintenance.putOrder(maintenance.orders.get(id));
      }, order.id);
    await redraw();
    assert.equal(await field.inputValue(), '  crew');
    assert.equal(await field.evaluate((node) => node === document.activeElement), true, 'focus kept');
    await page.keyboard.type(' 5 ');
    await redraw();
    assert.equal(await field.inputValue(), '  crew 5 ');
    await page.keyboard.press('Enter');
    await page.locator(`article[data-order="${order.id}"] [data-assignee="crew 5"]`).waitFor();
    await field.waitFor({ state: 'detached' });
    assert.deepEqual(dialogs, []);
    const path = `/api/v1/work-orders/${order.id}`;
    const assigned = (await (await api(server, server.viewerKey, 'GET', path)).json()) as {
      assignee: string | null;
      verdicts: { action: string }[];
    };
    assert.equal(assigned.assignee, 'crew 5');
    assert.equal(assigned.verdicts.at(-1)?.action, 'assign');
    assert.equal((await api(server, server.operatorKey, 'POST', `${path}/resolve`)).status, 200);
    await page.locator(`article[data-order="${order.id}"][data-status=resolved]`).waitFor();
    await page.locator(`article[data-order="${order.id}"] button[data-action=reopen]`).click();
    // The demo keeps alerting: the asset may have a new active order by now, and then the reopen is refused.
    await page
      .locator(
        `article[data-order="${order.id}"][data-status=open], article[data-order="${order.id}"] .error`,
      )
      .first()
      .waitFor();
    const after = (await (await api(server, server.viewerKey, 'GET', path)).json()) as {
      status: string;
      verdicts: { action: string }[];
    };
    if (after.status === 'open') {
      assert.equal(after.verdicts.at(-1)?.action, 'reopen');
    } else {
      assert.match(
        (await card.locator('.error').textContent()) ?? '',
        /already has the active work order .* \(one active order per asset\)/,
      );
    }
    await page.close();
  },
);

test('a viewer sees the work orders but cannot act on them', { skip }, async (t) => {
  if (!served) return t.skip(notServed);
  const page = await signIn(browser, server.url, server.viewerKey);
  await page.click('[data-tab=orders]');
  const card = page.locator('article[data-order]').first();
  await card.waitFor({ timeout: 90_000 });
  // Bug: a viewer was shown every action, disabled; it is offered none.
  assert.ok((await page.locator('article[data-order]').count()) > 0);
  assert.equal(await page.locator('article[data-order] button[data-action]').count(), 0);
  assert.equal(await page.locator('article[data-order] .actions, article[data-order] form').count(), 0);
  assert.match((await page.textContent('#orders-note')) ?? '', /may view work orders but not act/);
  const id = await card.evaluate((node) => (node as HTMLElement).dataset.order!);
  const refused = await api(server, server.viewerKey, 'POST', `/api/v1/work-orders/${id}/resolve`);
  assert.equal(refused.status, 403);
  await shot(page, 'viewer');
  await page.close();
});

test(
  'while a verdict is in flight every action of its card is disabled, through redraws',
  { skip },
  async (t) => {
    if (!served) return t.skip(notServed);
    const order = await orderIn(['open']);
    const page = await signIn(browser, server.url, server.operatorKey);
    await page.click('[data-tab=orders]');
    const card = page.locator(`article[data-order="${order.id}"]`);
    await card.waitFor();
    // The platform's answer is held back until the test lets it through.
    let release = (): void => {};
    const sent: string[] = [];
    await page.route(
      (url) => url.pathname.startsWith(`/api/v1/work-orders/${order.id}/`),
      async (route) => {
        sent.push(new URL(route.request().url()).pathname);
        await new Promise<void>((resolve) => (release = resolve));
        await route.continue();
      },
    );
    await card.locator('button[data-action=acknowledge]').click();
    await page.waitForFunction(() => document.querySelector('article[aria-busy=true]') !== null);
    // A live event redraws the board meanwhile (bug: only the clicked button was disabled, and a
    // second button of the card sent a second, conflicting verdict).
    await page.evaluate(
      (stale) => (window as unknown as { urbanBrain: PageHooks }).urbanBrain.maintenance.putOrder(stale),
      order as unknown,
    );
    const buttons = card.locator('button[data-action]');
    assert.ok((await buttons.count()) >= 3, 'an open card offers several verdicts');
    for (const button of await buttons.all()) assert.equal(await button.isDisabled(), true);
    await card.locator('button[data-action=false-alarm]').click({ force: true });
    await page.waitForTimeout(300);
    assert.equal(sent.length, 1, sent.join(', '));
    release();
    await page.locator(`article[data-order="${order.id}"][data-status=acknowledged]`).waitFor();
    assert.equal(await card.getAttribute('aria-busy'), null);
    for (const button of await card.locator('button[data-action]').all())
      assert.equal(await button.isDisabled(), false);
    assert.deepEqual(sent, [`/api/v1/work-orders/${order.id}/acknowledge`]);
    await page.close();
  },
);

test('where the feed or a lane is cut, a line says how many more and shows more', { skip }, async (t) => {
  if (!served) return t.skip(notServed);
  const page = await signIn(browser, server.url, server.viewerKey);
  // 200 alerts (the page's first load: more may exist) and 10,000 open orders (the API's largest page).
  const now = Date.now();
  const alerts = Array.from({ length: 200 }, (_, index) => ({
    id: `many-alert-${index}`,
    sensor: `many-${index}.t`,
    asset: `many-${index}`,
    score: 1,
    threshold: 0.9,
    ts: now - index * 1000,
    evidence: [],
    workOrder: `many-order-${index}`,
  }));
  const orders = Array.from({ length: 10_000 }, (_, index) => ({
    id: `many-order-${index}`,
    asset: `many-${index}`,
    assetType: 'pump',
    status: 'open',
    severity: 'high',
    maxScore: 1,
    threshold: 0.9,
    firstWarningAt: now - index * 1000,
    lastAlertAt: now - index * 1000,
    sensors: [`many-${index}.t`],
    verdicts: [],
  }));
  const json = (body: unknown) => ({
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify(body),
  });
  await page.route(
    (url) => url.pathname === '/api/v1/alerts',
    (route) => route.fulfill(json({ alerts })),
  );
  await page.route(
    (url) => url.pathname === '/api/v1/work-orders',
    (route) => {
      const status = new URL(route.request().url()).searchParams.get('status');
      return route.fulfill(json({ workOrders: status === 'open' ? orders : [] }));
    },
  );
  // No live event may add to them while the test counts: the stream is cut, and the page loaded again.
  await page.route(
    (url) => url.pathname === '/api/v1/stream',
    (route) => route.abort(),
  );
  await page.reload();
  await page.waitForSelector('body[data-ready=true]', { state: 'attached', timeout: 60_000 });
  // Bug: the feed drew 100 alerts and the board 60 cards a lane, and nothing said there were more.
  await page.click('[data-tab=alerts]');
  const feedMore = page.locator('#alert-feed .more');
  assert.equal(await page.locator('#alert-feed li[data-alert]').count(), 100);
  assert.equal(await feedMore.getAttribute('data-more'), '100');
  assert.match((await feedMore.textContent()) ?? '', /^100\+ more/);
  await feedMore.locator('button').click();
  await page.waitForFunction(() => document.querySelectorAll('#alert-feed li[data-alert]').length === 200);
  assert.match((await feedMore.textContent()) ?? '', /more exist on the platform than were loaded/i);
  assert.equal(await feedMore.locator('button').count(), 0);

  await page.click('[data-tab=orders]');
  const open = page.locator('.lane').first();
  assert.match((await open.locator('h3').textContent()) ?? '', /^Open \(10,000\+\)$/);
  assert.equal(await open.locator('article[data-order]').count(), 60);
  const laneMore = open.locator('.more');
  assert.equal(await laneMore.getAttribute('data-more'), String(10_000 - 60));
  assert.match((await laneMore.textContent()) ?? '', /^9,940\+ more/);
  await laneMore.locator('button').click();
  await page.waitForFunction(
    () => document.querySelector('.lane')!.querySelectorAll('article[data-order]').length === 120,
  );
  assert.equal(await laneMore.getAttribute('data-more'), String(10_000 - 120));
  await shot(page, 'orders-more');
  await page.close();
});

test(
  'a Hospitals tab slower than its refresh asks one request at a time and still draws',
  { skip },
  async (t) => {
    if (!served) return t.skip(notServed);
    const page = await signIn(browser, server.url, server.viewerKey);
    // Bug: every 2-second refresh sent another request while the last was unanswered.
    const answers = await slowAnswers(page, '**/api/v1/hospitals');
    await page.click('[data-tab=hospitals]');
    await page.locator('article.hospital[data-hospital]').first().waitFor({ timeout: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    assert.ok(answers.asked >= 2, `${answers.asked} requests`);
    assert.equal(answers.most, 1, 'hospitals requests under way at once');
    await page.unroute('**/api/v1/hospitals');
    await page.close();
  },
);

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
    departments: {
      id: string;
      name: string;
      doctorsOnShift: number;
      treatmentSpaces: number;
      lat: number;
      lon: number;
    }[];
  };
  assert.deepEqual(
    cards.map((card) => card.id).sort(),
    departments.map((department) => department.id).sort(),
  );
  for (const department of departments) {
    const card = cards.find((entry) => entry.id === department.id);
    const beds = Math.min(department.treatmentSpaces, department.doctorsOnShift);
    assert.ok(card?.text.includes(department.name) && card.text.includes(`/${beds} beds`), card?.text);
    // An empty waiting room says so, rather than showing a mean wait of 0 minutes.
    assert.match(card?.text ?? '', /beds · (no one waiting|\d+ waiting, [\d.]+ min mean wait)/);
  }
  // The coloured counts are explained on the page, not only on hover (bug: no legend).
  assert.equal(
    await page.textContent('.levels-legend'),
    'Waiting by KTAS level: 1 resuscitation2 emergent3 urgent4 less urgent5 non-urgent',
  );
  await shot(page, 'hospitals');
  // A hospital whose capacity tag cannot be read is shown closed, with the tag at fault.
  const near = { lat: departments[0]!.lat, lon: departments[0]!.lon };
  const created = await api(server, server.adminKey, 'POST', '/api/v1/assets', {
    id: 'h-unreadable',
    type: 'hospital',
    name: 'Unreadable General',
    ...near,
    tags: { treatment_spaces: 'abc', doctors_on_shift: '3' },
  });
  assert.equal(created.status, 201, await created.text());
  const closed = page.locator('article.hospital[data-hospital="h-unreadable"]');
  await closed.waitFor({ timeout: 30_000 });
  assert.match((await closed.textContent()) ?? '', /closed \(no treatment space or doctor\)/);
  assert.match((await closed.locator('.problem').first().textContent()) ?? '', /treatment_spaces/);
  assert.equal(await closed.evaluate((node) => node.classList.contains('closed')), true);
  const removed = await api(server, server.adminKey, 'DELETE', '/api/v1/assets/h-unreadable');
  assert.equal(removed.status, 204);
  await page.close();
});

test('alert times of an earlier day carry their date, those of today only the time', () => {
  const now = new Date(2026, 4, 3, 10, 0, 0).getTime();
  const earlier = new Date(2026, 4, 3, 0, 5, 0).getTime();
  const yesterday = new Date(2026, 4, 2, 23, 55, 0).getTime();
  assert.equal(moment(earlier, now), time(earlier));
  assert.equal(moment(yesterday, now), dateTime(yesterday));
  assert.notEqual(moment(yesterday, now), time(yesterday));
});

test(
  'at phone width the map sits above the panel and every tab and Sign out are on screen',
  { skip },
  async (t) => {
    if (!served) return t.skip(notServed);
    const width = 390;
    const page = await signIn(browser, server.url, server.operatorKey, { width, height: 844 });
    const map = await page.locator('#map').boundingBox();
    assert.ok(map !== null && map.width >= width - 2 && map.height > 200, `map ${JSON.stringify(map)}`);
    for (const overlay of ['#filters', '.legend']) {
      const box = await page.locator(overlay).boundingBox();
      assert.ok(
        box !== null &&
          box.x >= map.x &&
          box.y >= map.y &&
          box.x + box.width <= map.x + map.width &&
          box.y + box.height <= map.y + map.height,
        `${overlay} ${JSON.stringify(box)} is not inside the map ${JSON.stringify(map)}`,
      );
    }
    const onScreen = async (selector: string): Promise<void> => {
      const box = await page.locator(selector).boundingBox();
      assert.ok(
        box !== null && box.x >= 0 && box.x + box.width <= width,
        `${selector} ${JSON.stringify(box)}`,
      );
    };
    await onScreen('#logout');
    await page.click('[data-tab=orders]');
    await page.locator('article[data-order]').first().waitFor({ timeout: 90_000 });
    for (const lane of await page.locator('.lane').all()) {
      const box = await lane.boundingBox();
      assert.ok(box !== null && box.x >= 0 && box.x + box.width <= width, `lane ${JSON.stringify(box)}`);
    }
    // Clicks fail when another element (an overlay) covers the target.
    for (const tab of ['sensor', 'alerts', 'orders', 'traffic', 'hospitals']) {
      await page.click(`[data-tab=${tab}]`);
      assert.ok(await page.isVisible(`#tab-${tab}`), tab);
      await onScreen(`[data-tab=${tab}]`);
      await onScreen(`#tab-${tab}`);
    }
    await page.locator('article.hospital').first().waitFor();
    assert.ok(
      (await page.evaluate(() => document.documentElement.scrollWidth)) <= width,
      'no sideways scroll',
    );
    const scrolled = await page.evaluate(() => {
      window.scrollTo(0, document.documentElement.scrollHeight);
      return window.scrollY;
    });
    assert.ok(scrolled > 0, 'the page scrolls to the panel below the map');
    await shot(page, 'phone-hospitals');
    await page.evaluate(() => window.scrollTo(0, 0));
    // A sensor tapped on the map brings its chart into view (bug: it opened below the fold).
    const tapped = await page.evaluate(() => {
      const { map } = (
        window as unknown as {
          urbanBrain: { map: { clientPosition(index: number): { x: number; y: number } } };
        }
      ).urbanBrain;
      return map.clientPosition(0);
    });
    await page.mouse.click(tapped.x, tapped.y);
    await page.locator('#sensor-panel').waitFor();
    await page.waitForFunction(() => {
      const box = document.getElementById('sensor-panel')!.getBoundingClientRect();
      return window.scrollY > 0 && box.top < window.innerHeight && box.bottom > 0;
    });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.click('#logout');
    await page.locator('#login').waitFor();
    await page.close();
  },
);

test('on a tablet, a sensor picked on the map brings its chart into view once drawn', { skip }, async (t) => {
  if (!served) return t.skip(notServed);
  // Bug: the scroll was asked before the chart drew, when the page was not yet tall enough to move.
  const page = await signIn(browser, server.url, server.viewerKey, { width: 768, height: 1024 });
  const tapped = await page.evaluate(() =>
    (
      window as unknown as {
        urbanBrain: { map: { clientPosition(index: number): { x: number; y: number } } };
      }
    ).urbanBrain.map.clientPosition(0),
  );
  await page.mouse.click(tapped.x, tapped.y);
  await page.waitForFunction(() => {
    const box = document.getElementById('sensor-panel')!.getBoundingClientRect();
    return window.scrollY > 0 && box.top < window.innerHeight && box.bottom > 0;
  });
  await page.close();
});

test('a revoked key sends the page back to the sign-in form with a message', { skip }, async (t) => {
  if (!served) return t.skip(notServed);
  const makeKey = async (): Promise<{ id: string; key: string }> =>
    (await (
      await api(server, server.adminKey, 'POST', '/api/v1/keys', {
        name: 'revoked in a test',
        role: 'operator',
      })
    ).json()) as { id: string; key: string };
  const backToSignIn = async (page: Page): Promise<void> => {
    await page.locator('#login-error').filter({ hasText: 'no longer valid' }).waitFor({ timeout: 20_000 });
    assert.ok(await page.isVisible('#login'));
    assert.ok(await page.isHidden('#app'));
    assert.equal(await page.evaluate(() => sessionStorage.getItem('urban-brain.key')), null);
  };

  // The live stream meets the 401 when it reconnects after the link drops.
  const first = await makeKey();
  const page = await signIn(browser, outage.url, first.key);
  await page.locator('#live[data-state=live]').waitFor();
  assert.equal((await api(server, server.adminKey, 'DELETE', `/api/v1/keys/${first.id}`)).status, 204);
  outage.setDown(true);
  await page.locator('#live[data-state=offline]').waitFor();
  outage.setDown(false);
  await backToSignIn(page);
  await page.close();

  // An API call meets it (the Traffic tab reads /api/v1/traffic).
  const second = await makeKey();
  const other = await signIn(browser, server.url, second.key);
  assert.equal((await api(server, server.adminKey, 'DELETE', `/api/v1/keys/${second.id}`)).status, 204);
  await other.click('[data-tab=traffic]');
  await backToSignIn(other);
  await shot(other, 'revoked');
  await other.close();
});

test(
  'work orders changed while the stream was down are read again when it comes back',
  { skip },
  async (t) => {
    if (!served) return t.skip(notServed);
    const order = await orderIn(active);
    const page = await signIn(browser, outage.url, server.viewerKey);
    await page.click('[data-tab=orders]');
    await page.locator(`article[data-order="${order.id}"][data-status=${order.status}]`).waitFor();
    await page.locator('#live[data-state=live]').waitFor();
    assert.ok(await page.isHidden('#offline'));
    outage.setDown(true);
    await page.locator('#live[data-state=offline]').waitFor();
    // The operator is told in words, not only by the small badge (bug: a grey badge was all there was).
    await page.locator('#offline').filter({ hasText: 'cannot be reached' }).waitFor();
    // The platform runs on: the order is resolved while the page cannot hear of it.
    const resolved = await api(server, server.operatorKey, 'POST', `/api/v1/work-orders/${order.id}/resolve`);
    assert.equal(resolved.status, 200);
    // The first read after the outage fails too: it is tried again (bug: one failure left the board stale).
    let refused = 0;
    await page.route('**/api/v1/work-orders?*', async (route) => {
      if (refused++ === 0)
        await route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"busy"}' });
      else await route.continue();
    });
    outage.setDown(false);
    await page.locator('#live[data-state=live]').waitFor({ timeout: 20_000 });
    await page
      .locator(`article[data-order="${order.id}"][data-status=resolved]`)
      // What is asserted is that the order is read again, not how fast: a loaded CI machine took over 10 s.
      .waitFor({ timeout: 30_000 });
    assert.ok(refused >= 2, `${refused} reads of the work orders`);
    assert.ok(await page.isHidden('#offline'), 'the banner goes once the stream is back');
    await page.close();
  },
);

test(
  'with the platform out of reach, the map greys its sensors as their readings age, as its legend says',
  { skip },
  async (t) => {
    if (!served) return t.skip(notServed);
    const page = await signIn(browser, outage.url, server.viewerKey);
    await page.locator('#live[data-state=live]').waitFor();
    await page.waitForFunction(() => Number(document.getElementById('map')?.dataset.reporting) > 0);
    outage.setDown(true);
    try {
      await page.locator('#live[data-state=offline]').waitFor();
      // More than a minute passes without a reading: the page's clock is moved on rather than waited out.
      await page.evaluate(() => {
        const now = Date.now.bind(Date);
        Date.now = () => now() + 70_000;
      });
      // Bug: the map was redrawn only when a reading came, so every sensor stayed green ("reporting").
      await page.waitForFunction(() => document.getElementById('map')?.dataset.reporting === '0', undefined, {
        timeout: 15_000,
      });
    } finally {
      outage.setDown(false);
    }
    await page.close();
  },
);

test('a refused verdict (409) redraws the card from the platform with one message', { skip }, async (t) => {
  if (!served) return t.skip(notServed);
  const order = await closedOrder();
  const page = await signIn(browser, server.url, server.operatorKey);
  await page.click('[data-tab=orders]');
  const card = page.locator(`article[data-order="${order.id}"]`);
  await card.waitFor();
  // The page's copy goes stale, as when it missed the change.
  await page.evaluate(
    (stale) => (window as unknown as { urbanBrain: PageHooks }).urbanBrain.maintenance.putOrder(stale),
    { ...(order as object), status: 'open' },
  );
  await card.locator('button[data-action=false-alarm]').click();
  await page.locator(`article[data-order="${order.id}"][data-status=${order.status}]`).waitFor();
  const messages = await card.locator('.error').allTextContents();
  assert.equal(messages.length, 1, messages.join(' | '));
  assert.match(messages[0] ?? '', new RegExp(`cannot false-alarm a work order that is ${order.status}`));
  await page.close();
});

test('clicking an alert or a work-order card opens the sensor', { skip }, async (t) => {
  if (!served) return t.skip(notServed);
  const page = await signIn(browser, server.url, server.viewerKey);
  await page.click('[data-tab=alerts]');
  const item = page.locator('#alert-feed li[data-alert]').first();
  await item.waitFor({ timeout: 90_000 });
  const sensor = await item.locator('button.link').textContent();
  await item.click();
  await page.locator('#tab-sensor').waitFor();
  assert.equal(await page.textContent('#sensor-title'), sensor);
  // From the keyboard the focus follows to the sensor (bug: it fell back to the page).
  await page.click('[data-tab=alerts]');
  await item.locator('button.link').focus();
  await page.keyboard.press('Enter');
  await page.locator('#tab-sensor').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'sensor-title');

  await page.click('[data-tab=orders]');
  const card = page.locator('article[data-order]').first();
  await card.waitFor();
  const id = await card.evaluate((node) => (node as HTMLElement).dataset.order!);
  const order = (await (
    await api(server, server.viewerKey, 'GET', `/api/v1/work-orders/${id}`)
  ).json()) as WorkOrderJson;
  await card.locator('button.asset').click();
  await page.locator('#tab-sensor').waitFor();
  assert.equal(await page.textContent('#sensor-title'), order.sensors[0]);
  await page.close();
});

test(
  'the asset names on cards and the sensors in the feed open the sensor from the keyboard',
  { skip },
  async (t) => {
    if (!served) return t.skip(notServed);
    // Bug: the names were plain text with a click handler: no focus, no Enter or Space.
    const page = await signIn(browser, server.url, server.viewerKey);
    await page.click('[data-tab=orders]');
    const card = page.locator('article[data-order]').first();
    await card.waitFor({ timeout: 90_000 });
    const id = await card.evaluate((node) => (node as HTMLElement).dataset.order!);
    const order = (await (
      await api(server, server.viewerKey, 'GET', `/api/v1/work-orders/${id}`)
    ).json()) as WorkOrderJson;
    // Reached with Tab from the Work orders tab.
    await page.focus('[data-tab=orders]');
    const focusedOrder = (): Promise<string | undefined> =>
      page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.focus);
    for (let presses = 0; presses < 30 && (await focusedOrder()) !== `${id}|asset`; presses += 1)
      await page.keyboard.press('Tab');
    assert.equal(await focusedOrder(), `${id}|asset`, 'Tab reaches the asset name');
    await page.keyboard.press('Enter');
    await page.locator('#tab-sensor').waitFor();
    assert.equal(await page.textContent('#sensor-title'), order.sensors[0]);

    await page.click('[data-tab=alerts]');
    const sensor = page.locator('#alert-feed li[data-alert] button.link').first();
    await sensor.waitFor();
    const name = (await sensor.textContent()) ?? '';
    // Another sensor is shown first, so the title changes only if Space opens the alert's.
    await page.evaluate((alerted) => {
      const state = (window as unknown as { urbanBrain: PageHooks }).urbanBrain;
      state.selectSensor(state.table.sensors.find((entry) => entry.id !== alerted)!.id);
    }, name);
    assert.notEqual(await page.textContent('#sensor-title'), name);
    await page.click('[data-tab=alerts]');
    await sensor.focus();
    await page.keyboard.press('Space');
    await page.locator('#tab-sensor').waitFor();
    assert.equal(await page.textContent('#sensor-title'), name);
    await page.close();
  },
);

test(
  'the chart shows the unit of the sensor shown and spans exactly the chosen range',
  { skip },
  async (t) => {
    if (!served) return t.skip(notServed);
    const page = await signIn(browser, server.url, server.viewerKey);
    // Two sensors of one asset with different units, the second the only one of its kind there (its chip).
    const pair = await page.evaluate(() => {
      const { sensors } = (window as unknown as { urbanBrain: PageHooks }).urbanBrain.table;
      for (const first of sensors) {
        if (first.asset === null) continue;
        const siblings = sensors.filter((other) => other.asset === first.asset);
        const second = siblings.find(
          (other) =>
            other.unit !== first.unit && siblings.filter((each) => each.kind === other.kind).length === 1,
        );
        if (second !== undefined) return [first, second];
      }
      return null;
    });
    assert.ok(pair !== null, 'an asset with sensors of two units');
    const [first, second] = pair;
    const shown = (): Promise<ReturnType<PageHooks['chart']['shown']>> =>
      page.evaluate(() => (window as unknown as { urbanBrain: PageHooks }).urbanBrain.chart.shown());
    await page.evaluate(
      (id) => (window as unknown as { urbanBrain: PageHooks }).urbanBrain.selectSensor(id),
      first!.id,
    );
    await page.waitForFunction(
      (id) => (window as unknown as { urbanBrain: PageHooks }).urbanBrain.chart.shown()?.sensor === id,
      first!.id,
    );
    assert.equal((await shown())?.unit, first!.unit);
    await page
      .locator('#sensor-alerts li')
      .filter({ hasText: new RegExp(`^${second!.kind}$`) })
      .click();
    await page.waitForFunction(
      (id) => (window as unknown as { urbanBrain: PageHooks }).urbanBrain.chart.shown()?.sensor === id,
      second!.id,
    );
    assert.equal((await shown())?.unit, second!.unit);
    assert.match((await page.textContent('#sensor-meta')) ?? '', new RegExp(`\\(${second!.unit}\\)`));

    for (const rangeMillis of [604_800_000, 600_000, 86_400_000, 3_600_000]) {
      await page.click(`[data-range="${rangeMillis}"]`);
      await page.waitForFunction(
        (range) => {
          const chart = (window as unknown as { urbanBrain: PageHooks }).urbanBrain.chart.shown();
          return chart !== null && Math.abs(chart.toMillis - chart.fromMillis - range) < 1;
        },
        rangeMillis,
        // What is asserted is the range, not how fast: a loaded CI machine once took over 10 s.
        { timeout: 60_000 },
      );
      assert.deepEqual(
        await page.$$eval('[data-range].active', (nodes) =>
          nodes.map((node) => (node as HTMLElement).dataset.range),
        ),
        [String(rangeMillis)],
        'the chosen range is marked (bug: no button showed which range the chart spans)',
      );
      const now = await page.evaluate(() => Date.now());
      const axis = await shown();
      assert.ok(
        axis !== null && Math.abs(axis.toMillis - now) < 10_000,
        `x-axis ends at ${axis?.toMillis}, now ${now}`,
      );
    }
    // A range that cannot be loaded is said so, and the range shown stays marked (bug: "1 day" was
    // marked over the hour still shown, and only the console said why).
    await page.route('**/api/v1/sensors/*/readings?*', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"busy"}' }),
    );
    await page.click('[data-range="86400000"]');
    await page.locator('.chart-note').filter({ hasText: 'Could not load the chart' }).waitFor();
    assert.deepEqual(
      await page.$$eval('[data-range].active', (nodes) =>
        nodes.map((node) => (node as HTMLElement).dataset.range),
      ),
      ['3600000'],
    );
    await page.unroute('**/api/v1/sensors/*/readings?*');
    await shot(page, 'chart-hour');
    await page.close();
  },
);

test(
  'a chart whose readings come slower than its refresh is drawn, one request at a time',
  { skip },
  async (t) => {
    if (!served) return t.skip(notServed);
    const page = await signIn(browser, server.url, server.viewerKey);
    // Bug: every 2-second refresh overtook the load before it, so answers slower than that were all dropped.
    const answers = await slowAnswers(page, '**/api/v1/sensors/*/readings?*');
    const id = await page.evaluate(
      () => (window as unknown as { urbanBrain: PageHooks }).urbanBrain.table.sensors[0]!.id,
    );
    await page.evaluate(
      (sensor) => (window as unknown as { urbanBrain: PageHooks }).urbanBrain.selectSensor(sensor),
      id,
    );
    await page.waitForFunction(
      (sensor) =>
        (window as unknown as { urbanBrain: PageHooks }).urbanBrain.chart.shown()?.sensor === sensor,
      id,
      { timeout: 30_000 },
    );
    // Refreshes go on after the first answer, still one at a time.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    assert.ok(answers.asked >= 2, `${answers.asked} requests`);
    assert.equal(answers.most, 1, 'readings requests under way at once');
    await page.unroute('**/api/v1/sensors/*/readings?*');
    await page.close();
  },
);

test('a reload while the platform is unreachable keeps the key and offers a retry', { skip }, async (t) => {
  if (!served) return t.skip(notServed);
  const page = await signIn(browser, server.url, server.viewerKey);
  await page.route('**/api/v1/**', (route) => route.abort('connectionrefused'));
  await page.reload();
  await page.locator('#login-error').filter({ hasText: 'cannot reach the platform' }).waitFor();
  assert.ok(await page.isVisible('#login-retry'));
  assert.equal(await page.evaluate(() => sessionStorage.getItem('urban-brain.key')), server.viewerKey);
  await page.unroute('**/api/v1/**');
  await page.click('#login-retry');
  await page.waitForSelector('body[data-ready=true]', { state: 'attached' });

  // A load that fails after sign-in is shown, not an empty dashboard.
  await page.route('**/api/v1/sensors?*', (route) =>
    route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":"store unavailable"}' }),
  );
  await page.reload();
  await page.locator('#login-error').filter({ hasText: 'store unavailable' }).waitFor();
  assert.match((await page.textContent('#login-error')) ?? '', /could not load/);
  assert.ok(await page.isHidden('#app'));
  assert.ok(await page.isVisible('#login-retry'));
  assert.equal(await page.evaluate(() => sessionStorage.getItem('urban-brain.key')), server.viewerKey);
  await page.close();
});

void test('the map frames the city clear of the overlays drawn over it; bug: the filters hid a corner', () => {
  // A 1,000 × 800 map with the filters box at its top left and the legend along its bottom left.
  const filters = { left: 10, top: 10, right: 140, bottom: 200 };
  const legend = { left: 10, top: 760, right: 400, bottom: 790 };
  const area = clearArea(1000, 800, [filters, legend], 700, 700);
  for (const cover of [filters, legend])
    assert.ok(
      area.right <= cover.left ||
        area.left >= cover.right ||
        area.bottom <= cover.top ||
        area.top >= cover.bottom,
      `${JSON.stringify(area)} overlaps ${JSON.stringify(cover)}`,
    );
  assert.deepEqual(area, { left: 140, top: 0, right: 1000, bottom: 760 }, 'the largest clear frame');
  assert.deepEqual(clearArea(300, 200, [], 10, 10), { left: 0, top: 0, right: 300, bottom: 200 });
});

void test('the chart breaks its line at a gap in the series, not between sparse buckets', () => {
  const step = 1_000;
  // A sensor reporting every 5 s read at 1 s steps: every fifth bucket holds a reading; no gap.
  const sparse = Array.from({ length: 20 }, (_, index) => ({ ts: 100_000 + index * 5_000, value: index }));
  assert.equal(seriesWithGaps(sparse, step).values.includes(null), false);
  // The same sensor silent for ten minutes in the middle (bug: drawn as a straight line across).
  const gap = [
    ...sparse.slice(0, 10),
    ...sparse.slice(10).map((point) => ({ ...point, ts: point.ts + 600_000 })),
  ];
  const drawn = seriesWithGaps(gap, step);
  assert.deepEqual(
    drawn.values.map((value, index) => (value === null ? index : -1)).filter((index) => index >= 0),
    [10],
  );
  assert.equal(drawn.xs[10], (gap[9]!.ts + step) / 1000, 'the break sits one step after the last reading');
  assert.deepEqual(drawn.origins.slice(9, 12), [9, -1, 10]);
  assert.deepEqual(seriesWithGaps([], step), { xs: [], values: [], origins: [] });
});

test(
  'no sensor hides under the map overlays, and the zoom buttons zoom and frame the city again',
  { skip },
  async (t) => {
    if (!served) return t.skip(notServed);
    for (const viewport of [
      { width: 1500, height: 900 },
      { width: 390, height: 844 },
    ]) {
      const page = await signIn(browser, server.url, server.viewerKey, viewport);
      const covered = (): Promise<string[]> =>
        page.evaluate(() => {
          const state = (
            window as unknown as {
              urbanBrain: {
                table: { sensors: { id: string }[] };
                map: { clientPosition(index: number): { x: number; y: number } | null };
              };
            }
          ).urbanBrain;
          const boxes = ['filters', 'legend', 'zoom'].map((id) =>
            document.getElementById(id)!.getBoundingClientRect(),
          );
          return state.table.sensors
            .filter((_, index) => {
              const at = state.map.clientPosition(index)!;
              return boxes.some(
                (box) => at.x >= box.left && at.x <= box.right && at.y >= box.top && at.y <= box.bottom,
              );
            })
            .map((sensor) => sensor.id);
        });
      assert.deepEqual(await covered(), [], `at ${viewport.width} px`);
      const drawn = async (): Promise<number> => Number(await page.getAttribute('#map', 'data-drawn'));
      const all = await drawn();
      await page.click('#zoom-in');
      await page.click('#zoom-in');
      await page.waitForFunction(
        (count) => Number(document.getElementById('map')?.dataset.drawn) < count,
        all,
      );
      await page.click('#zoom-fit');
      await page.waitForFunction(
        (count) => Number(document.getElementById('map')?.dataset.drawn) === count,
        all,
      );
      assert.deepEqual(await covered(), []);
      await shot(page, `map-${viewport.width}`);
      // Zooming out stops at a quarter of the framed city (bug: it shrank to a dot).
      const span = (): Promise<number> =>
        page.evaluate(() => {
          const { table, map } = (
            window as unknown as {
              urbanBrain: {
                table: { count: number };
                map: { clientPosition(index: number): { x: number; y: number } | null };
              };
            }
          ).urbanBrain;
          const xs = Array.from({ length: table.count }, (_, index) => map.clientPosition(index)!.x);
          return Math.max(...xs) - Math.min(...xs);
        });
      const framed = await span();
      for (let press = 0; press < 20; press += 1) await page.click('#zoom-out');
      const least = await span();
      assert.ok(least >= framed / 4 - 1 && least < framed / 2, `city ${least} px wide, framed ${framed} px`);
      await page.close();
    }
  },
);

test(
  'a sensor without readings says so, and a registered one not scored yet gets empty scores, not an error',
  { skip },
  async (t) => {
    if (!served) return t.skip(notServed);
    const { departments } = (await (
      await api(server, server.viewerKey, 'GET', '/api/v1/emergency/departments')
    ).json()) as { departments: { lat: number; lon: number }[] };
    const near = { lat: departments[0]!.lat, lon: departments[0]!.lon };
    assert.equal(
      (
        await api(server, server.adminKey, 'POST', '/api/v1/assets', {
          id: 'quiet-pump',
          type: 'pump',
          name: 'Quiet pump',
          ...near,
        })
      ).status,
      201,
    );
    const created = await api(server, server.adminKey, 'POST', '/api/v1/sensors', {
      id: 'quiet-pump.pressure',
      kind: 'pressure',
      unit: 'bar',
      asset: 'quiet-pump',
    });
    assert.equal(created.status, 201, await created.text());
    try {
      const page = await signIn(browser, server.url, server.viewerKey);
      const answers: number[] = [];
      page.on('response', (response) => {
        if (response.url().includes('/quiet-pump.pressure/scores')) answers.push(response.status());
      });
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.evaluate(
        (id) => (window as unknown as { urbanBrain: PageHooks }).urbanBrain.selectSensor(id),
        'quiet-pump.pressure',
      );
      await page.locator('.chart-note').filter({ hasText: 'No readings between' }).waitFor();
      // Bug: the platform answered 404 for a registered sensor not scored yet, an error in the console.
      // The chart refreshes every 2 s and asks again: the scores appear once the sensor is scored.
      await page.waitForTimeout(3_000);
      assert.ok(answers.length >= 1);
      assert.deepEqual(
        answers.filter((status) => status !== 200),
        [],
      );
      assert.deepEqual(errors, []);
      // A sensor with readings hides the note again.
      const busy = await page.evaluate(
        () =>
          (window as unknown as { urbanBrain: PageHooks }).urbanBrain.table.sensors.find(
            (sensor) => sensor.kind === 'flow',
          )!.id,
      );
      await page.evaluate(
        (id) => (window as unknown as { urbanBrain: PageHooks }).urbanBrain.selectSensor(id),
        busy,
      );
      await page.waitForFunction(() => document.querySelector<HTMLElement>('.chart-note')?.hidden === true);
      await page.close();
    } finally {
      await api(server, server.adminKey, 'DELETE', '/api/v1/sensors/quiet-pump.pressure');
      await api(server, server.adminKey, 'DELETE', '/api/v1/assets/quiet-pump');
    }
  },
);

test('a blank key is refused on the form without asking the platform', { skip }, async (t) => {
  if (!served) return t.skip(notServed);
  const page = await browser.newPage();
  const asked: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/api/')) asked.push(request.url());
  });
  await page.goto(server.url);
  await page.fill('#login-key', '   ');
  await page.click('#login button[type=submit]');
  await page.locator('#login-error').filter({ hasText: 'Enter an API key.' }).waitFor();
  assert.deepEqual(asked, []);
  await page.close();
});

void test('the sensor search matches every word in id, kind or asset name, in id order, counting all', () => {
  const sensor = (id: string, kind: string, asset: string | null) => ({
    id,
    kind,
    unit: '',
    asset,
    lat: null,
    lon: null,
  });
  const sensors = [
    sensor('pump-2.flow', 'flow', 'pump-2'),
    sensor('pump-1.flow', 'flow', 'pump-1'),
    sensor('bridge-1.strain', 'strain', 'bridge-1'),
    sensor('loose', 'flow', null),
  ];
  const assets = new Map([
    ['pump-1', { id: 'pump-1', type: 'pump', name: 'Harbour Pump', lat: null, lon: null }],
    ['pump-2', { id: 'pump-2', type: 'pump', name: 'Hill Pump', lat: null, lon: null }],
  ]);
  const ids = (query: string, limit = 10): string[] =>
    findSensors(sensors, assets, query, limit).matches.map((found) => found.id);
  assert.deepEqual(ids('FLOW'), ['loose', 'pump-1.flow', 'pump-2.flow']);
  assert.deepEqual(ids('harbour flow'), ['pump-1.flow']);
  assert.deepEqual(ids('  '), []);
  assert.deepEqual(findSensors(sensors, assets, 'flow', 1), { matches: [sensors[3]], total: 3 });
});

test('an operator finds a sensor by name and opens its chart', { skip }, async (t) => {
  if (!served) return t.skip(notServed);
  const page = await signIn(browser, server.url, server.viewerKey);
  const target = await page.evaluate(
    () =>
      (window as unknown as { urbanBrain: PageHooks }).urbanBrain.table.sensors.find(
        (sensor) => sensor.kind === 'flow',
      )!.id,
  );
  await page.fill('#sensor-search', target);
  await page.locator(`#search-results li[data-sensor="${target}"]`).click();
  await page.waitForFunction(
    (id) => (window as unknown as { urbanBrain: PageHooks }).urbanBrain.chart.shown()?.sensor === id,
    target,
  );
  assert.equal(await page.textContent('#sensor-title'), target);
  assert.equal(await page.locator('#search-results li').count(), 0, 'the results close');
  await page.fill('#sensor-search', 'no-such-sensor-anywhere');
  await page.locator('#search-results').filter({ hasText: 'No sensor matches.' }).waitFor();

  // By keyboard alone (bug: the matches and the asset's other sensors could not be reached).
  const asset = target.slice(0, target.lastIndexOf('.'));
  await page.fill('#sensor-search', asset);
  await page.locator('#search-results li[role=button]').first().waitFor();
  await page.press('#sensor-search', 'ArrowDown');
  await page.keyboard.press('ArrowDown');
  const second = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.sensor);
  assert.ok(second !== undefined && second.startsWith(`${asset}.`), `focus on a match, got ${second}`);
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    (id) => (window as unknown as { urbanBrain: PageHooks }).urbanBrain.chart.shown()?.sensor === id,
    second,
  );
  // The focus goes to the sensor opened, not back to the page (bug: Tab began again at "Sign out").
  const focused = (): Promise<string> => page.evaluate(() => document.activeElement?.id ?? '');
  assert.equal(await focused(), 'sensor-title');
  const chip = page.locator('#sensor-alerts li[role=button]').first();
  await chip.focus();
  const other = await chip.getAttribute('title');
  await page.keyboard.press(' ');
  await page.waitForFunction((id) => document.getElementById('sensor-title')?.textContent === id, other);
  assert.equal(await focused(), 'sensor-title', 'a related sensor opened from its chip takes the focus too');

  // The tabs are a tab list: arrows move, the selected tab says so.
  await page.focus('[data-tab=sensor]');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getAttribute('[data-tab=alerts]', 'aria-selected'), 'true');
  assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.tab), 'alerts');
  assert.equal(await page.locator('#tab-alerts').isVisible(), true);
  await page.keyboard.press('End');
  assert.equal(await page.getAttribute('[data-tab=hospitals]', 'aria-selected'), 'true');
  assert.equal(await page.getAttribute('[data-tab=sensor]', 'aria-selected'), 'false');
  await page.close();
});

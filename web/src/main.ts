import './style.css';
import { ApiError, type Api } from './api.ts';
import { SensorChart } from './chart.ts';
import { element, failureText, moment, number } from './format.ts';
import { HospitalsView } from './hospitals-view.ts';
import { loadAssets, loadLatest, loadMap, loadSensors } from './load.ts';
import { Maintenance } from './maintenance.ts';
import { MapView } from './map-view.ts';
import { projectionAround } from './projection.ts';
import { findSensors } from './sensor-search.ts';
import { SensorTable } from './sensor-table.ts';
import { canAct, forgetKey, isRefusedKey, leaveNotice, signIn, storedKey, takeNotice } from './session.ts';
import { openStream } from './stream.ts';
import { TrafficView } from './traffic-view.ts';
import type { Alert, BusEvent, Whoami, WorkOrder } from './types.ts';

function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`#${id} missing from index.html`);
  return found as T;
}

/** What tests and the benchmark read from the page. */
interface PageState {
  ready: boolean;
  table: SensorTable | null;
  map: MapView | null;
  chart: SensorChart | null;
  maintenance: Maintenance | null;
  readingsReceived: number;
  eventsReceived: number;
  /** Readings the server dropped for this client because it fell behind (its `dropped` events). */
  readingsDropped: number;
  selectSensor(id: string): void;
}
const page: PageState = {
  ready: false,
  table: null,
  map: null,
  chart: null,
  maintenance: null,
  readingsReceived: 0,
  eventsReceived: 0,
  readingsDropped: 0,
  selectSensor: () => {},
};
(window as unknown as { urbanBrain: PageState }).urbanBrain = page;

/** Set once open() has built the page: a later start reloads it instead, for a clean slate. */
let built = false;
/** Set once the platform refused the key: the page is on its way back to the sign-in form. */
let ended = false;

/**
 * Opens the dashboard with the key saved in this tab, if any. The key is forgotten only when the
 * platform refuses it (401/403); when the platform cannot be reached it is kept and a retry offered.
 */
async function start(): Promise<void> {
  const notice = takeNotice();
  const key = storedKey();
  if (key === null) {
    showLogin(notice);
    return;
  }
  let session: Session;
  try {
    session = await signIn(key);
  } catch (error) {
    if (isRefusedKey(error)) {
      forgetKey();
      showLogin(`The saved key was refused (${failureText(error)}). Sign in again.`);
    } else {
      showLogin(
        `Not signed in: ${failureText(error)}. Your key is kept; retry when the platform is back.`,
        true,
      );
    }
    return;
  }
  await enter(session);
}

type Session = Awaited<ReturnType<typeof signIn>>;

/** Opens the dashboard for a signed-in key; a failure to load goes back to the sign-in form, with a retry. */
async function enter(session: Session): Promise<void> {
  if (built) {
    location.reload();
    return;
  }
  built = true;
  session.api.onUnauthorized = endSession;
  try {
    await open(session.api, session.who);
  } catch (error) {
    if (ended) return;
    reportError(error);
    showLogin(`The dashboard could not load: ${failureText(error)}.`, true);
  }
}

/** The platform answered 401 (the key was revoked, or the platform restarted with new keys). */
function endSession(reason: string): void {
  if (ended) return;
  ended = true;
  forgetKey();
  leaveNotice(`Your key is no longer valid (${reason}). Sign in again.`);
  location.reload();
}

function showLogin(message: string, retry = false): void {
  byId('app').hidden = true;
  const form = byId<HTMLFormElement>('login');
  form.hidden = false;
  byId('login-error').textContent = message;
  const key = byId<HTMLInputElement>('login-key');
  key.focus();
  // A new key is being typed: what was said of the last one no longer holds.
  key.oninput = () => {
    byId('login-error').textContent = '';
  };
  const again = byId<HTMLButtonElement>('login-retry');
  again.hidden = !retry;
  again.onclick = () => {
    byId('login-error').textContent = 'Connecting…';
    void start();
  };
  form.onsubmit = (event) => {
    event.preventDefault();
    const input = byId<HTMLInputElement>('login-key');
    if (input.value.trim() === '') {
      byId('login-error').textContent = 'Enter an API key.';
      return;
    }
    signIn(input.value.trim())
      .then(enter)
      .catch((error: unknown) => {
        const text =
          error instanceof ApiError && error.status === 401 ? 'Unknown or revoked key.' : failureText(error);
        byId('login-error').textContent = text;
      });
  };
}

async function open(api: Api, who: Whoami): Promise<void> {
  byId('login').hidden = true;
  byId('app').hidden = false;
  byId('role').textContent = `${who.name} · ${who.role}`;
  byId('role').dataset.role = who.role;
  byId('logout').onclick = () => {
    forgetKey();
    location.reload();
  };
  setUpTabs();

  const map = new MapView(byId<HTMLCanvasElement>('map'));
  map.covers = [byId('filters'), byId('legend'), byId('zoom')];
  page.map = map;
  byId('zoom-in').onclick = () => map.zoomBy(1.5);
  byId('zoom-out').onclick = () => map.zoomBy(1 / 1.5);
  byId('zoom-fit').onclick = () => map.fit();
  const [cityMap, sensors, assets] = await Promise.all([loadMap(api), loadSensors(api), loadAssets(api)]);
  const centre = cityMap?.centre ?? averagePosition(assets);
  const projection = projectionAround(centre);
  if (cityMap !== null) {
    map.setCity(cityMap, projection);
    byId('city-name').textContent = cityMap.name;
  }
  const table = new SensorTable(sensors, assets, projection);
  page.table = table;
  // The filters first: the map frames the city clear of them.
  setUpFilters(table, map);
  map.setSensors(table);
  byId('counts').textContent =
    `${table.count.toLocaleString()} sensors · ${assets.length.toLocaleString()} assets`;

  const chart = new SensorChart(byId('sensor-chart'), api);
  page.chart = chart;
  const maintenance = new Maintenance(api, canAct(who), byId('alert-feed'), byId('order-board'));
  page.maintenance = maintenance;
  byId('orders-note').textContent = canAct(who) ? '' : 'Your role may view work orders but not act on them.';
  const assetSensors = groupByAsset(table);
  maintenance.describeAsset = (asset) => table.assets.get(asset)?.name ?? asset;
  maintenance.onChange = () => {
    table.setFlags(maintenance.flags((asset) => assetSensors.get(asset) ?? []));
    byId('alert-count').textContent = maintenance.alertCountText();
    byId('order-count').textContent = String(maintenance.activeCount());
    if (selected !== '') chart.setAlerts(maintenance.alerts.filter((alert) => alert.sensor === selected));
  };

  let selected = '';
  /** The load of the chart last asked for: settled once it is drawn or has failed. */
  let chartShown: Promise<void> = Promise.resolve();
  const selectSensor = (id: string): void => {
    const index = table.index.get(id);
    if (index === undefined) return;
    const from = document.activeElement;
    selected = id;
    map.select(index);
    showSensorPanel(table, index, selectSensor);
    chart.setAlerts(maintenance.alerts.filter((alert) => alert.sensor === id));
    switchTab('sensor');
    // A sensor opened from another tab's button, a search result or a related sensor's chip (each
    // gone or hidden now): the focus goes with it, not back to the page (bug: Tab began again at the top).
    if (
      from instanceof HTMLElement &&
      from !== document.body &&
      (!from.isConnected || from.closest('[hidden]') !== null)
    )
      byId('sensor-title').focus();
    chartShown = chart.show(id, table.sensors[index]?.unit ?? '').catch(reportError);
  };
  page.selectSensor = selectSensor;
  setUpSearch(table, selectSensor);
  maintenance.onSelectSensor = selectSensor;
  map.onPick = (index) => {
    selectSensor(table.sensors[index]?.id ?? '');
    // On a phone the panel sits below the map: bring the chart into view once it is drawn (bug:
    // asked before, when the page was not yet tall enough to scroll, it did not move).
    if (window.matchMedia('(max-width: 900px)').matches)
      void chartShown.then(() => byId('sensor-panel').scrollIntoView({ behavior: 'smooth', block: 'start' }));
  };
  setUpHover(map, table);
  const rangeButtons = [...document.querySelectorAll<HTMLButtonElement>('[data-range]')];
  const markRange = (range: string): void => {
    for (const button of rangeButtons) {
      button.classList.toggle('active', button.dataset.range === range);
      button.setAttribute('aria-pressed', String(button.dataset.range === range));
    }
  };
  markRange(String(chart.range));
  // A zoomed chart shows none of the ranges; double-clicking back follows the chosen one again.
  chart.onZoom = (zoomed) => markRange(zoomed ? '' : String(chart.range));
  for (const button of rangeButtons) {
    button.onclick = () => {
      markRange(button.dataset.range ?? '');
      void chart.setRange(Number(button.dataset.range)).catch((error: unknown) => {
        // The range shown stays marked, not the one that could not be loaded.
        markRange(String(chart.range));
        reportError(error);
      });
    };
  }

  const sensorIds = table.sensors.map((sensor) => sensor.id);
  const readLatest = async (): Promise<void> => {
    const latest = await loadLatest(api, sensorIds);
    for (const [sensor, point] of Object.entries(latest)) table.update(sensor, point.ts, point.value);
  };
  const loadSnapshot = async (): Promise<void> => {
    await readLatest();
    await maintenance.load().catch((error: unknown) => {
      byId('alert-feed').replaceChildren(element('li', 'error', `Alerts unavailable: ${failureText(error)}`));
    });
  };
  await loadSnapshot();
  page.ready = true;
  document.body.dataset.ready = 'true';

  let missed = false;
  /** Reads the current state again after an outage; a failed read is tried again while the stream stays live. */
  const catchUp = (): void => {
    missed = false;
    void Promise.all([readLatest(), maintenance.load()])
      .then(() => chart.refresh())
      .catch((error: unknown) => {
        reportError(error);
        missed = true;
        setTimeout(() => {
          if (missed && byId('live').dataset.state === 'live') catchUp();
        }, 3000);
      });
  };
  /** When the page last heard from the platform live; shown while it cannot be reached. */
  let liveUntil = Date.now();
  openStream(
    api.headers(),
    (event, data) => {
      if (event === 'reading') {
        const reading = JSON.parse(data) as { sensor: string; ts: number; value: number };
        table.update(reading.sensor, reading.ts, reading.value);
        page.readingsReceived += 1;
      } else if (event === 'readings') {
        // A batch form of the same, should the platform send one.
        for (const reading of JSON.parse(data) as { sensor: string; ts: number; value: number }[]) {
          table.update(reading.sensor, reading.ts, reading.value);
          page.readingsReceived += 1;
        }
      } else if (event === 'dropped') {
        page.readingsDropped += (JSON.parse(data) as { count: number }).count;
      } else if (event === 'event') {
        page.eventsReceived += 1;
        onBusEvent(JSON.parse(data) as BusEvent, maintenance, chart, selected);
      }
    },
    (state) => {
      if (byId('live').dataset.state === 'live') liveUntil = Date.now();
      byId('live').textContent = state;
      byId('live').dataset.state = state;
      // 'connecting' follows 'offline' within a second: the banner stays as it is until live again.
      if (state !== 'connecting') showOffline(state === 'live' ? null : liveUntil);
      // Events sent while the stream was down are lost: read the current state again.
      if (state === 'offline') missed = true;
      if (state === 'live' && missed) catchUp();
    },
    endSession,
  );

  const traffic = new TrafficView(byId('traffic'), api);
  const hospitals = new HospitalsView(byId('hospitals'), api);
  setInterval(() => {
    // Nothing to ask while the platform cannot be reached: the stream's reconnects find out when it is back.
    if (byId('live').dataset.state !== 'live') return;
    if (!byId('tab-traffic').hidden) void traffic.refresh();
    if (!byId('tab-hospitals').hidden) void hospitals.refresh();
    if (!byId('tab-sensor').hidden) void chart.refresh().catch(() => {});
    if (selected !== '') {
      const index = table.index.get(selected);
      if (index !== undefined) byId('sensor-last').textContent = lastText(table, index);
    }
  }, 2000);
  onTab = (tab) => {
    if (tab === 'traffic') void traffic.refresh();
    if (tab === 'hospitals') void hospitals.refresh();
  };
}

/** The banner under the header while the live stream is down (`since`: the last moment it was live), else hidden. */
function showOffline(since: number | null): void {
  const banner = byId('offline');
  if (since === null) {
    banner.hidden = true;
    return;
  }
  if (!banner.hidden) return;
  banner.hidden = false;
  banner.textContent = `The platform cannot be reached: reconnecting… What you see is as of ${moment(since)}.`;
}

function onBusEvent(event: BusEvent, maintenance: Maintenance, chart: SensorChart, selected: string): void {
  if (event.type === 'alert') {
    const alert = event.data.alert as Alert | undefined;
    if (alert !== undefined) maintenance.addAlert(alert);
    if (alert?.sensor === selected) void chart.refresh().catch(() => {});
  } else if (event.type === 'workorder') {
    const order = event.data.workOrder as WorkOrder | undefined;
    if (order !== undefined) maintenance.putOrder(order);
  }
}

/** The sensor search: up to 20 matches as the operator types; a click or Enter opens one. */
function setUpSearch(table: SensorTable, select: (id: string) => void): void {
  const input = byId<HTMLInputElement>('sensor-search');
  const results = byId('search-results');
  const shownLimit = 20;
  let first = '';
  const choose = (id: string): void => {
    // A result chosen by keyboard goes with the list: the focus goes to the sensor opened.
    const fromResults = results.contains(document.activeElement);
    input.value = '';
    results.replaceChildren();
    first = '';
    select(id);
    if (fromResults) byId('sensor-title').focus();
  };
  input.oninput = () => {
    const { matches, total } = findSensors(table.sensors, table.assets, input.value, shownLimit);
    first = matches[0]?.id ?? '';
    const items = matches.map((sensor) => {
      const item = element('li', 'search-result');
      item.dataset.sensor = sensor.id;
      item.append(
        element('strong', '', sensor.id),
        element('span', 'muted', ` ${table.assets.get(sensor.asset ?? '')?.name ?? ''}`),
      );
      activateWith(item, () => choose(sensor.id));
      return item;
    });
    if (input.value.trim() !== '' && total === 0) items.push(element('li', 'muted', 'No sensor matches.'));
    if (total > shownLimit)
      items.push(
        element('li', 'muted', `${(total - shownLimit).toLocaleString()} more: type more of the name.`),
      );
    results.replaceChildren(...items);
  };
  input.onkeydown = (event) => {
    if (event.key === 'Enter' && first !== '') choose(first);
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      results.querySelector<HTMLElement>('[role="button"]')?.focus();
    }
  };
  // Up and down among the matches; up from the first goes back to the field.
  results.onkeydown = (event) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const items = [...results.querySelectorAll<HTMLElement>('[role="button"]')];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const next = event.key === 'ArrowDown' ? items[Math.min(items.length - 1, at + 1)] : items[at - 1];
    (next ?? input).focus();
  };
}

/** Makes a list item a button for mouse and keyboard alike: focusable, Enter and Space act. */
function activateWith(item: HTMLElement, act: () => void): void {
  item.setAttribute('role', 'button');
  item.tabIndex = 0;
  item.addEventListener('click', act);
  item.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    act();
  });
}

function showSensorPanel(table: SensorTable, index: number, select: (id: string) => void): void {
  const sensor = table.sensors[index];
  if (sensor === undefined) return;
  const asset = table.assets.get(sensor.asset ?? '');
  byId('sensor-empty').hidden = true;
  byId('sensor-panel').hidden = false;
  byId('sensor-title').textContent = sensor.id;
  const meta = byId('sensor-meta');
  meta.replaceChildren(
    element(
      'span',
      '',
      `${sensor.kind} (${sensor.unit}) on ${asset?.name ?? sensor.asset ?? 'no asset'} · ${asset?.type ?? ''} · `,
    ),
    element('span', '', lastText(table, index)),
  );
  meta.lastElementChild?.setAttribute('id', 'sensor-last');
  const siblings =
    sensor.asset === null ? [] : table.sensorsOfAsset(sensor.asset).filter((other) => other.id !== sensor.id);
  const list = byId('sensor-alerts');
  list.replaceChildren(
    ...siblings.map((other) => {
      const item = element('li', 'chip', `${other.kind}`);
      item.title = other.id;
      activateWith(item, () => select(other.id));
      return item;
    }),
  );
}

/** A sensor's last reading with its unit (bug: the number alone, "last 90.99"). */
function lastText(table: SensorTable, index: number): string {
  const ts = table.lastTs[index] as number;
  if (ts <= 0) return 'no reading yet';
  const unit = table.sensors[index]?.unit ?? '';
  const value = number(table.lastValue[index] as number, 2);
  return `last ${unit === '' ? value : `${value} ${unit}`} at ${moment(ts)}`;
}

function groupByAsset(table: SensorTable): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const sensor of table.sensors) {
    if (sensor.asset === null) continue;
    const group = groups.get(sensor.asset) ?? [];
    group.push(sensor.id);
    groups.set(sensor.asset, group);
  }
  return groups;
}

function averagePosition(assets: { lat: number | null; lon: number | null }[]): { lat: number; lon: number } {
  const placed = assets.filter((asset) => asset.lat !== null && asset.lon !== null);
  if (placed.length === 0) return { lat: 0, lon: 0 };
  const lat = placed.reduce((sum, asset) => sum + (asset.lat as number), 0) / placed.length;
  const lon = placed.reduce((sum, asset) => sum + (asset.lon as number), 0) / placed.length;
  return { lat, lon };
}

function setUpFilters(table: SensorTable, map: MapView): void {
  const box = byId('filters');
  const boxes = table.types.map((type, index) => {
    const label = element('label');
    const input = element('input');
    input.type = 'checkbox';
    input.checked = true;
    input.dataset.type = type;
    input.onchange = () => {
      if (input.checked) map.hiddenTypes.delete(index);
      else map.hiddenTypes.add(index);
      map.invalidate();
    };
    label.append(input, document.createTextNode(` ${type}`));
    return label;
  });
  box.append(...boxes);
}

/** The hover box follows the pointer, flipped to its left or above it near the map's right or bottom edge. */
function setUpHover(map: MapView, table: SensorTable): void {
  const hover = byId('hover');
  const gapPixels = 12;
  map.onHover = (index, x, y) => {
    const sensor = table.sensors[index];
    if (sensor === undefined) {
      hover.hidden = true;
      return;
    }
    hover.hidden = false;
    hover.textContent = `${sensor.id} · ${lastText(table, index)}`;
    const bounds = map.canvas.getBoundingClientRect();
    const { offsetWidth: width, offsetHeight: height } = hover;
    const left = x + gapPixels + width > bounds.right ? x - gapPixels - width : x + gapPixels;
    const top = y + gapPixels + height > bounds.bottom ? y - gapPixels - height : y + gapPixels;
    hover.style.left = `${Math.max(bounds.left, left)}px`;
    hover.style.top = `${Math.max(bounds.top, top)}px`;
  };
}

let onTab: (tab: string) => void = () => {};

function switchTab(tab: string): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-tab]')) {
    const chosen = button.dataset.tab === tab;
    button.classList.toggle('active', chosen);
    button.setAttribute('aria-selected', String(chosen));
    // One tab stop for the tab list; the arrow keys move within it.
    button.tabIndex = chosen ? 0 : -1;
    byId(`tab-${button.dataset.tab ?? ''}`).hidden = !chosen;
  }
  onTab(tab);
}

/** The tabs as a WAI-ARIA tab list: each a tab controlling its panel, arrows, Home and End move. */
function setUpTabs(): void {
  const buttons = [...document.querySelectorAll<HTMLButtonElement>('[data-tab]')];
  for (const [index, button] of buttons.entries()) {
    const panel = `tab-${button.dataset.tab ?? ''}`;
    button.setAttribute('role', 'tab');
    button.id = `${panel}-tab`;
    button.setAttribute('aria-controls', panel);
    byId(panel).setAttribute('role', 'tabpanel');
    byId(panel).setAttribute('aria-labelledby', button.id);
    button.onclick = () => switchTab(button.dataset.tab ?? 'sensor');
    button.onkeydown = (event) => {
      const moves: Record<string, number> = {
        ArrowRight: index + 1,
        ArrowLeft: index - 1,
        Home: 0,
        End: buttons.length - 1,
      };
      const to = moves[event.key];
      if (to === undefined) return;
      event.preventDefault();
      const target = buttons[(to + buttons.length) % buttons.length];
      if (target === undefined) return;
      switchTab(target.dataset.tab ?? 'sensor');
      target.focus();
    };
  }
  switchTab(buttons.find((button) => button.classList.contains('active'))?.dataset.tab ?? 'sensor');
}

function reportError(error: unknown): void {
  console.error(error);
}

void start();

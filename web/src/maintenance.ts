import { ApiError, type Api } from './api.ts';
import { dateTime, element, failureText, moment, number } from './format.ts';
import { stateAlert, stateWarn } from './sensor-table.ts';
import type { Alert, WorkOrder, WorkOrderStatus } from './types.ts';

const actions = [
  { action: 'acknowledge', label: 'Acknowledge', from: ['open'] },
  { action: 'resolve', label: 'Resolve', from: ['open', 'acknowledged'] },
  { action: 'false-alarm', label: 'False alarm', from: ['open', 'acknowledged'] },
  { action: 'assign', label: 'Assign…', from: ['open', 'acknowledged'] },
  { action: 'reopen', label: 'Reopen', from: ['resolved', 'false-alarm'] },
] as const;
/** A work order as the platform sends it: `assignee` is the person or crew it was given to. */
type AssignedOrder = WorkOrder & { assignee?: string | null };
/** Alerts and closed work orders loaded at start. */
const alertLimit = 200;
const orderLimit = 500;
/** Active (open, acknowledged) orders loaded at start, per status: the API's largest page. */
const activeLimit = 10_000;
/** Alerts held in the page; older ones drop out of the feed. */
const heldAlerts = 500;
/** Alerts drawn in the feed at first, and how many more each "Show more" draws. */
const alertsPerPage = 100;
/** Cards drawn per column of the board at first (the heading counts them all), and per "Show more". */
const cardsPerColumn = 60;
/** The platform's longest assignee (its `assign` rule). */
const maxAssigneeCharacters = 200;
const assignable: readonly WorkOrderStatus[] = ['open', 'acknowledged'];
const closed: readonly WorkOrderStatus[] = ['resolved', 'false-alarm'];
const columns: { title: string; statuses: WorkOrderStatus[] }[] = [
  { title: 'Open', statuses: ['open'] },
  { title: 'Acknowledged', statuses: ['acknowledged'] },
  { title: 'Closed', statuses: ['resolved', 'false-alarm'] },
];

/**
 * The alert feed and the work-order board. Both are loaded once and then kept current from the
 * live stream's `alert` and `workorder` events, so both are redrawn often: every control carries a
 * `data-focus` key and keeps the keyboard focus (and a field its text and caret) across a redraw.
 * Actions need the operator role: a viewer is shown none. While a verdict is in flight every action
 * of its card is disabled. An active card shows its assignee and can be assigned (a field on the
 * card; empty clears); a closed one can be reopened, which the platform refuses (409, shown on the
 * card) while the asset has another active order. Where a list is cut, a line says how many more.
 */
export class Maintenance {
  private readonly api: Api;
  private readonly canAct: boolean;
  private readonly feed: HTMLElement;
  private readonly board: HTMLElement;
  readonly alerts: Alert[] = [];
  readonly orders = new Map<string, WorkOrder>();
  /** All alerts on the platform when its listing says (`total`), else null. */
  private alertTotal: number | null = null;
  /** Whether more alerts exist than were loaded. */
  private moreAlerts = false;
  /** Statuses whose loaded list was cut at its limit: the platform has more of them. */
  private readonly cut = new Set<WorkOrderStatus>();
  /** Alerts drawn in the feed, and cards drawn per lane (by title): raised by "Show more". */
  private alertsDrawn = alertsPerPage;
  private readonly cardsDrawn = new Map<string, number>();
  /** Orders with a verdict in flight: their actions stay disabled until the platform answers. */
  private readonly pending = new Set<string>();
  /** The text of each open assign field, by order: kept while the board is redrawn. */
  private readonly drafts = new Map<string, string>();
  /** One message per work order, shown on its card until its next action (e.g. a refused verdict). */
  private readonly notices = new Map<string, string>();
  onChange: () => void = () => {};
  onSelectSensor: (sensor: string) => void = () => {};
  describeAsset: (asset: string) => string = (asset) => asset;

  constructor(api: Api, canAct: boolean, feed: HTMLElement, board: HTMLElement) {
    this.api = api;
    this.canAct = canAct;
    this.feed = feed;
    this.board = board;
  }

  /** (Re)loads both from the API: at start and whenever the live stream comes back after a gap. */
  async load(): Promise<void> {
    const orders = (query: string) =>
      this.api.get<{ workOrders: WorkOrder[] }>(`/api/v1/work-orders?${query}`);
    const [alerts, recent, open, acknowledged] = await Promise.all([
      this.api.get<{ alerts: Alert[]; total?: number }>(`/api/v1/alerts?limit=${alertLimit}`),
      orders(`limit=${orderLimit}`),
      orders(`status=open&limit=${activeLimit}`),
      orders(`status=acknowledged&limit=${activeLimit}`),
    ]);
    this.alerts.splice(0, this.alerts.length, ...alerts.alerts);
    this.alertTotal = typeof alerts.total === 'number' ? alerts.total : null;
    this.moreAlerts = alerts.alerts.length >= alertLimit;
    this.cut.clear();
    if (recent.workOrders.length >= orderLimit) for (const status of closed) this.cut.add(status);
    if (open.workOrders.length >= activeLimit) this.cut.add('open');
    if (acknowledged.workOrders.length >= activeLimit) this.cut.add('acknowledged');
    this.orders.clear();
    for (const order of [...recent.workOrders, ...open.workOrders, ...acknowledged.workOrders])
      this.orders.set(order.id, order);
    this.render();
  }

  addAlert(alert: Alert): void {
    if (this.alerts.some((known) => known.id === alert.id)) return;
    this.alerts.unshift(alert);
    if (this.alertTotal !== null) this.alertTotal += 1;
    if (this.alerts.length > heldAlerts) {
      this.alerts.length = heldAlerts;
      this.moreAlerts = true;
    }
    this.render();
  }

  /** The alert count for the tab: the platform's total when known, else what is held, with `+` when there are more. */
  alertCountText(): string {
    if (this.alertTotal !== null) return this.alertTotal.toLocaleString();
    return `${this.alerts.length.toLocaleString()}${this.moreAlerts ? '+' : ''}`;
  }

  putOrder(order: WorkOrder): void {
    this.orders.set(order.id, order);
    if (!assignable.includes(order.status)) this.drafts.delete(order.id);
    this.render();
  }

  /** Map colours: sensors that alerted in an active order are red, the rest of its asset amber. */
  flags(sensorsOfAsset: (asset: string) => string[]): Map<string, number> {
    const flags = new Map<string, number>();
    for (const order of this.orders.values()) {
      if (order.status !== 'open' && order.status !== 'acknowledged') continue;
      for (const sensor of sensorsOfAsset(order.asset)) if (!flags.has(sensor)) flags.set(sensor, stateWarn);
      for (const sensor of order.sensors) flags.set(sensor, stateAlert);
    }
    return flags;
  }

  activeCount(): number {
    let count = 0;
    for (const order of this.orders.values())
      if (order.status === 'open' || order.status === 'acknowledged') count += 1;
    return count;
  }

  private render(): void {
    this.renderFeed();
    this.renderBoard();
    this.onChange();
  }

  private renderFeed(): void {
    const drawn = this.alerts.slice(0, this.alertsDrawn);
    // Each alert with the state of the work order it went into: handled ones are told apart.
    const orderOf = new Map<string, WorkOrder>();
    for (const order of this.orders.values())
      for (const alertId of order.alertIds ?? []) orderOf.set(alertId, order);
    const items: HTMLElement[] = drawn.map((alert) => {
      const item = element('li', 'alert-item');
      item.dataset.alert = alert.id;
      const order = orderOf.get(alert.id);
      // A button for the keyboard; a click anywhere on the item opens the sensor too.
      const sensor = element('button', 'link', alert.sensor);
      sensor.type = 'button';
      sensor.dataset.focus = `alert|${alert.id}`;
      item.append(
        element('span', 'when', moment(alert.ts)),
        sensor,
        element(
          'span',
          'muted',
          ` ${this.describeAsset(alert.asset)} · score ${number(alert.score, 3)} > ${number(alert.threshold, 3)}`,
        ),
      );
      if (order !== undefined) {
        const state = element('span', 'order-state', ` · order ${order.status.replace('-', ' ')}`);
        item.dataset.orderStatus = order.status;
        item.classList.toggle('handled', closed.includes(order.status));
        item.append(state);
      }
      item.addEventListener('click', () => this.onSelectSensor(alert.sensor));
      return item;
    });
    if (items.length === 0) items.push(element('li', 'muted', 'No alerts yet.'));
    // Alerts on the platform beyond those held: counted when its listing says its total.
    const beyond = this.alertTotal === null ? 0 : Math.max(0, this.alertTotal - this.alerts.length);
    const hidden = this.alerts.length - drawn.length;
    const more = this.moreLine('feed', hidden, beyond, this.alertTotal === null && this.moreAlerts, () => {
      this.alertsDrawn += alertsPerPage;
      this.renderFeed();
    });
    if (more !== null) items.push(more);
    replaceKeepingFocus(this.feed, items);
  }

  private renderBoard(): void {
    const sorted = [...this.orders.values()].sort((a, b) => b.lastAlertAt - a.lastAlertAt);
    const lanes = columns.map((column) => {
      const lane = element('div', 'lane');
      const cards = sorted.filter((order) => column.statuses.includes(order.status));
      const cut = column.statuses.some((status) => this.cut.has(status));
      const shown = this.cardsDrawn.get(column.title) ?? cardsPerColumn;
      lane.dataset.count = String(cards.length);
      lane.append(
        element('h3', '', `${column.title} (${cards.length.toLocaleString()}${cut ? '+' : ''})`),
        ...cards.slice(0, shown).map((order) => this.card(order)),
      );
      const hidden = Math.max(0, cards.length - shown);
      const more = this.moreLine(column.title, hidden, 0, cut, () => {
        this.cardsDrawn.set(column.title, shown + cardsPerColumn);
        this.renderBoard();
      });
      if (more !== null) lane.append(more);
      return lane;
    });
    replaceKeepingFocus(this.board, lanes);
  }

  /**
   * The line where a list is cut: `hidden` items held but not drawn (with a button that draws more),
   * `beyond` counted on the platform but not loaded, and `open` when an unknown number more exist there.
   */
  private moreLine(
    key: string,
    hidden: number,
    beyond: number,
    open: boolean,
    showMore: () => void,
  ): HTMLElement | null {
    const count = hidden + beyond;
    if (count === 0 && !open) return null;
    const line = element(key === 'feed' ? 'li' : 'div', 'more muted');
    line.dataset.more = String(count);
    line.append(
      count === 0
        ? 'More exist on the platform than were loaded.'
        : `${count.toLocaleString()}${open ? '+' : ''} more${hidden === 0 ? ', not loaded' : ''}`,
    );
    if (hidden > 0) {
      const button = element('button', '', 'Show more');
      button.type = 'button';
      button.dataset.focus = `more|${key}`;
      button.addEventListener('click', showMore);
      line.append(' ', button);
    }
    return line;
  }

  private card(order: WorkOrder): HTMLElement {
    const card = element('article', `card severity-${order.severity}`);
    card.dataset.order = order.id;
    card.dataset.status = order.status;
    const asset = element('button', 'link asset', this.describeAsset(order.asset));
    asset.type = 'button';
    asset.title = 'Open the chart of its first alerting sensor';
    asset.dataset.focus = `${order.id}|asset`;
    asset.addEventListener('click', () => {
      const sensor = order.sensors[0];
      if (sensor !== undefined) this.onSelectSensor(sensor);
    });
    card.append(
      asset,
      element(
        'div',
        'muted',
        `${order.assetType} · ${order.severity} · max score ${number(order.maxScore, 3)}`,
      ),
      element(
        'div',
        'muted',
        `first warning ${dateTime(order.firstWarningAt)} · ${order.sensors.join(', ')}`,
      ),
    );
    const assignee = (order as AssignedOrder).assignee ?? null;
    if (assignee !== null) {
      const assigned = element('div', 'assignee', `assigned to ${assignee}`);
      assigned.dataset.assignee = assignee;
      card.append(assigned);
    }
    const last = order.verdicts.at(-1);
    if (last !== undefined)
      card.append(element('div', 'muted', `${last.action} by ${last.by} at ${moment(last.at)}`));
    // A viewer is offered no action: the platform would refuse every one (403).
    if (this.canAct) {
      const busy = this.pending.has(order.id);
      if (busy) card.setAttribute('aria-busy', 'true');
      card.append(this.actions(order, busy));
      if (this.drafts.has(order.id) && assignable.includes(order.status))
        card.append(this.assignField(order.id, busy, ((order as AssignedOrder).assignee ?? null) !== null));
    }
    const notice = this.notices.get(order.id);
    if (notice !== undefined) card.append(element('div', 'error', notice));
    return card;
  }

  /** The verdicts the order's status allows; all disabled while one of them is in flight. */
  private actions(order: WorkOrder, busy: boolean): HTMLElement {
    const buttons = element('div', 'actions');
    for (const { action, label, from } of actions) {
      if (!(from as readonly string[]).includes(order.status)) continue;
      const button = element('button', '', label);
      button.type = 'button';
      button.dataset.action = action;
      button.dataset.focus = `${order.id}|${action}`;
      button.disabled = busy;
      if (action === 'assign') {
        button.setAttribute('aria-expanded', String(this.drafts.has(order.id)));
        const assignee = (order as AssignedOrder).assignee ?? '';
        button.addEventListener('click', () => this.openAssign(order.id, assignee));
      } else {
        button.addEventListener('click', () => void this.act(order.id, action, {}));
      }
      buttons.append(button);
    }
    return buttons;
  }

  /**
   * The assign field of a card: Enter or Save assigns (empty clears an assignment; with none, it
   * asks for a name instead of sending what the platform refuses), Escape or Cancel closes it.
   */
  private assignField(id: string, busy: boolean, assigned: boolean): HTMLFormElement {
    const form = element('form', 'assign');
    const field = element('input');
    field.type = 'text';
    field.name = 'assignee';
    field.value = this.drafts.get(id) ?? '';
    field.maxLength = maxAssigneeCharacters;
    field.autocomplete = 'off';
    field.placeholder = assigned ? 'person or crew; empty to clear' : 'person or crew';
    field.dataset.focus = `${id}|assignee`;
    field.disabled = busy;
    field.addEventListener('input', () => this.drafts.set(id, field.value));
    field.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.closeAssign(id);
    });
    const label = element('label', '', 'Assign to ');
    label.append(field);
    const save = element('button', '', 'Save');
    save.type = 'submit';
    save.dataset.focus = `${id}|assign-save`;
    save.disabled = busy;
    const cancel = element('button', '', 'Cancel');
    cancel.type = 'button';
    cancel.dataset.focus = `${id}|assign-cancel`;
    cancel.disabled = busy;
    cancel.addEventListener('click', () => this.closeAssign(id));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = field.value.trim();
      if (name === '' && !assigned) {
        this.notices.set(id, 'Type a person or crew: nobody is assigned yet, so there is nothing to clear.');
        this.renderBoard();
        this.focus(`${id}|assignee`);
        return;
      }
      void this.act(id, 'assign', { assignee: name === '' ? null : name });
    });
    form.append(label, save, cancel);
    return form;
  }

  private openAssign(id: string, assignee: string): void {
    if (!this.drafts.has(id)) this.drafts.set(id, assignee);
    this.renderBoard();
    const field = this.focus(`${id}|assignee`);
    if (field instanceof HTMLInputElement) field.select();
  }

  private closeAssign(id: string): void {
    this.drafts.delete(id);
    this.renderBoard();
    this.focus(`${id}|assign`, `${id}|asset`);
  }

  /** Focuses the first enabled control of the board with one of `keys`; returns it. */
  private focus(...keys: string[]): HTMLElement | undefined {
    const controls = [...this.board.querySelectorAll<HTMLElement>('[data-focus]')];
    for (const key of keys) {
      const control = controls.find((node) => node.dataset.focus === key && !node.matches(':disabled'));
      if (control === undefined) continue;
      control.focus({ preventScroll: true });
      return control;
    }
    return undefined;
  }

  /**
   * Sends a verdict; the card's actions are disabled until the platform answers. When it refuses the
   * verdict because the order moved on (409: someone else acted, or the page missed the change), the
   * order is read again so the card shows its real state.
   */
  private async act(id: string, action: string, body: Record<string, unknown>): Promise<void> {
    if (this.pending.has(id)) return;
    // The clicked control is disabled meanwhile, which takes the focus: it is given back after.
    const focused = this.board.contains(document.activeElement);
    this.pending.add(id);
    this.notices.delete(id);
    this.renderBoard();
    const path = `/api/v1/work-orders/${encodeURIComponent(id)}`;
    let order: WorkOrder | undefined;
    try {
      order = await this.api.post<WorkOrder>(`${path}/${action}`, body);
      this.drafts.delete(id);
    } catch (error) {
      this.notices.set(id, failureText(error));
      // Else the card stays as it is; the notice says what was refused.
      if (error instanceof ApiError && error.status === 409)
        order = await this.api.get<WorkOrder>(path).catch(() => undefined);
    } finally {
      this.pending.delete(id);
    }
    if (order !== undefined) this.orders.set(order.id, order);
    if (order !== undefined && !assignable.includes(order.status)) this.drafts.delete(id);
    this.render();
    if (focused && !this.board.contains(document.activeElement))
      this.focus(`${id}|assignee`, `${id}|${action}`, `${id}|asset`);
  }
}

/**
 * Replaces the children of `host`, keeping the focus (and a text field's caret) on the control with
 * the same `data-focus` key: the feed and the board are redrawn on every live event.
 */
function replaceKeepingFocus(host: HTMLElement, children: HTMLElement[]): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && host.contains(active) ? active.dataset.focus : undefined;
  const caret =
    active instanceof HTMLInputElement ? ([active.selectionStart, active.selectionEnd] as const) : null;
  host.replaceChildren(...children);
  if (key === undefined) return;
  const again = [...host.querySelectorAll<HTMLElement>('[data-focus]')].find(
    (node) => node.dataset.focus === key,
  );
  if (again === undefined) return;
  again.focus({ preventScroll: true });
  if (again instanceof HTMLInputElement && caret !== null) again.setSelectionRange(caret[0], caret[1]);
}

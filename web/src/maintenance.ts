import { ApiError, type Api } from './api.ts';
import { dateTime, element, moment, number } from './format.ts';
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
/** Alerts and closed work orders loaded at start; active (open, acknowledged) orders are loaded whole. */
const alertLimit = 200;
const orderLimit = 500;
/** Alerts held in the page; older ones drop out of the feed. */
const heldAlerts = 500;
/** Cards drawn per column of the board (the heading counts them all). */
const cardsPerColumn = 60;
const columns: { title: string; statuses: WorkOrderStatus[] }[] = [
  { title: 'Open', statuses: ['open'] },
  { title: 'Acknowledged', statuses: ['acknowledged'] },
  { title: 'Closed', statuses: ['resolved', 'false-alarm'] },
];

/**
 * The alert feed and the work-order board. Both are loaded once and then kept current from the
 * live stream's `alert` and `workorder` events. Actions need the operator role: for a viewer the
 * buttons are shown disabled (the API would answer 403 anyway). An active card shows its assignee
 * and can be assigned (a prompt; empty clears); a closed one can be reopened, which the platform
 * refuses (409, shown on the card) while the asset has another active order.
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
  /** Whether more alerts or closed work orders exist than were loaded. */
  private moreAlerts = false;
  private moreOrders = false;
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
    const active = 10_000;
    const [alerts, recent, open, acknowledged] = await Promise.all([
      this.api.get<{ alerts: Alert[]; total?: number }>(`/api/v1/alerts?limit=${alertLimit}`),
      this.api.get<{ workOrders: WorkOrder[] }>(`/api/v1/work-orders?limit=${orderLimit}`),
      this.api.get<{ workOrders: WorkOrder[] }>(`/api/v1/work-orders?status=open&limit=${active}`),
      this.api.get<{ workOrders: WorkOrder[] }>(`/api/v1/work-orders?status=acknowledged&limit=${active}`),
    ]);
    this.alerts.splice(0, this.alerts.length, ...alerts.alerts);
    this.alertTotal = typeof alerts.total === 'number' ? alerts.total : null;
    this.moreAlerts = alerts.alerts.length >= alertLimit;
    this.moreOrders = recent.workOrders.length >= orderLimit;
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
    const items = this.alerts.slice(0, 100).map((alert) => {
      const item = element('li', 'alert-item');
      item.dataset.alert = alert.id;
      item.append(
        element('span', 'when', moment(alert.ts)),
        element('strong', '', alert.sensor),
        element(
          'span',
          'muted',
          ` ${this.describeAsset(alert.asset)} · score ${number(alert.score, 3)} > ${number(alert.threshold, 3)}`,
        ),
      );
      item.addEventListener('click', () => this.onSelectSensor(alert.sensor));
      return item;
    });
    if (items.length === 0) items.push(element('li', 'muted', 'No alerts yet.'));
    this.feed.replaceChildren(...items);
  }

  private renderBoard(): void {
    const sorted = [...this.orders.values()].sort((a, b) => b.lastAlertAt - a.lastAlertAt);
    this.board.replaceChildren(
      ...columns.map((column) => {
        const lane = element('div', 'lane');
        const cards = sorted.filter((order) => column.statuses.includes(order.status));
        // Active orders are loaded whole; closed ones only among the most recent.
        const more = this.moreOrders && column.statuses.includes('resolved') ? '+' : '';
        lane.dataset.count = String(cards.length);
        lane.append(
          element('h3', '', `${column.title} (${cards.length.toLocaleString()}${more})`),
          ...cards.slice(0, cardsPerColumn).map((order) => this.card(order)),
        );
        return lane;
      }),
    );
  }

  private card(order: WorkOrder): HTMLElement {
    const card = element('article', `card severity-${order.severity}`);
    card.dataset.order = order.id;
    card.dataset.status = order.status;
    card.append(
      element('strong', '', this.describeAsset(order.asset)),
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
    const buttons = element('div', 'actions');
    for (const { action, label, from } of actions) {
      if (!(from as readonly string[]).includes(order.status)) continue;
      const button = element('button', '', label);
      button.type = 'button';
      button.dataset.action = action;
      button.disabled = !this.canAct;
      if (!this.canAct) button.title = 'Needs the operator role';
      button.addEventListener('click', () => {
        if (action !== 'assign') {
          void this.act(order.id, action, button, {});
          return;
        }
        // A prompt rather than a field on the card: the board is redrawn on every live event.
        const name = window.prompt('Assign to (person or crew; empty to clear)', assignee ?? '');
        if (name !== null) void this.act(order.id, action, button, { assignee: name.trim() || null });
      });
      buttons.append(button);
    }
    card.append(buttons);
    const notice = this.notices.get(order.id);
    if (notice !== undefined) card.append(element('div', 'error', notice));
    card.querySelector('strong')?.addEventListener('click', () => {
      const sensor = order.sensors[0];
      if (sensor !== undefined) this.onSelectSensor(sensor);
    });
    return card;
  }

  /**
   * Sends a verdict. When the platform refuses it because the order moved on (409: someone else
   * acted, or the page missed the change), the order is read again so the card shows its real state.
   */
  private async act(
    id: string,
    action: string,
    button: HTMLButtonElement,
    body: Record<string, unknown>,
  ): Promise<void> {
    button.disabled = true;
    this.notices.delete(id);
    const path = `/api/v1/work-orders/${encodeURIComponent(id)}`;
    try {
      this.putOrder(await this.api.post<WorkOrder>(`${path}/${action}`, body));
    } catch (error) {
      this.notices.set(id, error instanceof ApiError ? error.message : String(error));
      if (error instanceof ApiError && error.status === 409) {
        try {
          this.putOrder(await this.api.get<WorkOrder>(path));
          return;
        } catch {
          // keep the card as it is; the notice below says what was refused
        }
      }
      this.render();
    }
  }
}

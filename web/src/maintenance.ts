import { ApiError, type Api } from './api.ts';
import { dateTime, element, number, time } from './format.ts';
import { stateAlert, stateWarn } from './sensor-table.ts';
import type { Alert, WorkOrder, WorkOrderStatus } from './types.ts';

const actions = [
  { action: 'acknowledge', label: 'Acknowledge', from: ['open'] },
  { action: 'resolve', label: 'Resolve', from: ['open', 'acknowledged'] },
  { action: 'false-alarm', label: 'False alarm', from: ['open', 'acknowledged'] },
] as const;
const columns: { title: string; statuses: WorkOrderStatus[] }[] = [
  { title: 'Open', statuses: ['open'] },
  { title: 'Acknowledged', statuses: ['acknowledged'] },
  { title: 'Closed', statuses: ['resolved', 'false-alarm'] },
];

/**
 * The alert feed and the work-order board. Both are loaded once and then kept current from the
 * live stream's `alert` and `workorder` events. Actions need the operator role: for a viewer the
 * buttons are shown disabled (the API would answer 403 anyway).
 */
export class Maintenance {
  private readonly api: Api;
  private readonly canAct: boolean;
  private readonly feed: HTMLElement;
  private readonly board: HTMLElement;
  readonly alerts: Alert[] = [];
  readonly orders = new Map<string, WorkOrder>();
  onChange: () => void = () => {};
  onSelectSensor: (sensor: string) => void = () => {};
  describeAsset: (asset: string) => string = (asset) => asset;

  constructor(api: Api, canAct: boolean, feed: HTMLElement, board: HTMLElement) {
    this.api = api;
    this.canAct = canAct;
    this.feed = feed;
    this.board = board;
  }

  async load(): Promise<void> {
    const [alerts, orders] = await Promise.all([
      this.api.get<{ alerts: Alert[] }>('/api/v1/alerts?limit=200'),
      this.api.get<{ workOrders: WorkOrder[] }>('/api/v1/work-orders?limit=500'),
    ]);
    this.alerts.splice(0, this.alerts.length, ...alerts.alerts);
    this.orders.clear();
    for (const order of orders.workOrders) this.orders.set(order.id, order);
    this.render();
  }

  addAlert(alert: Alert): void {
    if (this.alerts.some((known) => known.id === alert.id)) return;
    this.alerts.unshift(alert);
    if (this.alerts.length > 500) this.alerts.length = 500;
    this.render();
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
        element('span', 'when', time(alert.ts)),
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
        const cards = sorted.filter((order) => column.statuses.includes(order.status)).slice(0, 60);
        lane.append(
          element('h3', '', `${column.title} (${cards.length})`),
          ...cards.map((order) => this.card(order)),
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
    const last = order.verdicts.at(-1);
    if (last !== undefined)
      card.append(element('div', 'muted', `${last.action} by ${last.by} at ${time(last.at)}`));
    const buttons = element('div', 'actions');
    for (const { action, label, from } of actions) {
      if (!(from as readonly string[]).includes(order.status)) continue;
      const button = element('button', '', label);
      button.type = 'button';
      button.dataset.action = action;
      button.disabled = !this.canAct;
      if (!this.canAct) button.title = 'Needs the operator role';
      button.addEventListener('click', () => void this.act(order.id, action, button));
      buttons.append(button);
    }
    card.append(buttons);
    card.querySelector('strong')?.addEventListener('click', () => {
      const sensor = order.sensors[0];
      if (sensor !== undefined) this.onSelectSensor(sensor);
    });
    return card;
  }

  private async act(id: string, action: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const order = await this.api.post<WorkOrder>(
        `/api/v1/work-orders/${encodeURIComponent(id)}/${action}`,
        {},
      );
      this.putOrder(order);
    } catch (error) {
      button.disabled = false;
      const message = error instanceof ApiError ? error.message : String(error);
      button.parentElement?.append(element('div', 'error', message));
    }
  }
}

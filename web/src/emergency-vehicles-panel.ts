import type { Api } from './api.ts';
import { element, failureText, number } from './format.ts';
import type { Whoami } from './types.ts';

/** An emergency vehicle of the live district, as `GET /api/v1/traffic` lists it. */
export interface EmergencyVehicle {
  id: string;
  from: string;
  to: string;
  route: string[];
  startedSeconds: number;
  state: 'on-its-way' | 'arrived' | 'dropped';
  at: string | null;
  prioritySeconds: number | null;
  baselineSeconds: number | null;
}

/** One line of a vehicle: where it is, and its time with priority against the baseline's. */
export function emergencyLine(
  vehicle: EmergencyVehicle,
  baseline: string,
  name: (id: string) => string = (id) => id,
): string {
  const trip = `${vehicle.id} ${name(vehicle.from)} → ${name(vehicle.to)}`;
  const seconds = (value: number | null): string => (value === null ? '…' : `${number(value, 0)} s`);
  const times = `${seconds(vehicle.prioritySeconds)} with priority, ${seconds(vehicle.baselineSeconds)} under ${baseline} without`;
  if (vehicle.state === 'on-its-way')
    return `${trip}: on its way${vehicle.at === null ? '' : `, at ${name(vehicle.at)}`}`;
  if (vehicle.state === 'dropped') return `${trip}: dropped (the simulated day started over)`;
  return `${trip}: arrived, ${times}`;
}

/**
 * Emergency vehicles sent through the live district, newest first; an operator (or admin) may send
 * one between two intersections, a viewer sees the list only.
 */
export class EmergencyVehiclesPanel {
  readonly root = element('section', 'emergency-vehicles');
  private readonly list = element('ul', 'emergency-list');
  private readonly form = element('form', 'emergency-send');
  private readonly from = element('select');
  private readonly to = element('select');
  private readonly note = element('span', 'emergency-note');
  private readonly api: Api;
  private role: Promise<boolean> | null = null;
  private intersections = '';
  private readonly button = element('button', '', 'Send emergency vehicle');
  /** Called after a vehicle was sent. */
  onSent: () => void = () => {};

  constructor(api: Api) {
    this.api = api;
    this.from.name = 'from';
    this.to.name = 'to';
    this.button.type = 'submit';
    this.from.setAttribute('aria-label', 'from intersection');
    this.to.setAttribute('aria-label', 'to intersection');
    this.note.setAttribute('role', 'status');
    this.form.append('From ', this.from, ' to ', this.to, ' ', this.button, ' ', this.note);
    this.form.hidden = true;
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send();
    });
    this.root.append(element('h3', '', 'Emergency vehicles'), this.form, this.list);
  }

  /** Shows the snapshot's vehicles and, for a role that may send, the intersections to pick from. */
  async show(
    vehicles: readonly EmergencyVehicle[] | undefined,
    intersections: readonly { id: string; label: string }[],
    baseline: string,
  ): Promise<void> {
    // The demo's own queue model has no emergency vehicles: nothing to show or send.
    this.root.hidden = vehicles === undefined;
    if (vehicles === undefined) return;
    // Intersections by their row-column label, as on the grid and in the form (bug: the list gave
    // ids, whose numbers do not match the labels); the ids stay in the item's title.
    const labels = new Map(intersections.map((junction) => [junction.id, junction.label]));
    const name = (id: string): string => labels.get(id) ?? id;
    this.list.replaceChildren(
      ...(vehicles.length === 0
        ? [element('li', 'empty', 'None sent yet.')]
        : vehicles.map((vehicle) => {
            const item = element('li', '', emergencyLine(vehicle, baseline, name));
            item.title = `${vehicle.from} → ${vehicle.to}`;
            item.dataset.state = vehicle.state;
            return item;
          })),
    );
    this.role ??= this.api
      .get<Whoami>('/api/v1/me')
      .then((who) => who.role === 'operator' || who.role === 'admin')
      .catch(() => false);
    this.form.hidden = !(await this.role);
    const ids = intersections.map((junction) => junction.id).join(',');
    if (ids === this.intersections) return;
    this.intersections = ids;
    // Row-column as on the grid above (and in the map's "Signalised intersection" names).
    const sorted = [...intersections].sort((a, b) => a.label.localeCompare(b.label, 'en', { numeric: true }));
    for (const [select, index] of [
      [this.from, 0],
      [this.to, sorted.length - 1],
    ] as const) {
      select.replaceChildren(
        ...sorted.map((junction) => {
          // The label only, as the grid shows it; the id on hover.
          const option = new Option(junction.label, junction.id);
          option.title = junction.id;
          return option;
        }),
      );
      select.selectedIndex = index;
    }
  }

  private async send(): Promise<void> {
    if (this.button.disabled) return;
    if (this.from.value === this.to.value) {
      this.say('choose two different intersections', true);
      return;
    }
    this.say('sending…', false);
    // One vehicle a click: a double click must not send two.
    this.button.disabled = true;
    try {
      const sent = await this.api.post<{ id: string; route: string[] }>(
        '/api/v1/traffic/emergency-vehicles',
        {
          from: this.from.value,
          to: this.to.value,
        },
      );
      this.say(`${sent.id} sent through ${sent.route.length} intersections`, false);
      this.onSent();
    } catch (error) {
      this.say(failureText(error), true);
    } finally {
      this.button.disabled = false;
    }
  }

  private say(text: string, failed: boolean): void {
    this.note.textContent = text;
    this.note.classList.toggle('error', failed);
  }
}

import uPlot from 'uplot';
import { ApiError, type Api } from './api.ts';
import { emergencyMarks } from './emergency-marks.ts';
import { type EmergencyVehicle, EmergencyVehiclesPanel } from './emergency-vehicles-panel.ts';
import { element, failureText, number } from './format.ts';
import { oneAtATime } from './one-at-a-time.ts';
import { timeOfDayText } from './time-of-day.ts';
import type { TrafficSnapshot } from './types.ts';

/** A movement a green lets go (`Movement` of the server's live district). */
interface Movement {
  from: 'north' | 'east' | 'south' | 'west';
  turn: 'left' | 'straight' | 'right';
}

/**
 * The live district adds to each intersection what its green lets go and whether the yellow
 * before it shows, its speed and how far the run is behind the clock; the demo's own queue model
 * (2 phases: 0 north–south, 1 east–west) gives none of them.
 */
type Snapshot = Omit<TrafficSnapshot, 'intersections'> & {
  intersections: (TrafficSnapshot['intersections'][number] & { yellow?: boolean; movements?: Movement[] })[];
  speed?: number;
  behindSeconds?: number;
  emergencyVehicles?: EmergencyVehicle[];
};

/** Arrows of the way vehicles travel, by the side they come from. */
const travelArrows: Record<Movement['from'], string> = { west: '→', east: '←', south: '↑', north: '↓' };
const queueModelArrows = ['↕', '↔'];

/** A short symbol of a green: ↔ / ↕ for both ways of an axis, an arrow per single approach, ↰ for left turns. */
export function greenSymbol(movements: readonly Movement[]): string {
  const symbol = (turn: Movement['turn']): string => {
    const sides = new Set(movements.filter((m) => m.turn === turn).map((m) => m.from));
    if (sides.size === 0) return '';
    if (sides.size === 2 && sides.has('west') && sides.has('east')) return '↔';
    if (sides.size === 2 && sides.has('north') && sides.has('south')) return '↕';
    return [...sides].map((side) => travelArrows[side]).join('');
  };
  const straight = symbol('straight');
  const left = symbol('left');
  return left === '' ? straight : `${straight}${straight === left ? '' : left}↰`;
}

/** The green in words: "straight from west and east, left from west". */
export function greenWords(movements: readonly Movement[]): string {
  const parts = (['straight', 'left', 'right'] as const).flatMap((turn) => {
    const sides = movements.filter((m) => m.turn === turn).map((m) => m.from);
    return sides.length === 0 ? [] : [`${turn} from ${sides.join(' and ')}`];
  });
  return parts.length === 0 ? 'no green yet' : parts.join(', ');
}

/** An intersection's name on the grid and in the form: row-column from the north-west, from 1. */
function junctionLabel(junction: { row: number; column: number }): string {
  return `${junction.row + 1}-${junction.column + 1}`;
}

/** What the grid's marks mean, as the cells show them without hovering. */
function trafficLegend(): HTMLElement {
  const legend = element('p', 'traffic-legend muted');
  legend.append(
    'Each cell is an intersection, named row-column from the north-west. ',
    element('span', 'legend-mark', '→ ↔ ↕'),
    ' where its green lets vehicles go (↰ left turns); ',
    element('span', 'legend-mark', '▂ 12'),
    ' vehicles waiting; ',
    element('span', 'legend-mark legend-yellow', '▢'),
    ' yellow before the next green; ',
    element('span', 'legend-mark legend-emergency', '✚'),
    ' an emergency vehicle (dimmed: arrived there a moment ago). Hover a cell for its phase in words.',
  );
  return legend;
}

/** The traffic view: a schematic of the signalised district (phase, queue) and travel time against the baseline. */
export class TrafficView {
  private readonly host: HTMLElement;
  private readonly api: Api;
  private plot: uPlot | null = null;
  private readonly summary = element('p', 'summary');
  /** The simulated time of day and its demand: why queues grow or shrink. */
  private readonly clock = element('p', 'time-of-day muted');
  private readonly grid = element('div', 'junctions');
  private readonly legend = trafficLegend();
  private readonly chart = element('div', 'chart');
  private readonly emergency: EmergencyVehiclesPanel;

  constructor(host: HTMLElement, api: Api) {
    this.host = host;
    this.api = api;
    this.emergency = new EmergencyVehiclesPanel(api);
    // A vehicle sent shows at once, not at the next poll.
    this.emergency.onSent = () => void this.refresh();
    host.replaceChildren(this.summary, this.clock, this.chart, this.grid, this.legend, this.emergency.root);
    // The chart follows the panel's width (a window resized, a phone turned).
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: 200 })).observe(host);
  }

  private width(): number {
    return Math.max(280, this.host.clientWidth);
  }

  /** Reads the district again and redraws it; a call while a read is under way joins it. */
  readonly refresh = oneAtATime(() => this.load());

  private async load(): Promise<void> {
    let snapshot: Snapshot;
    try {
      snapshot = await this.api.get<Snapshot>('/api/v1/traffic');
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        // No district on this platform (started without the demo city): nothing to draw or send.
        this.summary.textContent =
          'No live traffic district runs on this platform: the demo city brings one.';
        this.emergency.root.hidden = true;
        this.legend.hidden = true;
        this.clock.hidden = true;
        this.grid.replaceChildren();
        return;
      }
      this.summary.textContent = `Traffic unavailable: ${failureText(error)}`;
      return;
    }
    this.legend.hidden = false;
    this.summary.replaceChildren(...this.summaryOf(snapshot));
    // A given flow's demand has no time of day (null).
    const timeOfDay = snapshot.timeOfDay ?? null;
    this.clock.hidden = timeOfDay === null;
    this.clock.textContent = timeOfDay === null ? '' : timeOfDayText(timeOfDay, snapshot.speed);
    this.host.dataset.intersections = String(snapshot.intersections.length);
    this.renderJunctions(snapshot);
    this.renderChart(snapshot);
    await this.emergency.show(
      snapshot.emergencyVehicles,
      snapshot.intersections.map((junction) => ({ id: junction.id, label: junctionLabel(junction) })),
      snapshot.baseline,
    );
  }

  private summaryOf(snapshot: Snapshot): HTMLElement[] {
    const simulated = `simulated ${Math.round(snapshot.timeSeconds / 60)} min`;
    const behind = snapshot.behindSeconds ?? 0;
    // The run falls behind when the CPU cannot keep up, and skips ahead a minute (wall time) later.
    const lag = behind >= 60 ? `, ${Math.round(behind / 60)} simulated min behind the clock` : '';
    if (!(snapshot.baselineTravelSeconds > 0))
      return [
        element(
          'span',
          '',
          `No vehicle in the district yet (${snapshot.controller} control); ${simulated}${lag}.`,
        ),
      ];
    const gain = 1 - snapshot.averageTravelSeconds / snapshot.baselineTravelSeconds;
    return [
      element('strong', '', `${number(snapshot.averageTravelSeconds, 0)} s`),
      element('span', '', ` average travel time with ${snapshot.controller} control, against `),
      element('strong', '', `${number(snapshot.baselineTravelSeconds, 0)} s`),
      element(
        'span',
        '',
        ` with ${snapshot.baseline} (${number(100 * Math.abs(gain), 1)} % ${gain >= 0 ? 'less' : 'more'} time); ${simulated}${lag}.`,
      ),
    ];
  }

  private renderJunctions(snapshot: Snapshot): void {
    // Where emergency vehicles are now, and where those that just arrived ended their trips.
    const marks = emergencyMarks(snapshot.emergencyVehicles ?? [], snapshot.timeSeconds, snapshot.speed);
    const columns = Math.max(1, ...snapshot.intersections.map((junction) => junction.column + 1));
    this.grid.style.gridTemplateColumns = `repeat(${columns}, 1fr)`;
    const maxQueue = Math.max(10, ...snapshot.intersections.map((junction) => junction.queue));
    this.grid.replaceChildren(
      ...snapshot.intersections.map((junction) => {
        const cell = element('div', 'junction');
        cell.style.gridRow = String(junction.row + 1);
        cell.style.gridColumn = String(junction.column + 1);
        const movements = junction.movements;
        const green = movements === undefined ? '' : `: ${greenWords(movements)}`;
        const yellow = junction.yellow === true ? 'yellow, then ' : '';
        const label = junctionLabel(junction);
        // Phase -1: the controller has not chosen one yet.
        const phase =
          junction.phase < 0 ? 'no phase yet' : `phase ${junction.phase + 1}/${junction.phaseCount}`;
        const waiting = `${junction.queue} ${junction.queue === 1 ? 'vehicle' : 'vehicles'} waiting`;
        cell.title = `Intersection ${label} (${junction.id}): ${yellow}${phase}${green}; ${waiting}`;
        cell.dataset.phase = String(junction.phase);
        if (junction.yellow === true) {
          cell.dataset.yellow = '';
          cell.style.borderColor = '#f0c400';
        }
        const bar = element('div', 'queue');
        bar.style.height = `${Math.round((100 * junction.queue) / maxQueue)}%`;
        const symbol =
          movements === undefined ? (queueModelArrows[junction.phase] ?? '•') : greenSymbol(movements) || '•';
        const mark = element('span', 'phase', symbol);
        if (junction.yellow === true) mark.style.color = '#f0c400';
        cell.append(
          bar,
          mark,
          element('span', 'count', String(junction.queue)),
          element('span', 'name', label),
        );
        const { here = [], arrived = [] } = marks.get(junction.id) ?? {};
        if (here.length > 0) {
          cell.dataset.emergency = here.join(' ');
          cell.title += `; emergency vehicle ${here.join(', ')} here`;
        }
        if (arrived.length > 0) {
          cell.dataset.arrived = arrived.join(' ');
          cell.title += `; emergency vehicle ${arrived.join(', ')} arrived here`;
        }
        // One mark a cell: bright while one is here, dimmed for those that just arrived.
        if (here.length > 0 || arrived.length > 0)
          cell.append(element('span', here.length > 0 ? 'emergency' : 'emergency arrived', '✚'));
        return cell;
      }),
    );
  }

  private renderChart(snapshot: Snapshot): void {
    const data: uPlot.AlignedData = [
      snapshot.history.map((point) => point.ts / 1000),
      snapshot.history.map((point) => point.adaptive),
      snapshot.history.map((point) => point.baseline),
    ];
    if (this.plot !== null) {
      this.plot.setData(data);
      return;
    }
    this.plot = new uPlot(
      {
        width: this.width(),
        height: 200,
        axes: [
          // A point every 5 simulated minutes (`history`), drawn at the wall-clock time it was taken.
          { stroke: '#aab', grid: { stroke: '#2a2f3a' }, label: 'wall-clock time', labelSize: 20 },
          { stroke: '#aab', grid: { stroke: '#2a2f3a' }, label: 'travel time (s)', size: 60 },
        ],
        series: [
          {},
          { label: snapshot.controller, stroke: '#2fbf71', width: 2 },
          { label: snapshot.baseline, stroke: '#f0a202', width: 2, dash: [6, 4] },
        ],
      },
      data,
      this.chart,
    );
  }
}

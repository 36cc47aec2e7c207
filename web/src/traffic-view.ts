import uPlot from 'uplot';
import type { Api } from './api.ts';
import { element, number } from './format.ts';
import type { TrafficSnapshot } from './types.ts';

const phaseArrows = ['↕', '↔', '↰', '↱', '⟲', '⟳', '•', '•'];

/** The traffic view: a schematic of the signalised district (phase, queue) and travel time against the baseline. */
export class TrafficView {
  private readonly host: HTMLElement;
  private readonly api: Api;
  private plot: uPlot | null = null;
  private readonly summary = element('p', 'summary');
  private readonly grid = element('div', 'junctions');
  private readonly chart = element('div', 'chart');

  constructor(host: HTMLElement, api: Api) {
    this.host = host;
    this.api = api;
    host.replaceChildren(this.summary, this.chart, this.grid);
  }

  async refresh(): Promise<void> {
    let snapshot: TrafficSnapshot;
    try {
      snapshot = await this.api.get<TrafficSnapshot>('/api/v1/traffic');
    } catch (error) {
      this.summary.textContent = `Traffic unavailable: ${(error as Error).message}`;
      return;
    }
    const gain = 1 - snapshot.averageTravelSeconds / snapshot.baselineTravelSeconds;
    this.summary.replaceChildren(
      element('strong', '', `${number(snapshot.averageTravelSeconds, 0)} s`),
      element('span', '', ` average travel time with ${snapshot.controller} control, against `),
      element('strong', '', `${number(snapshot.baselineTravelSeconds, 0)} s`),
      element(
        'span',
        '',
        ` with ${snapshot.baseline} (${number(100 * gain, 1)} % ${gain >= 0 ? 'faster' : 'slower'}); simulated ${Math.round(snapshot.timeSeconds / 60)} min.`,
      ),
    );
    this.host.dataset.intersections = String(snapshot.intersections.length);
    this.renderJunctions(snapshot);
    this.renderChart(snapshot);
  }

  private renderJunctions(snapshot: TrafficSnapshot): void {
    const columns = Math.max(1, ...snapshot.intersections.map((junction) => junction.column + 1));
    this.grid.style.gridTemplateColumns = `repeat(${columns}, 1fr)`;
    const maxQueue = Math.max(10, ...snapshot.intersections.map((junction) => junction.queue));
    this.grid.replaceChildren(
      ...snapshot.intersections.map((junction) => {
        const cell = element('div', 'junction');
        cell.style.gridRow = String(junction.row + 1);
        cell.style.gridColumn = String(junction.column + 1);
        cell.title = `${junction.id}: phase ${junction.phase + 1}/${junction.phaseCount}, ${junction.queue} vehicles waiting`;
        const bar = element('div', 'queue');
        bar.style.height = `${Math.round((100 * junction.queue) / maxQueue)}%`;
        cell.append(
          bar,
          element('span', 'phase', phaseArrows[junction.phase] ?? String(junction.phase)),
          element('span', 'count', String(junction.queue)),
        );
        return cell;
      }),
    );
  }

  private renderChart(snapshot: TrafficSnapshot): void {
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
        width: Math.max(280, this.host.clientWidth),
        height: 200,
        axes: [
          { stroke: '#aab', grid: { stroke: '#2a2f3a' } },
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

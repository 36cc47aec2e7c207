import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { ApiError, type Api } from './api.ts';
import { element, moment } from './format.ts';
import { seriesWithGaps } from './series.ts';
import { roundedStep } from './step.ts';
import type { Alert, EvidencePoint, SeriesPoint } from './types.ts';

export interface ChartData {
  points: SeriesPoint[];
  scores: EvidencePoint[];
  alerts: Alert[];
}

/**
 * A sensor's series in uPlot, read through the downsampling query API: the step is the range divided
 * by the chart's width in pixels, so a day or a minute costs the same. Dragging selects a range and
 * refetches it at finer resolution; a double-click goes back to the chosen range. The detector's
 * score is a second series on its own 0–1 axis, and alerts are red vertical marks. A range without
 * readings says so above the chart, and an outage breaks the line (`seriesWithGaps`).
 */
export class SensorChart {
  private readonly host: HTMLElement;
  private readonly api: Api;
  private plot: uPlot | null = null;
  private sensor = '';
  private unit = '';
  private rangeMillis = 3_600_000;
  /** Explicit [from, to] after a zoom; null while following the present. */
  private zoomed: [number, number] | null = null;
  private alerts: Alert[] = [];
  /** The [from, to] of the last answer, in epoch milliseconds: exactly the span of the x-axis. */
  private window: [number, number] = [0, 1];
  /** The sensor of the last answer (the one drawn; `sensor` may already be the next). */
  private drawnSensor = '';
  private request = 0;
  /** The load under way, if any: a refresh waits for it rather than overtaking it. */
  private loading: Promise<void> | null = null;
  /** Sensors whose scores the platform does not have (404): asked again only when chosen again. */
  private readonly unscored = new Set<string>();
  /** Set when the platform serves no scores at all (501, an API process of a cluster). */
  private scoresServed = true;
  /** Says when the range shown holds no reading. */
  private readonly note = element('p', 'chart-note muted');
  /** Points in the last answer, for tests. */
  pointCount = 0;
  /** Told when a drag zooms in (true) and when the chart follows the present again (false). */
  onZoom: (zoomed: boolean) => void = () => {};

  constructor(host: HTMLElement, api: Api) {
    this.host = host;
    this.api = api;
    this.note.hidden = true;
    host.before(this.note);
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(host);
  }

  async show(sensor: string, unit: string): Promise<void> {
    this.sensor = sensor;
    this.unit = unit;
    this.zoomed = null;
    this.unscored.delete(sensor);
    await this.load();
  }

  /** The range followed, in milliseconds up to now. */
  get range(): number {
    return this.rangeMillis;
  }

  /** Follows the last `rangeMillis`; when it cannot be loaded the range shown is kept, and said so. */
  async setRange(rangeMillis: number): Promise<void> {
    const shown = this.rangeMillis;
    this.rangeMillis = rangeMillis;
    this.zoomed = null;
    try {
      await this.load();
    } catch (error) {
      if (this.rangeMillis === rangeMillis) this.rangeMillis = shown;
      throw error;
    }
  }

  /**
   * Reloads the following view (called on a timer and when an alert arrives). Not while a load is
   * under way: were each refresh to overtake the last, answers slower than the timer would all be
   * dropped and the chart never drawn.
   */
  async refresh(): Promise<void> {
    if (this.sensor !== '' && this.zoomed === null && this.loading === null) await this.load();
  }

  setAlerts(alerts: Alert[]): void {
    this.alerts = alerts;
    this.plot?.redraw(false);
  }

  /** Loads and draws the view; a newer load (another sensor, range or zoom) overtakes this one. */
  private load(): Promise<void> {
    const loading = this.fetchAndDraw().finally(() => {
      if (this.loading === loading) this.loading = null;
    });
    this.loading = loading;
    return loading;
  }

  private async fetchAndDraw(): Promise<void> {
    const request = ++this.request;
    const [from, to] = this.zoomed ?? [Date.now() - this.rangeMillis, Date.now()];
    const stepMillis = roundedStep(Math.ceil((to - from) / Math.max(100, this.size().width)));
    const sensor = this.sensor;
    const id = encodeURIComponent(sensor);
    let answers: [{ points: SeriesPoint[] }, { points: EvidencePoint[] }];
    try {
      answers = await Promise.all([
        this.api.get<{ points: SeriesPoint[] }>(
          `/api/v1/sensors/${id}/readings?from=${Math.floor(from)}&to=${Math.ceil(to)}&step=${stepMillis}&agg=avg`,
        ),
        this.scores(sensor, from, to),
      ]);
    } catch (error) {
      // Bug: a failed load left the chart as it was, without a word.
      if (request === this.request) {
        this.note.hidden = false;
        this.note.textContent = `Could not load the chart (${(error as Error).message}): it shows what was loaded before.`;
      }
      throw error;
    }
    const [series, scores] = answers;
    if (request !== this.request) return; // a newer request won
    this.window = [from, to];
    this.drawnSensor = sensor;
    const lines: string[] = [];
    if (series.points.length === 0) lines.push(`No readings between ${moment(from)} and ${moment(to)}.`);
    // A zoom holds the view still: it says so, and how to follow the present again.
    if (this.zoomed !== null)
      lines.push('Zoomed in, not following new readings: double-click the chart or choose a range.');
    this.note.hidden = lines.length === 0;
    this.note.textContent = lines.join(' ');
    this.render({ points: series.points, scores: scores.points, alerts: this.alerts }, stepMillis);
  }

  /** The detector's scores, or none; a sensor without them is not asked again on every refresh. */
  private async scores(sensor: string, from: number, to: number): Promise<{ points: EvidencePoint[] }> {
    if (!this.scoresServed || this.unscored.has(sensor)) return { points: [] };
    const path = `/api/v1/sensors/${encodeURIComponent(sensor)}/scores?from=${Math.floor(from)}&to=${Math.ceil(to)}`;
    try {
      return await this.api.get<{ points: EvidencePoint[] }>(path);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.unscored.add(sensor);
      if (error instanceof ApiError && error.status === 501) this.scoresServed = false;
      return { points: [] };
    }
  }

  /** What the chart shows now (for tests): the y-axis unit and the x-axis span in epoch milliseconds. */
  shown(): { sensor: string; unit: string; fromMillis: number; toMillis: number } | null {
    const plot = this.plot;
    if (plot === null) return null;
    const { min, max } = plot.scales.x ?? {};
    return {
      sensor: this.drawnSensor,
      unit: String(plot.axes[1]?.label ?? ''),
      fromMillis: (min ?? NaN) * 1000,
      toMillis: (max ?? NaN) * 1000,
    };
  }

  private render(data: ChartData, stepMillis: number): void {
    const { xs, values, origins } = seriesWithGaps(data.points, stepMillis);
    // Scores come per reading; show the highest in each bucket of the chart.
    const scoreByBucket = new Map<number, number>();
    for (const point of data.scores) {
      const bucket = Math.floor(point.ts / stepMillis) * stepMillis;
      scoreByBucket.set(bucket, Math.max(scoreByBucket.get(bucket) ?? 0, point.score));
    }
    const scores = origins.map((origin) => {
      const point = data.points[origin];
      return point === undefined
        ? null
        : (scoreByBucket.get(Math.floor(point.ts / stepMillis) * stepMillis) ?? null);
    });
    this.pointCount = data.points.length;
    this.host.dataset.points = String(data.points.length);
    const aligned: uPlot.AlignedData = [xs, values, scores];
    if (this.plot !== null && this.plot.axes[1]?.label === this.unit) {
      this.plot.setData(aligned);
      return;
    }
    // The unit is part of the axes: another sensor's unit needs a new plot.
    this.plot?.destroy();
    this.plot = new uPlot(this.options(), aligned, this.host);
    this.plot.over.addEventListener('dblclick', () => {
      this.zoomed = null;
      this.onZoom(false);
      void this.load();
    });
  }

  private options(): uPlot.Options {
    return {
      ...this.size(),
      cursor: { drag: { x: true, y: false, setScale: false } },
      // The x-axis spans the requested range whatever the data covers (a sparse series, a gap).
      scales: {
        x: { time: true, range: () => [this.window[0] / 1000, this.window[1] / 1000] },
        score: { range: [0, 1] },
      },
      axes: [
        { stroke: '#aab', grid: { stroke: '#2a2f3a' } },
        { stroke: '#aab', grid: { stroke: '#2a2f3a' }, label: this.unit, size: 60 },
        { scale: 'score', side: 1, stroke: '#c9a', grid: { show: false }, label: 'score', size: 40 },
      ],
      series: [
        {},
        { label: 'value', stroke: '#4aa8ff', width: 1.5, spanGaps: false },
        {
          label: 'detector score',
          scale: 'score',
          stroke: '#e07be0',
          width: 1,
          points: { show: true, size: 3 },
        },
      ],
      hooks: {
        setSelect: [
          (plot) => {
            if (plot.select.width < 3) return;
            const from = plot.posToVal(plot.select.left, 'x') * 1000;
            const to = plot.posToVal(plot.select.left + plot.select.width, 'x') * 1000;
            plot.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            this.zoomed = [from, to];
            this.onZoom(true);
            void this.load();
          },
        ],
        draw: [(plot) => this.drawAlerts(plot)],
      },
    };
  }

  private drawAlerts(plot: uPlot): void {
    const context = plot.ctx;
    context.save();
    context.strokeStyle = '#ff3b3b';
    context.lineWidth = 2 * devicePixelRatio;
    for (const alert of this.alerts) {
      if (alert.sensor !== this.sensor) continue;
      const x = plot.valToPos(alert.ts / 1000, 'x', true);
      if (x < plot.bbox.left || x > plot.bbox.left + plot.bbox.width) continue;
      context.beginPath();
      context.moveTo(x, plot.bbox.top);
      context.lineTo(x, plot.bbox.top + plot.bbox.height);
      context.stroke();
    }
    context.restore();
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(280, this.host.clientWidth), height: 260 };
  }
}

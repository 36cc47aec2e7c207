import { clearArea, type Box } from './framing.ts';
import type { Projection } from './projection.ts';
import { stateAlert, stateIdle, stateOk, stateWarn, type SensorTable } from './sensor-table.ts';
import { SpatialGrid } from './spatial-grid.ts';
import type { CityMap } from './types.ts';

/** The closest zoom: a metre 10 CSS pixels wide. */
const maxPixelsPerMetre = 10;

const stateColours: Record<number, string> = {
  [stateIdle]: '#5b6473',
  [stateOk]: '#2fbf71',
  [stateWarn]: '#f0a202',
  [stateAlert]: '#ff3b3b',
};
/** The same colours as 32-bit RGBA words in little-endian byte order, for direct pixel writes. */
const statePixels = Object.fromEntries(
  Object.entries(stateColours).map(([state, colour]) => {
    const value = Number.parseInt(colour.slice(1), 16);
    const red = (value >> 16) & 255;
    const green = (value >> 8) & 255;
    const blue = value & 255;
    return [state, (0xff000000 | (blue << 16) | (green << 8) | red) >>> 0];
  }),
) as Record<number, number>;
const roadStyles: Record<string, { colour: string; widthPixels: number; minWidthMetres: number }> = {
  river: { colour: '#1c4e80', widthPixels: 6, minWidthMetres: 60 },
  ring: { colour: '#8a7a52', widthPixels: 3, minWidthMetres: 14 },
  avenue: { colour: '#6d6f78', widthPixels: 2, minWidthMetres: 10 },
  street: { colour: '#3a3f4b', widthPixels: 1, minWidthMetres: 6 },
};
/** A sensor that has not reported for this long is drawn as idle. */
export const staleMillis = 60_000;
/**
 * Time alone turns a silent sensor idle: the map is redrawn this often even when no reading comes
 * (bug: with the platform out of reach, every sensor stayed green).
 */
const agingRedrawMillis = 5_000;

/**
 * The city map: roads as cached world-space paths on the base canvas; sensors written in one pass
 * as pixels into an ImageData on an overlay canvas (50,000 squares cost about as much as a few
 * hundred path calls); pan (drag) and zoom (wheel) around the pointer, picking by spatial grid.
 */
export class MapView {
  readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly overlay: HTMLCanvasElement;
  private readonly overlayContext: CanvasRenderingContext2D;
  private pixels: ImageData | null = null;
  private words = new Uint32Array(0);
  private readonly roads = new Map<string, Path2D>();
  private table: SensorTable | null = null;
  private grid: SpatialGrid | null = null;
  private scale = 1;
  /** The scale that frames the whole city: zooming out stops at a quarter of it. */
  private fitScale = 0.002;
  private centreX = 0;
  private centreY = 0;
  private dirty = true;
  private drawnVersion = -1;
  private selected = -1;
  private lastDrawMillis = 0;
  readonly hiddenTypes = new Set<number>();
  /** Sensors drawn by the last frame (filtered, in view). */
  drawnCount = 0;
  /** `performance.now()` when sensors were first on screen: the first meaningful paint. */
  firstSensorsDrawnAt: number | null = null;
  /** Durations of recent frames in milliseconds, for the benchmark. */
  readonly frameMillis: number[] = [];
  /** Elements drawn over the map (filters, legend, buttons): the city is framed clear of them. */
  covers: HTMLElement[] = [];
  /** Whether the view still frames the whole city (no pan or zoom since): a resize frames it again. */
  private framed = true;
  onPick: (index: number) => void = () => {};
  onHover: (index: number, clientX: number, clientY: number) => void = () => {};

  constructor(canvas: HTMLCanvasElement) {
    this.canvas = canvas;
    const context = canvas.getContext('2d', { alpha: false });
    if (context === null) throw new Error('no 2D canvas');
    this.context = context;
    this.overlay = document.createElement('canvas');
    this.overlay.className = 'map-overlay';
    canvas.after(this.overlay);
    const overlayContext = this.overlay.getContext('2d');
    if (overlayContext === null) throw new Error('no 2D canvas');
    this.overlayContext = overlayContext;
    this.listen();
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
    const frame = (): void => {
      this.frame();
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  setCity(map: CityMap, projection: Projection): void {
    this.roads.clear();
    for (const feature of map.roads.features) {
      const path = this.roads.get(feature.properties.class) ?? new Path2D();
      feature.geometry.coordinates.forEach(([lon, lat], index) => {
        if (index === 0) path.moveTo(projection.x(lon), projection.y(lat));
        else path.lineTo(projection.x(lon), projection.y(lat));
      });
      this.roads.set(feature.properties.class, path);
    }
    this.dirty = true;
  }

  setSensors(table: SensorTable): void {
    this.table = table;
    this.grid = new SpatialGrid(table.x, table.y, 60);
    this.fit();
  }

  /** Frames the whole city in the part of the map that no overlay covers. */
  fit(): void {
    const table = this.table;
    if (table === null || table.count === 0) return;
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let index = 0; index < table.count; index += 1) {
      minX = Math.min(minX, table.x[index] as number);
      maxX = Math.max(maxX, table.x[index] as number);
      minY = Math.min(minY, table.y[index] as number);
      maxY = Math.max(maxY, table.y[index] as number);
    }
    const { width, height } = this.cssSize();
    const spanX = Math.max(1, maxX - minX);
    const spanY = Math.max(1, maxY - minY);
    const area = clearArea(width, height, this.coverBoxes(), spanX, spanY);
    const marginPixels = 8;
    this.scale = Math.max(
      0.002,
      Math.min(
        (area.right - area.left - 2 * marginPixels) / spanX,
        (area.bottom - area.top - 2 * marginPixels) / spanY,
      ),
    );
    this.fitScale = this.scale;
    // The city's middle goes to the middle of the clear area, not of the canvas.
    this.centreX = (minX + maxX) / 2 - ((area.left + area.right) / 2 - width / 2) / this.scale;
    this.centreY = (minY + maxY) / 2 - ((area.top + area.bottom) / 2 - height / 2) / this.scale;
    this.framed = true;
    this.dirty = true;
  }

  /** The overlays' boxes in the canvas's CSS pixels, each with a small gap around it. */
  private coverBoxes(): Box[] {
    const canvas = this.canvas.getBoundingClientRect();
    const gapPixels = 4;
    return this.covers
      .map((cover) => cover.getBoundingClientRect())
      .filter((box) => box.width > 0 && box.height > 0)
      .map((box) => ({
        left: box.left - canvas.left - gapPixels,
        top: box.top - canvas.top - gapPixels,
        right: box.right - canvas.left + gapPixels,
        bottom: box.bottom - canvas.top + gapPixels,
      }));
  }

  /** Zooms around the middle of the map (the zoom buttons; a wheel zooms around the pointer). */
  zoomBy(factor: number): void {
    const rect = this.canvas.getBoundingClientRect();
    this.zoomAt(factor, rect.left + rect.width / 2, rect.top + rect.height / 2);
  }

  select(index: number): void {
    this.selected = index;
    this.dirty = true;
  }

  invalidate(): void {
    this.dirty = true;
  }

  /** Moves the view by a number of CSS pixels (what a drag does). */
  panBy(dxPixels: number, dyPixels: number): void {
    if (dxPixels === 0 && dyPixels === 0) return;
    this.framed = false;
    this.centreX -= dxPixels / this.scale;
    this.centreY -= dyPixels / this.scale;
    this.dirty = true;
  }

  zoomAt(factor: number, clientX: number, clientY: number): void {
    const rect = this.canvas.getBoundingClientRect();
    const [wx, wy] = this.toWorld(clientX - rect.left, clientY - rect.top);
    this.framed = false;
    // From a quarter of the whole city to 10 pixels a metre (sensors of one asset sit metres apart).
    const least = Math.min(maxPixelsPerMetre, this.fitScale / 4);
    this.scale = Math.min(maxPixelsPerMetre, Math.max(least, this.scale * factor));
    const [nx, ny] = this.toWorld(clientX - rect.left, clientY - rect.top);
    this.centreX += wx - nx;
    this.centreY += wy - ny;
    this.dirty = true;
  }

  /** Where sensor `index` is on the page (client coordinates), for tests and the hover box. */
  clientPosition(index: number): { x: number; y: number } | null {
    const table = this.table;
    if (table === null || index < 0 || index >= table.count) return null;
    const rect = this.canvas.getBoundingClientRect();
    const [sx, sy] = this.toScreen(table.x[index] as number, table.y[index] as number);
    return { x: rect.left + sx, y: rect.top + sy };
  }

  pick(clientX: number, clientY: number): number {
    const table = this.table;
    if (table === null || this.grid === null) return -1;
    const rect = this.canvas.getBoundingClientRect();
    const [wx, wy] = this.toWorld(clientX - rect.left, clientY - rect.top);
    return this.grid.nearest(
      wx,
      wy,
      8 / this.scale,
      table.x,
      table.y,
      (index) => !this.hiddenTypes.has(table.typeIndex[index] as number),
    );
  }

  private frame(): void {
    const table = this.table;
    const now = performance.now();
    // Readings only change colours (idle → reporting): at most 4 redraws a second for them.
    const stale = table !== null && table.version !== this.drawnVersion && now - this.lastDrawMillis > 250;
    const aged = table !== null && now - this.lastDrawMillis > agingRedrawMillis;
    if (!this.dirty && !stale && !aged) return;
    this.dirty = false;
    this.drawnVersion = table?.version ?? -1;
    this.lastDrawMillis = now;
    this.draw();
    this.frameMillis.push(performance.now() - now);
    if (this.frameMillis.length > 600) this.frameMillis.splice(0, 300);
  }

  private draw(): void {
    const context = this.context;
    const ratio = window.devicePixelRatio || 1;
    const { width, height } = this.cssSize();
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.fillStyle = '#12151c';
    context.fillRect(0, 0, width, height);
    // Roads: world-space paths under one transform; line widths stay readable at every zoom.
    context.save();
    context.setTransform(
      ratio * this.scale,
      0,
      0,
      ratio * this.scale,
      ratio * (width / 2 - this.centreX * this.scale),
      ratio * (height / 2 - this.centreY * this.scale),
    );
    context.lineCap = 'round';
    context.lineJoin = 'round';
    for (const name of ['river', 'street', 'avenue', 'ring']) {
      const path = this.roads.get(name);
      const style = roadStyles[name];
      if (path === undefined || style === undefined) continue;
      context.strokeStyle = style.colour;
      context.lineWidth = Math.max(
        style.widthPixels / this.scale,
        Math.min(style.minWidthMetres, 40 / this.scale),
      );
      context.stroke(path);
    }
    context.restore();
    this.drawSensors(width, height);
  }

  private drawSensors(width: number, height: number): void {
    const table = this.table;
    const pixels = this.pixels;
    if (table === null || pixels === null) return;
    const ratio = window.devicePixelRatio || 1;
    const deviceWidth = pixels.width;
    const deviceHeight = pixels.height;
    const words = this.words;
    words.fill(0);
    const size = Math.max(3, Math.round(Math.min(8, 2 + this.scale * 4) * ratio));
    const half = size >> 1;
    const now = Date.now();
    const scale = this.scale * ratio;
    const offsetX = (width / 2 - this.centreX * this.scale) * ratio - half;
    const offsetY = (height / 2 - this.centreY * this.scale) * ratio - half;
    const flagged: number[] = [];
    let drawn = 0;
    let reporting = 0;
    const square = (index: number, colour: number): void => {
      const left = Math.round((table.x[index] as number) * scale + offsetX);
      const top = Math.round((table.y[index] as number) * scale + offsetY);
      if (left + size <= 0 || top + size <= 0 || left >= deviceWidth || top >= deviceHeight) return;
      const fromX = Math.max(0, left);
      const toX = Math.min(deviceWidth, left + size);
      const toY = Math.min(deviceHeight, top + size);
      for (let y = Math.max(0, top); y < toY; y += 1)
        words.fill(colour, y * deviceWidth + fromX, y * deviceWidth + toX);
      drawn += 1;
    };
    for (let index = 0; index < table.count; index += 1) {
      if (this.hiddenTypes.size > 0 && this.hiddenTypes.has(table.typeIndex[index] as number)) continue;
      const state = table.state(index, now, staleMillis);
      if (state === stateOk) reporting += 1;
      if (state >= stateWarn) flagged.push(index);
      else square(index, statePixels[state] as number);
    }
    // Sensors with a work order go last, alerting ones on top, so that nothing hides them.
    for (const state of [stateWarn, stateAlert]) {
      for (const index of flagged)
        if (table.state(index, now, staleMillis) === state) square(index, statePixels[state] as number);
    }
    this.overlayContext.putImageData(pixels, 0, 0);
    this.drawnCount = drawn;
    if (drawn > 0 && this.firstSensorsDrawnAt === null) this.firstSensorsDrawnAt = performance.now();
    this.canvas.dataset.drawn = String(drawn);
    this.canvas.dataset.reporting = String(reporting);
    if (this.selected >= 0) {
      const context = this.overlayContext;
      const [sx, sy] = this.toScreen(table.x[this.selected] as number, table.y[this.selected] as number);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.strokeStyle = '#ffffff';
      context.lineWidth = 2;
      context.beginPath();
      context.arc(sx, sy, size / ratio + 6, 0, 2 * Math.PI);
      context.stroke();
    }
  }

  private toScreen(x: number, y: number): [number, number] {
    const { width, height } = this.cssSize();
    return [(x - this.centreX) * this.scale + width / 2, (y - this.centreY) * this.scale + height / 2];
  }

  private toWorld(sx: number, sy: number): [number, number] {
    const { width, height } = this.cssSize();
    return [(sx - width / 2) / this.scale + this.centreX, (sy - height / 2) / this.scale + this.centreY];
  }

  private cssSize(): { width: number; height: number } {
    return { width: this.canvas.clientWidth || 1, height: this.canvas.clientHeight || 1 };
  }

  private resize(): void {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(this.canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(this.canvas.clientHeight * ratio));
    this.canvas.width = width;
    this.canvas.height = height;
    this.overlay.width = width;
    this.overlay.height = height;
    this.pixels = this.overlayContext.createImageData(width, height);
    this.words = new Uint32Array(this.pixels.data.buffer);
    this.dirty = true;
    if (this.framed) this.fit();
  }

  private listen(): void {
    let dragging: { x: number; y: number; moved: number } | null = null;
    this.canvas.addEventListener('pointerdown', (event) => {
      dragging = { x: event.clientX, y: event.clientY, moved: 0 };
      this.canvas.setPointerCapture(event.pointerId);
    });
    this.canvas.addEventListener('pointermove', (event) => {
      if (dragging !== null) {
        const dx = event.clientX - dragging.x;
        const dy = event.clientY - dragging.y;
        dragging = {
          x: event.clientX,
          y: event.clientY,
          moved: dragging.moved + Math.abs(dx) + Math.abs(dy),
        };
        this.panBy(dx, dy);
        return;
      }
      this.onHover(this.pick(event.clientX, event.clientY), event.clientX, event.clientY);
    });
    this.canvas.addEventListener('pointerup', (event) => {
      const wasClick = dragging !== null && dragging.moved < 4;
      dragging = null;
      if (wasClick) {
        const index = this.pick(event.clientX, event.clientY);
        if (index >= 0) this.onPick(index);
      }
    });
    this.canvas.addEventListener('pointerleave', () => this.onHover(-1, 0, 0));
    this.canvas.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        this.zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX, event.clientY);
      },
      { passive: false },
    );
  }
}

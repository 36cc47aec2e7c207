/**
 * A uniform grid over points (counting sort into cells) for picking the nearest point under the
 * pointer without scanning every sensor.
 */
export class SpatialGrid {
  private readonly cellMetres: number;
  private readonly minX: number;
  private readonly minY: number;
  private readonly columns: number;
  private readonly rows: number;
  private readonly cellStart: Int32Array;
  private readonly items: Int32Array;

  constructor(x: Float32Array, y: Float32Array, cellMetres: number) {
    this.cellMetres = cellMetres;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let index = 0; index < x.length; index += 1) {
      minX = Math.min(minX, x[index] as number);
      maxX = Math.max(maxX, x[index] as number);
      minY = Math.min(minY, y[index] as number);
      maxY = Math.max(maxY, y[index] as number);
    }
    if (x.length === 0) minX = minY = maxX = maxY = 0;
    this.minX = minX;
    this.minY = minY;
    this.columns = Math.max(1, Math.ceil((maxX - minX) / cellMetres) + 1);
    this.rows = Math.max(1, Math.ceil((maxY - minY) / cellMetres) + 1);
    const cells = new Int32Array(x.length);
    this.cellStart = new Int32Array(this.columns * this.rows + 1);
    for (let index = 0; index < x.length; index += 1) {
      const cell = this.cellOf(x[index] as number, y[index] as number);
      cells[index] = cell;
      this.cellStart[cell + 1] = (this.cellStart[cell + 1] as number) + 1;
    }
    for (let cell = 0; cell < this.columns * this.rows; cell += 1) {
      this.cellStart[cell + 1] = (this.cellStart[cell + 1] as number) + (this.cellStart[cell] as number);
    }
    const fill = this.cellStart.slice(0, -1);
    this.items = new Int32Array(x.length);
    for (let index = 0; index < x.length; index += 1) {
      const cell = cells[index] as number;
      this.items[fill[cell] as number] = index;
      fill[cell] = (fill[cell] as number) + 1;
    }
  }

  /** Index of the nearest point within `radiusMetres` of (px, py) that `accept` admits, or -1. */
  nearest(
    px: number,
    py: number,
    radiusMetres: number,
    x: Float32Array,
    y: Float32Array,
    accept: (index: number) => boolean,
  ): number {
    const fromColumn = Math.max(0, Math.floor((px - radiusMetres - this.minX) / this.cellMetres));
    const toColumn = Math.min(
      this.columns - 1,
      Math.floor((px + radiusMetres - this.minX) / this.cellMetres),
    );
    const fromRow = Math.max(0, Math.floor((py - radiusMetres - this.minY) / this.cellMetres));
    const toRow = Math.min(this.rows - 1, Math.floor((py + radiusMetres - this.minY) / this.cellMetres));
    let best = -1;
    let bestDistance = radiusMetres * radiusMetres;
    for (let row = fromRow; row <= toRow; row += 1) {
      for (let column = fromColumn; column <= toColumn; column += 1) {
        const cell = row * this.columns + column;
        for (
          let slot = this.cellStart[cell] as number;
          slot < (this.cellStart[cell + 1] as number);
          slot += 1
        ) {
          const index = this.items[slot] as number;
          const distance = ((x[index] as number) - px) ** 2 + ((y[index] as number) - py) ** 2;
          if (distance <= bestDistance && accept(index)) {
            best = index;
            bestDistance = distance;
          }
        }
      }
    }
    return best;
  }

  private cellOf(x: number, y: number): number {
    const column = Math.floor((x - this.minX) / this.cellMetres);
    const row = Math.floor((y - this.minY) / this.cellMetres);
    return row * this.columns + column;
  }
}

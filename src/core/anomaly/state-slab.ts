/**
 * Detector states carved out of shared slabs. A slab is one ArrayBuffer holding `statesPerSlab`
 * states `strideBytes` apart, with one typed-array view per element type made when the slab is
 * made; every detector in the slab shares those views and keeps only its byte offset. A view is a
 * JS object of 60–100 bytes, so views made per detector would cost more heap than the detector
 * itself; a million small buffers would also cost the garbage collector.
 */
export interface SlabViews {
  buffer: ArrayBuffer;
  float64: Float64Array;
  float32: Float32Array;
  int16: Int16Array;
  uint16: Uint16Array;
  uint8: Uint8Array;
}

/** Where one state lives: its slab's views and its first byte in the slab (a multiple of 8). */
export interface SlabPlace {
  views: SlabViews;
  byteOffset: number;
}

/**
 * Hands out states of `strideBytes` (a multiple of 8, so every element type stays aligned). A
 * released place is handed out again before a new one is carved, so a set of sensors whose
 * detectors come and go (states moved out of memory and back) keeps to the slabs it needs at once.
 */
export class StateSlabs {
  private views: SlabViews | undefined;
  private next = 0;
  private readonly released: SlabPlace[] = [];
  private allocatedCount = 0;

  constructor(
    private readonly strideBytes: number,
    private readonly statesPerSlab: number,
  ) {
    if (!Number.isInteger(strideBytes) || strideBytes <= 0 || strideBytes % 8 !== 0)
      throw new Error(`state slabs: strideBytes = ${strideBytes} must be a positive multiple of 8`);
    if (!Number.isInteger(statesPerSlab) || statesPerSlab <= 0)
      throw new Error(`state slabs: statesPerSlab = ${statesPerSlab} must be a positive integer`);
  }

  /** A zeroed state's place. */
  allocate(): SlabPlace {
    const reused = this.released.pop();
    if (reused !== undefined) {
      reused.views.uint8.fill(0, reused.byteOffset, reused.byteOffset + this.strideBytes);
      return reused;
    }
    let views = this.views;
    if (views === undefined || this.next === this.statesPerSlab) {
      views = createViews(new ArrayBuffer(this.strideBytes * this.statesPerSlab));
      this.views = views;
      this.next = 0;
    }
    const byteOffset = this.next * this.strideBytes;
    this.next++;
    this.allocatedCount++;
    return { views, byteOffset };
  }

  /** Gives a place back; whoever held it must not touch it again. */
  release(place: SlabPlace): void {
    this.released.push(place);
  }

  /** Places handed out and not released. */
  get live(): number {
    return this.allocatedCount - this.released.length;
  }
}

function createViews(buffer: ArrayBuffer): SlabViews {
  return {
    buffer,
    float64: new Float64Array(buffer),
    float32: new Float32Array(buffer),
    int16: new Int16Array(buffer),
    uint16: new Uint16Array(buffer),
    uint8: new Uint8Array(buffer),
  };
}

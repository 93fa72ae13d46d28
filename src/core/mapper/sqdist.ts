/**
 * A first pass over squared euclidean distances in float32 WebAssembly SIMD (sqdist.wat), about six times
 * faster than float64 JavaScript, with a proven bound on its error so that callers decide a pair from it
 * only when the bound makes the decision certain, and recompute the exact float64 distance otherwise.
 *
 * The bound: every term (aₖ − bₖ)² is non-negative and passes at most n float32 roundings (the
 * difference, the square and the additions on its way into the total; n = ⌈d/4⌉ + 4 for rows stored by
 * rows, d + 2 for rows stored by columns, see sqdist.wat), each a factor (1 + θ) with
 * |θ| ≤ u = 2⁻²⁴, so the computed v and the real S satisfy |v − S| ≤ ((1 + u)ⁿ − 1)·S ≤ δ·S with
 * δ = n·u/(1 − n·u). Underflow to subnormals adds at most 2⁻¹⁴⁹ per rounding (the `floor` term); an
 * overflow gives +∞, which callers treat as "undecided". WebAssembly fixes float32 rounding to nearest
 * even, so the bound holds on every engine.
 */
import { SQDIST_WASM } from './sqdist-wasm';

/** Rows each side of a kernel call, at most. */
export const TILE = 32;

/** Below this many coordinates the b side of a tile is stored by columns (sqdist.wat's tileColumns). */
export const COLUMNS_BELOW = 32;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernel, or null where the engine lacks WebAssembly SIMD. */
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = Buffer.from(SQDIST_WASM, 'base64');
    compiled =
      typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

/** Set TOPOSCOPE_NO_WASM=1 to run the plain float64 JavaScript searches (tests compare both). */
const disabled = (): boolean => process.env.TOPOSCOPE_NO_WASM === '1';

const PAGE = 65536;
/** WebAssembly memory stops at 4 GiB (65 536 pages). */
const MAX_BYTES = 4 * 1024 ** 3 - PAGE;
/** Output entries of one call: TILE a-rows × (TILE + 4) b-rows (a column tile starts at a group). */
const OUT = TILE * (TILE + 4);
/** Scratch areas in a kernel's memory: one for each thread that may use it at once. */
export const AREAS = 4;

/** A kernel's rows as another thread receives them: the (shared) memory and its layout. */
export interface SharedKernel {
  memory: WebAssembly.Memory;
  m: number;
  d: number;
  capacity: number;
}

type KernelFn = (
  a: number,
  na: number,
  b: number,
  nb: number,
  d: number,
  out: number,
  hi: number,
  list: number,
) => number;

export interface SquaredBand {
  /** v < lo: the pair is certainly within the radius. */
  lo: number;
  /** v > hi (finite): the pair is certainly outside it. */
  hi: number;
}

/**
 * The pairs of one kernel call whose value is not above the call's threshold: pair t joins a-row i[t]
 * and b-row j[t] (counted from the tile's first rows) with computed value v[t]. Valid until the next call.
 */
export interface Candidates {
  count: number;
  i: Int32Array;
  j: Int32Array;
  v: Float32Array;
}

/**
 * m rows of d float32 coordinates in WebAssembly memory, and the tile kernel over them. The rows array is
 * the caller's to fill (a point block stores its rows here, so they are never copied twice); `seal()`
 * must follow before the first tile.
 */
export class SquaredDistances {
  readonly rows: Float32Array;
  /** Relative error bound δ of every value the kernel returns. */
  readonly delta: number;
  /** Absolute error from underflow, added to δ·S. */
  readonly floor: number;
  /** Whether the b side is stored by columns (d < COLUMNS_BELOW); else rows may move between calls. */
  readonly byColumns: boolean;
  readonly memory: WebAssembly.Memory;
  private readonly kernel: KernelFn;
  private readonly rowsAt: number;
  private readonly queryAt: number;
  private readonly colsAt: number;
  private readonly outAt: number;
  private readonly listAt: number;
  private readonly out: Float32Array;
  private readonly list: Int32Array;
  private readonly found: Candidates = {
    count: 0,
    i: new Int32Array(OUT),
    j: new Int32Array(OUT),
    v: new Float32Array(OUT),
  };

  private constructor(
    module: WebAssembly.Module,
    readonly m: number,
    readonly d: number,
    /** Rows the memory has room for (≥ m): a later kernel for as many rows may take it over. */
    readonly capacity: number,
    /** An existing memory laid out for `capacity` rows (taken over, or shared with another thread). */
    memory?: WebAssembly.Memory,
    /** Which thread's scratch area (queries, output, list) this kernel writes: 0 … AREAS − 1. */
    readonly area = 0,
  ) {
    const rowBytes = 4 * d;
    this.byColumns = d < COLUMNS_BELOW;
    // 16 bytes (the row kernel reads the last vector of a row ending at the row's end, so for d < 4 it
    // starts before the row), the rows with TILE padding rows (a padded tile reads past the last row), the
    // rows again by columns when used, then one scratch area per thread: TILE query rows, the output and
    // the list of its indices
    this.rowsAt = 16;
    const colsAt = this.rowsAt + rowBytes * (capacity + TILE);
    const areasAt = colsAt + (this.byColumns ? rowBytes * (capacity + 2 * TILE) : 0);
    const areaBytes = rowBytes * TILE + 8 * OUT;
    this.colsAt = colsAt;
    this.queryAt = areasAt + area * areaBytes;
    this.outAt = this.queryAt + rowBytes * TILE;
    this.listAt = this.outAt + 4 * OUT;
    const pages = Math.max(1, Math.ceil((areasAt + AREAS * areaBytes) / PAGE));
    // shared, so that helper threads read the rows where they are (parallel.ts)
    this.memory = memory ?? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.kernel = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports[
      this.byColumns ? 'tileColumns' : 'tile'
    ] as KernelFn;
    this.rows = new Float32Array(this.memory.buffer, this.rowsAt, m * d);
    this.out = new Float32Array(this.memory.buffer, this.outAt, OUT);
    this.list = new Int32Array(this.memory.buffer, this.listAt, OUT);
    const n = this.byColumns ? d + 2 : Math.ceil(d / 4) + 4;
    const u = 2 ** -24;
    this.delta = (n * u) / (1 - n * u);
    this.floor = 2 * n * 2 ** -149;
  }

  /**
   * A kernel for m × d rows, or null when WebAssembly SIMD is unavailable or the rows do not fit.
   * `reuse`: a kernel whose memory the new one may take over (same d, room for m rows); the old one's
   * rows are then the new one's, so it must no longer be used.
   */
  static create(m: number, d: number, reuse?: SquaredDistances | null): SquaredDistances | null {
    const module = disabled() ? null : kernelModule();
    const bytes = 16 + 4 * d * (2 * m + (3 + AREAS) * TILE) + 8 * AREAS * OUT;
    if (!module || d < 1 || bytes > MAX_BYTES) return null;
    if (reuse && reuse.d === d && reuse.capacity >= m) {
      return new SquaredDistances(module, m, d, reuse.capacity, reuse.memory);
    }
    return new SquaredDistances(module, m, d, m);
  }

  /** What another thread needs to use these rows in place (`attach`). */
  share(): SharedKernel {
    return { memory: this.memory, m: this.m, d: this.d, capacity: this.capacity };
  }

  /** The kernel over rows shared by another thread, writing scratch area `area` (one per thread). */
  static attach(shared: SharedKernel, area: number): SquaredDistances {
    const module = kernelModule();
    if (!module) throw new Error('WebAssembly SIMD is not available on this thread');
    return new SquaredDistances(module, shared.m, shared.d, shared.capacity, shared.memory, area);
  }

  /** Call once the rows are filled: stores them by columns where the kernel reads them so. */
  seal(): void {
    if (!this.byColumns) return;
    const { m, d, rows } = this;
    const cols = new Float32Array(this.memory.buffer, this.colsAt, d * (m + 2 * TILE));
    // row p, coordinate k → group p >> 2, lane p & 3
    for (let p = 0; p < m; p++) {
      const g = (p >> 2) * 4 * d + (p & 3);
      for (let k = 0; k < d; k++) cols[g + 4 * k] = rows[p * d + k];
    }
  }

  /** The band of computed values around r² inside which a comparison with r needs the exact distance. */
  band(r: number): SquaredBand {
    const r2 = r * r;
    // the float64 recomputation and the square root round too: a margin of 2δ covers them many times over
    return { lo: r2 * (1 - 2 * this.delta) - this.floor, hi: r2 * (1 + 2 * this.delta) + this.floor };
  }

  /** The computed value above which (when finite) the real squared distance certainly exceeds s2. */
  above(s2: number): number {
    return s2 * (1 + this.delta) + this.floor;
  }

  /**
   * Kernel values from query slot `slot` to rows [b, b + n) (n ≤ TILE; rows stored by rows), at
   * this.out[0…n): the rows go on the kernel's four-row side, so a call wastes one column in two, not
   * three rows in four.
   */
  private fromSlot(slot: number, b: number, n: number): Float32Array {
    const rowBytes = 4 * this.d;
    const from = this.rowsAt + b * rowBytes;
    this.kernel(from, (n + 3) & ~3, this.queryAt + slot * rowBytes, 2, this.d, this.outAt, -1, this.listAt);
    return this.out;
  }

  /** The kernel values from query slot `slot` to rows [s, e), into out[s…e) (rows stored by rows). */
  squaresFrom(slot: number, s: number, e: number, out: Float64Array): void {
    for (let b = s; b < e; b += TILE) {
      const n = Math.min(TILE, e - b);
      const values = this.fromSlot(slot, b, n);
      for (let i = 0; i < n; i++) out[b + i] = values[i];
    }
  }

  /**
   * An upper bound on the distance from the point `c` (float64) to every row of [s, e) (rows stored by
   * rows): the kernel's largest value from c rounded to float32, widened by its error bound, plus
   * ‖c − fl(c)‖.
   */
  radiusBound(c: Float64Array, s: number, e: number): number {
    const d = this.d;
    const q = new Float32Array(this.memory.buffer, this.queryAt, d);
    q.set(c);
    let rounding = 0;
    for (let j = 0; j < d; j++) rounding += (c[j] - q[j]) ** 2;
    let most = 0;
    for (let b = s; b < e; b += TILE) {
      const n = Math.min(TILE, e - b);
      const values = this.fromSlot(0, b, n);
      for (let i = 0; i < n; i++) most = Math.max(most, values[i]);
    }
    // |v − S| ≤ δS + floor gives S ≤ (v + floor)/(1 − δ); +∞ or NaN (overflow) leaves no bound
    if (!(most < Infinity)) return Infinity;
    const widen = 1 + 1e-12;
    return Math.sqrt((most + this.floor) / (1 - this.delta)) * widen + Math.sqrt(rounding) * widen;
  }

  /** Copies row `p` of the rows into query slot `slot` (< TILE). */
  setQuery(slot: number, p: number): void {
    const d = this.d;
    new Float32Array(this.memory.buffer, this.queryAt, TILE * d).set(
      this.rows.subarray(p * d, p * d + d),
      slot * d,
    );
  }

  /**
   * Squared distances from rows [a, a + na) to rows [b, b + nb) (na, nb ≤ TILE); returns the pairs whose
   * value is not above `hi` (or is +∞ or NaN), in no particular order. `queries`: the a side is query
   * slots [a, a + na) instead of rows.
   */
  tile(a: number, na: number, b: number, nb: number, hi: number, queries = false): Candidates {
    const rowBytes = 4 * this.d;
    const na4 = (na + 3) & ~3;
    const from = (queries ? this.queryAt : this.rowsAt) + a * rowBytes;
    // the kernel compares in float32: a threshold rounded up keeps every value at or below hi
    const hi32 = hi > 0 ? hi * (1 + 2 ** -22) : hi;
    const { out, list, found } = this;
    // by columns the output runs row by row over whole groups of four from the one holding b (a row of
    // `width` values, j shifted by b's lane); by rows it runs column by column, na4 values each
    const g0 = b >> 2;
    const ng = ((b + nb + 3) >> 2) - g0;
    const count = this.byColumns
      ? this.kernel(from, na4, this.colsAt + g0 * 4 * rowBytes, ng, this.d, this.outAt, hi32, this.listAt)
      : this.kernel(
          from,
          na4,
          this.rowsAt + b * rowBytes,
          (nb + 1) & ~1,
          this.d,
          this.outAt,
          hi32,
          this.listAt,
        );
    const width = this.byColumns ? 4 * ng : na4;
    const shift = this.byColumns ? b - 4 * g0 : 0;
    let t = 0;
    for (let c = 0; c < count; c++) {
      const at = list[c];
      const major = (at / width) | 0;
      const minor = at - major * width;
      const i = this.byColumns ? major : minor;
      const j = this.byColumns ? minor - shift : major;
      if (i >= na || j < 0 || j >= nb) continue;
      found.i[t] = i;
      found.j[t] = j;
      found.v[t++] = out[at];
    }
    found.count = t;
    return found;
  }
}

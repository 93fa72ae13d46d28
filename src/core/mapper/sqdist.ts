/**
 * A first pass over squared euclidean distances in float32 WebAssembly SIMD (sqdist.wat), about six to
 * eight times faster than float64 JavaScript, with a proven bound on each value's error so that callers
 * decide a pair from it only when the bound makes the decision certain, and recompute the exact float64
 * distance otherwise.
 *
 * Two forms, both bounded with |θ| ≤ u = 2⁻²⁴ per float32 rounding (to nearest even, fixed by
 * WebAssembly, so the bounds hold on every engine), γₙ = n·u/(1 − n·u):
 * - the difference form Σ(aₖ − bₖ)²: every term is non-negative and passes at most n roundings
 *   (n = ⌈d/4⌉ + 4 for rows stored by rows, d + 2 for rows stored by columns, see sqdist.wat), so
 *   |v − S| ≤ γₙ·S + floor;
 * - the Gram form ‖a‖² + ‖b‖² − 2a·b (rows stored by rows, ~1.4 times faster): the dot product is off by
 *   at most γ₍⌈d/4⌉+3₎·Σ|aₖbₖ| ≤ γ·(‖a‖² + ‖b‖²)/2, and the norms (float64, then float32) and the two
 *   final operations add at most 6 roundings of ‖a‖² + ‖b‖², so |v − S| ≤ γ₍⌈d/4⌉+9₎·(‖a‖² + ‖b‖²) +
 *   floor. That error grows with the norms, not the distance, so a tile takes the Gram form only where its
 *   error stays under GRAM_BAND of the radius asked about (rows far from the origin take the other).
 * `floor` covers underflow to subnormals (2⁻¹⁴⁹ per rounding); an overflow gives a value that is not
 * finite, which comes with error +∞ ("undecided").
 */
import { SQDIST_WASM } from './sqdist-wasm';

/** Rows each side of a kernel call, at most. */
export const TILE = 32;

/** Below this many coordinates the b side of a tile is stored by columns (sqdist.wat's tileColumns). */
export const COLUMNS_BELOW = 32;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernels, or null where the engine lacks WebAssembly SIMD. */
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = Buffer.from(SQDIST_WASM, 'base64');
    compiled =
      typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

/**
 * The kernels for a new block, or null: without WebAssembly SIMD, or with TOPOSCOPE_NO_WASM=1, which runs
 * the plain float64 JavaScript searches (tests compare both).
 */
export function newKernelModule(): WebAssembly.Module | null {
  return process.env.TOPOSCOPE_NO_WASM === '1' ? null : kernelModule();
}

const PAGE = 65536;
/** WebAssembly memory stops at 4 GiB (65 536 pages). */
export const MAX_BYTES = 4 * 1024 ** 3 - PAGE;
/** Output entries of one call: TILE a-rows × (TILE + 4) b-rows (a column tile starts at a group). */
export const OUT = TILE * (TILE + 4);
/**
 * A tile takes the Gram form when its error bound stays below this share of the squared radius asked
 * about: then few pairs fall in the band where the exact distance must decide.
 */
const GRAM_BAND = 1e-3;
/** The unit roundoff of float32 (round to nearest). */
export const U = 2 ** -24;
/** γₙ = n·u/(1 − n·u): the relative error of n float32 roundings in a row. */
export const gamma = (n: number): number => (n * U) / (1 - n * U);
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
  an?: number,
  bn?: number,
) => number;

/** The exports of sqdist.wat (addresses in bytes; see the .wat for each). */
export interface Kernels {
  tile: KernelFn;
  tileGram: KernelFn;
  tileColumns: KernelFn;
  tileInt: KernelFn;
  dots: (rows: number, d: number, ids: number, count: number, w: number, out: number) => void;
  sums: (rows: number, m: number, d: number, out: number) => void;
  squares: (rows: number, m: number, d: number, centre: number, out: number) => void;
  ranges: (rows: number, d: number, ids: number, m: number, lo: number, hi: number) => void;
  quantise: (
    from: number,
    to: number,
    m: number,
    d: number,
    dp: number,
    centre: number,
    step: number,
    inverse: number,
    limit: number,
    norms: number,
    residuals: number,
  ) => void;
}

/**
 * The pairs of one kernel call whose real squared distance may lie within the call's radius: pair t joins
 * a-row i[t] and b-row j[t] (counted from the tile's first rows); its real squared distance S satisfies
 * |v[t] − S| ≤ e[t] (e[t] = +∞ when v[t] is not finite). Valid until the next call.
 */
export interface Candidates {
  count: number;
  i: Int32Array;
  j: Int32Array;
  v: Float64Array;
  e: Float64Array;
  /** Whether the call took the Gram form ‖a‖² + ‖b‖² − 2a·b (always, for the quantised kernel). */
  gram: boolean;
}

const align16 = (bytes: number): number => (bytes + 15) & ~15;

/** Room for one call's candidates; `gram` as the kernel sets it (one shape for both kernel classes). */
export function candidates(gram: boolean): Candidates {
  const n = OUT;
  return {
    count: 0,
    i: new Int32Array(n),
    j: new Int32Array(n),
    v: new Float64Array(n),
    e: new Float64Array(n),
    gram,
  };
}

/**
 * The kernels over `memory`, or over a new memory of `bytes` — shared, so that helper threads read the
 * rows where they are (parallel.ts).
 */
export function instantiate(
  module: WebAssembly.Module,
  bytes: number,
  memory?: WebAssembly.Memory,
): { memory: WebAssembly.Memory; kernels: Kernels } {
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  const m = memory ?? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  return {
    memory: m,
    kernels: new WebAssembly.Instance(module, { env: { memory: m } }).exports as unknown as Kernels,
  };
}

/**
 * Where a kernel's memory holds what, in bytes, for room for `capacity` rows of d coordinates: 16 bytes
 * (the row kernel reads the last vector of a row ending at the row's end, so for d < 4 it starts before
 * the row), the rows with TILE padding rows (a padded tile reads past the last row) and their norms, the
 * rows again by columns when d < COLUMNS_BELOW, then AREAS scratch areas, one per thread: TILE query rows
 * and their norms, the output and the list of its indices, and d float64 (a centre, or two d-float32
 * ranges). The offsets are those of scratch area `area`.
 */
function layout(capacity: number, d: number, area: number) {
  const rowBytes = 4 * d;
  const rows = 16;
  const norms = rows + rowBytes * (capacity + TILE);
  const cols = norms + 4 * (capacity + TILE);
  // areas start at multiples of 16 bytes, so that their float64 views align
  const areas = align16(cols + (d < COLUMNS_BELOW ? rowBytes * (capacity + 2 * TILE) : 0));
  const areaBytes = align16(rowBytes * TILE + 4 * (TILE + 4) + 8 * OUT + 8 * d);
  const queries = areas + area * areaBytes;
  const queryNorms = queries + rowBytes * TILE;
  const out = queryNorms + 4 * (TILE + 4);
  const list = out + 4 * OUT;
  const wide = list + 4 * OUT;
  return { rows, norms, cols, queries, queryNorms, out, list, wide, bytes: areas + AREAS * areaBytes };
}

/**
 * m rows of d float32 coordinates in WebAssembly memory, and the tile kernels over them. The rows array is
 * the caller's to fill (a point block stores its rows here, so they are never copied twice); `seal()`
 * must follow before the first tile.
 */
export class SquaredDistances {
  readonly rows: Float32Array;
  /** Relative error bound δ of the difference form: |v − S| ≤ δ·S + floor. */
  readonly delta: number;
  /** Absolute error from underflow, added to δ·S. */
  readonly floor: number;
  /** Whether the b side is stored by columns (d < COLUMNS_BELOW); else rows may move between calls. */
  readonly byColumns: boolean;
  readonly memory: WebAssembly.Memory;
  private readonly kernels: Kernels;
  /** The Gram form's bound: |v − S| ≤ gramDelta·(‖a‖² + ‖b‖²) + gramFloor. */
  private readonly gramDelta: number;
  private readonly gramFloor: number;
  private readonly rowsAt: number;
  private readonly normsAt: number;
  private readonly queryAt: number;
  private readonly queryNormsAt: number;
  private readonly colsAt: number;
  private readonly outAt: number;
  private readonly listAt: number;
  private readonly wideAt: number;
  /** Squared norms of the rows as float32 (rows stored by rows; `seal` computes or takes them). */
  readonly norms: Float32Array;
  private readonly queries: Float32Array;
  private readonly queryNorms: Float32Array;
  private readonly out: Float32Array;
  private readonly list: Int32Array;
  private readonly found = candidates(false);

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
    this.byColumns = d < COLUMNS_BELOW;
    const at = layout(capacity, d, area);
    this.rowsAt = at.rows;
    this.normsAt = at.norms;
    this.colsAt = at.cols;
    this.queryAt = at.queries;
    this.queryNormsAt = at.queryNorms;
    this.outAt = at.out;
    this.listAt = at.list;
    this.wideAt = at.wide;
    ({ memory: this.memory, kernels: this.kernels } = instantiate(module, at.bytes, memory));
    this.rows = new Float32Array(this.memory.buffer, this.rowsAt, m * d);
    this.norms = new Float32Array(this.memory.buffer, this.normsAt, capacity + TILE);
    this.queries = new Float32Array(this.memory.buffer, this.queryAt, TILE * d);
    this.queryNorms = new Float32Array(this.memory.buffer, this.queryNormsAt, TILE + 4);
    this.out = new Float32Array(this.memory.buffer, this.outAt, OUT);
    this.list = new Int32Array(this.memory.buffer, this.listAt, OUT);
    const n = this.byColumns ? d + 2 : Math.ceil(d / 4) + 4;
    this.delta = gamma(n);
    this.floor = 2 * n * 2 ** -149;
    this.gramDelta = gamma(Math.ceil(d / 4) + 9) * (1 + 1e-6);
    this.gramFloor = 4 * (d + Math.ceil(d / 4) + 9) * 2 ** -149;
  }

  /**
   * A kernel for m × d rows, or null when WebAssembly SIMD is unavailable or the rows do not fit.
   * `reuse`: a kernel whose memory the new one may take over (same d, room for m rows); the old one's
   * rows are then the new one's, so it must no longer be used.
   */
  static create(m: number, d: number, reuse?: unknown): SquaredDistances | null {
    const module = newKernelModule();
    if (!module || d < 1 || layout(m, d, 0).bytes > MAX_BYTES) return null;
    if (reuse instanceof SquaredDistances && reuse.d === d && reuse.capacity >= m) {
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

  /**
   * Call once the rows are in place (they may not move afterwards): stores them by columns where the
   * kernel reads them so, else their squared norms for the Gram form. `normsCopied`: the caller has
   * filled `norms` along with the rows (each from a sealed kernel of the same d).
   */
  seal(normsCopied = false): void {
    const { m, d, rows } = this;
    if (!this.byColumns) {
      if (normsCopied) return;
      // ‖x − 0‖² in float64, rounded to float32
      new Float64Array(this.memory.buffer, this.wideAt, d).fill(0);
      this.squares(0, m, (a, values) => this.norms.set(values, a));
      return;
    }
    const cols = new Float32Array(this.memory.buffer, this.colsAt, d * (m + 2 * TILE));
    // row p, coordinate k → group p >> 2, lane p & 3
    for (let p = 0; p < m; p++) {
      const g = (p >> 2) * 4 * d + (p & 3);
      for (let k = 0; k < d; k++) cols[g + 4 * k] = rows[p * d + k];
    }
  }

  /**
   * Difference-form values from rows [b, b + n) (n ≤ TILE; rows stored by rows) to query slots
   * [first, first + count): value (row b + i, slot first + c) at index c·stride + i of the array returned
   * (stride = n rounded up to 4; valid until the next call). The rows go on the kernel's four-row side
   * and stay in cache while the queries pass over them, so one pass over the rows serves every query.
   * `queries`: the rows are query slots [b, b + n) instead.
   */
  squaresToQueries(first: number, count: number, b: number, n: number, queries = false): Float32Array {
    const rowBytes = 4 * this.d;
    const q = this.queryAt + first * rowBytes;
    this.kernels.tile(
      (queries ? this.queryAt : this.rowsAt) + b * rowBytes,
      (n + 3) & ~3,
      q,
      (count + 1) & ~1,
      this.d,
      this.outAt,
      -1,
      this.listAt,
    );
    return this.out;
  }

  /** An upper bound on the real distance whose difference-form value is v (+∞ when v is not finite). */
  distanceAbove(v: number): number {
    // |v − S| ≤ δS + floor gives S ≤ (v + floor)/(1 − δ)
    return v < Infinity ? Math.sqrt((v + this.floor) / (1 - this.delta)) * (1 + 1e-12) : Infinity;
  }

  /** A lower bound on the real distance whose difference-form value is v (0 when v is not finite). */
  distanceBelow(v: number): number {
    // S ≥ (v − floor)/(1 + δ)
    return v < Infinity ? Math.sqrt(Math.max(0, (v - this.floor) / (1 + this.delta))) * (1 - 1e-12) : 0;
  }

  /** Writes the point c[at … at + d) into query slot `slot` (< TILE), rounded to float32. */
  setQueryPoint(slot: number, c: Float32Array | Float64Array, at: number): void {
    const d = this.d;
    // the walks call this twice per node: a subarray view costs more than a loop at low d, and the
    // engine's copy far less than a loop at high d (eight times less from float32)
    if (d >= COLUMNS_BELOW) this.queries.set(c.subarray(at, at + d), slot * d);
    else for (let j = 0; j < d; j++) this.queries[slot * d + j] = c[at + j];
  }

  /**
   * Float32 dot products of the rows numbered ids[s…e) with query slot 0, into out[s…e): the tree build's
   * split keys and probes (no error bound: they only shape the tree).
   */
  dotsWithQuery(ids: Int32Array, s: number, e: number, out: Float64Array): void {
    for (let c = s; c < e; c += OUT) {
      const n = Math.min(OUT, e - c);
      this.list.set(ids.subarray(c, c + n));
      this.kernels.dots(this.rowsAt, this.d, this.listAt, n, this.queryAt, this.outAt);
      for (let i = 0; i < n; i++) out[c + i] = this.out[i];
    }
  }

  /**
   * The mean of rows [s, e) into c[co…co + d), rounded to float32 (so that queries hold centres exactly),
   * and each row's float64 distance to it into dist[s…e): a leaf's centre and distances. The sums run
   * row by row as in JavaScript; the distances add their squares in two lanes (the searches' bounds carry
   * slack for any order).
   */
  leafCentre(s: number, e: number, c: Float64Array, co: number, dist: Float64Array): void {
    const { d } = this;
    const n = e - s;
    const wide = new Float64Array(this.memory.buffer, this.wideAt, d);
    this.kernels.sums(this.rowsAt + 4 * d * s, n, d, this.wideAt);
    for (let k = 0; k < d; k++) wide[k] = c[co + k] = Math.fround(wide[k] / n);
    this.squares(s, e, (a, values) => {
      for (let i = 0; i < values.length; i++) dist[a + i] = Math.sqrt(values[i]);
    });
  }

  /**
   * Each coordinate's least and greatest value over the rows numbered ids (float32, so exact; NaN where a
   * row holds a NaN there), read where they lie. Rows stored by rows (d ≥ COLUMNS_BELOW).
   */
  ranges(ids: Int32Array): { lo: Float32Array; hi: Float32Array } {
    const { d } = this;
    // the two d-float32 halves of the wide scratch
    const lo = new Float32Array(this.memory.buffer, this.wideAt, d).fill(Infinity);
    const hi = new Float32Array(this.memory.buffer, this.wideAt + 4 * d, d).fill(-Infinity);
    for (let c = 0; c < ids.length; c += OUT) {
      const n = Math.min(OUT, ids.length - c);
      this.list.set(ids.subarray(c, c + n));
      this.kernels.ranges(this.rowsAt, d, this.listAt, n, this.wideAt, this.wideAt + 4 * d);
    }
    return { lo: lo.slice(), hi: hi.slice() };
  }

  /**
   * Calls f(a, values) with values[i] = ‖row a + i − w‖² in float64 (w: d float64 in the wide scratch),
   * for the rows [s, e) a chunk at a time (values valid during the call).
   */
  private squares(s: number, e: number, f: (a: number, values: Float64Array) => void): void {
    const d = this.d;
    const out = new Float64Array(this.memory.buffer, this.outAt, OUT / 2);
    for (let a = s; a < e; a += out.length) {
      const count = Math.min(out.length, e - a);
      this.kernels.squares(this.rowsAt + 4 * d * a, count, d, this.wideAt, this.outAt);
      f(a, out.subarray(0, count));
    }
  }

  /**
   * Puts the rows and their norms in the order `order` (position q takes the row now at order[q]), in
   * place: each cycle of the permutation moves its rows once, through one spare row.
   */
  permute(order: Int32Array): void {
    const { d, rows, norms } = this;
    const placed = new Uint8Array(this.m);
    const spare = new Float32Array(d);
    for (let i = 0; i < this.m; i++) {
      if (placed[i] || order[i] === i) continue;
      spare.set(rows.subarray(i * d, i * d + d));
      const spareNorm = norms[i];
      for (let j = i; ;) {
        placed[j] = 1;
        const k = order[j];
        if (k === i) {
          rows.set(spare, j * d);
          norms[j] = spareNorm;
          break;
        }
        rows.copyWithin(j * d, k * d, k * d + d);
        norms[j] = norms[k];
        j = k;
      }
    }
  }

  /** Copies row `p` of the rows (and its norm) into query slot `slot` (< TILE). */
  setQuery(slot: number, p: number): void {
    const d = this.d;
    this.queries.set(this.rows.subarray(p * d, p * d + d), slot * d);
    this.queryNorms[slot] = this.norms[p];
  }

  /**
   * The pairs of rows [a, a + na) × [b, b + nb) (na, nb ≤ TILE) whose real squared distance may be at
   * most s2, in no particular order, each with its value and error bound (Candidates). `queries`: the a
   * side is query slots [a, a + na) instead of rows.
   */
  tile(a: number, na: number, b: number, nb: number, s2: number, queries = false): Candidates {
    const { d, out, list, found } = this;
    const rowBytes = 4 * d;
    const na4 = (na + 3) & ~3;
    const from = (queries ? this.queryAt : this.rowsAt) + a * rowBytes;
    const aNorms = queries ? this.queryNorms : this.norms;
    const aNormsAt = (queries ? this.queryNormsAt : this.normsAt) + 4 * a;
    let count: number;
    let gram = false;
    if (this.byColumns) {
      // the output runs row by row over whole groups of four from the one holding b (a row of 4·ng
      // values, j shifted by b's lane)
      const g0 = b >> 2;
      const ng = ((b + nb + 3) >> 2) - g0;
      const hi = s2 * (1 + this.delta) + this.floor;
      count = this.kernels.tileColumns(
        from,
        na4,
        this.colsAt + g0 * 4 * rowBytes,
        ng,
        d,
        this.outAt,
        up(hi),
        this.listAt,
      );
      let t = 0;
      for (let c = 0; c < count; c++) {
        const at = list[c];
        const i = (at / (4 * ng)) | 0;
        const j = at - i * 4 * ng - (b - 4 * g0);
        if (i >= na || j < 0 || j >= nb) continue;
        found.i[t] = i;
        found.j[t] = j;
        found.v[t++] = out[at];
      }
      count = t;
    } else {
      // the Gram form where its error, which grows with the norms, stays small next to s2
      let most = 0;
      for (let i = 0; i < na; i++) most = Math.max(most, aNorms[a + i]);
      let mostB = 0;
      for (let j = 0; j < nb; j++) mostB = Math.max(mostB, this.norms[b + j]);
      const gramError = this.gramDelta * (most + mostB) + this.gramFloor;
      gram = gramError <= GRAM_BAND * s2;
      const hi = gram ? s2 + gramError : s2 * (1 + this.delta) + this.floor;
      // the output runs column by column, na4 values each
      count = this.kernels[gram ? 'tileGram' : 'tile'](
        from,
        na4,
        this.rowsAt + b * rowBytes,
        (nb + 1) & ~1,
        d,
        this.outAt,
        up(hi),
        this.listAt,
        aNormsAt,
        this.normsAt + 4 * b,
      );
      let t = 0;
      for (let c = 0; c < count; c++) {
        const at = list[c];
        const j = (at / na4) | 0;
        const i = at - j * na4;
        if (i >= na || j >= nb) continue;
        found.i[t] = i;
        found.j[t] = j;
        found.v[t++] = out[at];
      }
      count = t;
    }
    for (let t = 0; t < count; t++) {
      const v = found.v[t];
      found.e[t] = !Number.isFinite(v)
        ? Infinity
        : gram
          ? this.gramDelta * (aNorms[a + found.i[t]] + this.norms[b + found.j[t]]) + this.gramFloor
          : (this.delta * v + this.floor) / (1 - this.delta);
    }
    found.count = count;
    found.gram = gram;
    return found;
  }
}

/** A float32 threshold at or above hi: the kernels compare in float32. */
export const up = (hi: number): number => (hi > 0 ? hi * (1 + 2 ** -22) : hi);

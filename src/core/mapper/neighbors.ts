/**
 * Exact radius and k-nearest-neighbour queries inside one point set, fast enough for DBSCAN on preimages of
 * 10⁴ rows. The rows are organised in a ball tree (each node: the mean of its rows and the radius around it)
 * and copied contiguously in tree order. A query skips a node when d(p, centre) − radius exceeds the search
 * radius, and a row when |d(p, c) − d(q, c)| does for its leaf centre c (both by the triangle inequality);
 * every pair that survives is decided by the exact float64 definition, so answers equal brute force.
 *
 * Cosine distance 1 − a·b/(‖a‖‖b‖) is not a metric; the tree then works on unit vectors, where
 * ‖u − v‖ = √(2(1 − cos)), a metric that bounds it.
 */
import { QuantisedDistances, quantisationOf, worstError } from './quantised';
import { SquaredDistances, TILE, type SharedKernel } from './sqdist';
import type { Metric } from './types';

/**
 * A restricted block quantises its rows when no pair's error bound can exceed this share of the squared
 * search radius (quantised.ts's worstError; typical bounds are a third of it): then few pairs fall where
 * the exact distance must decide.
 */
const QUANTISED_BAND = 0.02;

/** Rows of a leaf, at most, in the plain build. */
const LEAF_SIZE = 24;
/**
 * Rows of a leaf, at most, in the kernel's build (d ≥ 32): there bounds below a unit's size (tiled.ts)
 * prune little, while every level costs a pass over the rows.
 */
const KERNEL_LEAF_SIZE = 64;

export interface PointBlock {
  m: number;
  d: number;
  metric: Metric;
  /** The coordinates: position p's d values start at rowStart(b, p). */
  rows: Float32Array;
  /**
   * Row of `rows` that holds each position, for a block that reads another's rows (a restricted block
   * with quantised tiles reads its whole block's); null: position p is row p (m×d rows in tree order).
   */
  source: Int32Array | null;
  /** position → index into the caller's member list. */
  local: Int32Array;
  /** 1/‖x‖ of each position for cosine (0 for a zero row); 1 for euclidean. */
  inv: Float64Array;
  /** Tree nodes: rows [start, end), children (−1 at leaves), radius, centre (nodes×d). */
  start: Int32Array;
  end: Int32Array;
  left: Int32Array;
  right: Int32Array;
  radius: Float64Array;
  centre: Float64Array;
  /** The centres as float32, with a kernel (they are float32 values then): copied to its query slots. */
  centre32: Float32Array | null;
  /** Distance of each position to its leaf's centre. */
  leafDist: Float64Array;
  /**
   * For each leaf L, its ancestors a and the distances between their centres, at [reachAt[L],
   * reachAt[L + 1]) of reachNode and reachDist: a restricted block bounds a's radius by them.
   */
  reachAt: Int32Array;
  reachNode: Int32Array;
  reachDist: Float64Array;
  /** Rounding slack added to every pruning bound. */
  slack: number;
  /** The float32 first pass over these rows (euclidean, where WebAssembly SIMD runs); it holds `rows`. */
  kernel: SquaredDistances | null;
  /** The 16-bit first pass of a restricted block (restrictBlock), in place of `kernel`. */
  quantised: QuantisedDistances | null;
}

/** Where position p's coordinates start in b.rows. */
export function rowStart(b: PointBlock, p: number): number {
  return (b.source === null ? p : b.source[p]) * b.d;
}

/**
 * Tree-space distance from row r of x (scaled by inv) to centre c of the node tables. Four partial sums:
 * one running sum would wait on each addition's latency. (Bounds built from it carry `slack`, which
 * covers any order of summation.)
 */
function toCentre(x: Float32Array, r: number, inv: number, c: Float64Array, co: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 4 <= d; j += 4) {
    const t0 = x[r + j] * inv - c[co + j];
    const t1 = x[r + j + 1] * inv - c[co + j + 1];
    const t2 = x[r + j + 2] * inv - c[co + j + 2];
    const t3 = x[r + j + 3] * inv - c[co + j + 3];
    s0 += t0 * t0;
    s1 += t1 * t1;
    s2 += t2 * t2;
    s3 += t3 * t3;
  }
  for (; j < d; j++) {
    const t = x[r + j] * inv - c[co + j];
    s0 += t * t;
  }
  return Math.sqrt(s0 + s1 + (s2 + s3));
}

/** Copies d floats from x[from…] to y[to…]; a loop for short rows, where a subarray per row costs more. */
function copyRow(x: Float32Array, from: number, y: Float32Array, to: number, d: number): void {
  if (d >= 64) y.set(x.subarray(from, from + d), to);
  else for (let j = 0; j < d; j++) y[to + j] = x[from + j];
}

/** Distance between the centres of nodes v and u. */
export function centreDistance(centre: Float64Array, v: number, u: number, d: number): number {
  let s = 0;
  for (let j = 0, cv = v * d, cu = u * d; j < d; j++) {
    const t = centre[cv + j] - centre[cu + j];
    s += t * t;
  }
  return Math.sqrt(s);
}

/** Σⱼ x[r + j]·w[j], in four partial sums (see toCentre). */
function dot(x: Float32Array, r: number, w: Float64Array, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 4 <= d; j += 4) {
    s0 += x[r + j] * w[j];
    s1 += x[r + j + 1] * w[j + 1];
    s2 += x[r + j + 2] * w[j + 2];
    s3 += x[r + j + 3] * w[j + 3];
  }
  for (; j < d; j++) s0 += x[r + j] * w[j];
  return s0 + s1 + (s2 + s3);
}

/**
 * The rows of a block under construction: what moves along with each position. Builds move only these
 * small arrays and put the coordinates in tree order once, at the end.
 */
interface BuildRows {
  key: Float64Array;
  ids: Int32Array;
  inv: Float64Array;
}

function swapRows(r: BuildRows, i: number, j: number): void {
  const { key, ids, inv } = r;
  const k = key[i];
  key[i] = key[j];
  key[j] = k;
  const id = ids[i];
  ids[i] = ids[j];
  ids[j] = id;
  const sc = inv[i];
  inv[i] = inv[j];
  inv[j] = sc;
}

/**
 * Reorders positions [s, e) so that position `at` holds the key of that rank, smaller keys before it and
 * larger after (Hoare's selection), moving each position's id, key and scale along.
 */
function selectRows(r: BuildRows, s: number, e: number, at: number): void {
  const key = r.key;
  let lo = s;
  let hi = e - 1;
  while (lo < hi) {
    const pivot = key[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (key[i] < pivot) i++;
      while (key[j] > pivot) j--;
      if (i <= j) {
        if (i !== j) swapRows(r, i, j);
        i++;
        j--;
      }
    }
    if (at <= j) hi = j;
    else if (at >= i) lo = i;
    else return;
  }
}

/** Moves the rows with key < t to the front of [s, e); returns the first position of the rest. */
function partitionRows(r: BuildRows, s: number, e: number, t: number): number {
  let i = s;
  let j = e - 1;
  for (;;) {
    while (i <= j && r.key[i] < t) i++;
    while (i <= j && r.key[j] >= t) j--;
    if (i >= j) return i;
    swapRows(r, i, j);
  }
}

/** Neither side of a split holds less than this share of the node's rows (keeps the depth logarithmic). */
const MIN_SHARE = 0.1;

/** Rows probed when looking for a far-apart pair to split a node along (the split is a heuristic only). */
const SPLIT_PROBES = 48;

/** The nodes of a tree over positions 0…m−1: rows [start, end), children (−1 at leaves). */
interface Nodes {
  start: number[];
  end: number[];
  left: number[];
  right: number[];
}

/**
 * Splits positions [0, m) into a tree with leaves of at most leafSize rows, nodes numbered in preorder:
 * `keys(s, e)` fills work.key over [s, e) and returns the key to split at (smaller keys go left), or null
 * to keep a leaf; a split leaving either side less than MIN_SHARE of the rows moves to that share instead
 * (keeps the depth logarithmic).
 */
function growTree(
  m: number,
  leafSize: number,
  work: BuildRows,
  keys: (s: number, e: number) => number | null,
): Nodes {
  const nodes: Nodes = { start: [], end: [], left: [], right: [] };
  let depth = 0;
  const build = (s: number, e: number, level: number): number => {
    const id = nodes.start.length;
    nodes.start.push(s);
    nodes.end.push(e);
    nodes.left.push(-1);
    nodes.right.push(-1);
    if (e - s <= leafSize) return id;
    const split = keys(s, e);
    if (split === null) return id;
    const lo = s + Math.ceil(MIN_SHARE * (e - s));
    const hi = e - Math.ceil(MIN_SHARE * (e - s));
    let mid = partitionRows(work, s, e, split);
    if (mid < lo || mid > hi) {
      mid = mid < lo ? lo : hi;
      selectRows(work, s, e, mid);
    }
    depth = Math.max(depth, level);
    const l = build(s, mid, level + 1);
    const r = build(mid, e, level + 1);
    nodes.left[id] = l;
    nodes.right[id] = r;
    return id;
  };
  if (m > 0) build(0, m, 0);
  ensureStack(depth + 2);
  return nodes;
}

/** A tree over positions 0…m−1 and the rows in its order. */
interface Tree extends Nodes {
  rows: Float32Array;
  ids: Int32Array;
  inv: Float64Array;
}

/**
 * The tree of the plain build: split along the line through two far-apart probed rows, at the midpoint
 * of their projections, in float64 (cosine works on unit rows). Rows go to `kernel` when there is one.
 */
function plainTree(
  x: Float32Array,
  d: number,
  members: Int32Array,
  cosine: boolean,
  kernel: SquaredDistances | null,
): Tree {
  const m = members.length;
  const inv = new Float64Array(m).fill(1);
  if (cosine) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0, r = members[i] * d; j < d; j++) s += x[r + j] * x[r + j];
      inv[i] = s > 0 ? 1 / Math.sqrt(s) : 0;
    }
  }
  const ids = Int32Array.from({ length: m }, (_, i) => i);
  const proj = new Float64Array(m);
  const dir = new Float64Array(d);
  const a = new Float64Array(d);
  // while building, position q's coordinates are x[members[ids[q]]·d …]
  const at = (q: number): number => members[ids[q]] * d;
  // the probed position farthest from the tree-space point `from`, or −1 when every probe coincides with it
  const farthest = (s: number, e: number, from: Float64Array): number => {
    const stride = Math.max(1, Math.floor((e - s) / SPLIT_PROBES));
    let best = -1;
    let bd = 0;
    for (let q = s; q < e; q += stride) {
      const v = toCentre(x, at(q), inv[q], from, 0, d);
      if (v > bd) {
        bd = v;
        best = q;
      }
    }
    return best;
  };
  const load = (q: number, out: Float64Array): Float64Array => {
    const rq = at(q);
    for (let j = 0; j < d; j++) out[j] = x[rq + j] * inv[q];
    return out;
  };
  const work: BuildRows = { key: proj, ids, inv };
  // split along the line through two far-apart probed rows, halfway between their projections
  const tree = growTree(m, LEAF_SIZE, work, (s, e) => {
    const qa = farthest(s, e, load(s, a));
    if (qa < 0) return null;
    load(qa, a);
    const qb = farthest(s, e, a);
    if (qb < 0) return null;
    const rb = at(qb);
    for (let j = 0; j < d; j++) dir[j] = x[rb + j] * inv[qb] - a[j];
    for (let q = s; q < e; q++) proj[q] = dot(x, at(q), dir, d) * inv[q];
    return (proj[qa] + proj[qb]) / 2;
  });

  // the coordinates in tree order, in the kernel's memory where it runs
  const rows = kernel ? kernel.rows : new Float32Array(m * d);
  for (let q = 0; q < m; q++) copyRow(x, at(q), rows, q * d, d);
  kernel?.seal();
  return { rows, ids, inv, ...tree };
}

/**
 * The tree of the kernel's build (euclidean, rows stored by rows): the same rules as the plain build, its
 * float32 work on the kernel over the rows where they lie — the two far-apart rows found among probes,
 * the split keys x·(b − a) against the midpoint (‖b‖² − ‖a‖²)/2 from one pass of `dots` over the node's
 * rows — and only row numbers moving while it splits; the rows take tree order once, at the end. Computed
 * in float32, these only shape the tree; every bound of the searches is computed apart.
 */
function kernelTree(x: Float32Array, d: number, members: Int32Array, kernel: SquaredDistances): Tree {
  const m = members.length;
  const rows = kernel.rows;
  // one copy when the members are a run of rows in order (the whole set)
  let run = true;
  for (let i = 1; i < m && run; i++) run = members[i] === members[0] + i;
  if (m > 0 && run) rows.set(x.subarray(members[0] * d, (members[0] + m) * d));
  else for (let i = 0; i < m; i++) copyRow(x, members[i] * d, rows, i * d, d);
  kernel.seal();
  const norms = kernel.norms;
  // while building, position q holds row ids[q] of the kernel (the members' order)
  const ids = Int32Array.from({ length: m }, (_, i) => i);
  const inv = new Float64Array(m).fill(1);
  const key = new Float64Array(m);
  const work: BuildRows = { key, ids, inv };
  const probes = new Int32Array(SPLIT_PROBES + 1);
  const dots = new Float64Array(SPLIT_PROBES + 1);
  const w = new Float64Array(d);
  // the probed position of [s, e) farthest from position p (‖x − p‖² = ‖x‖² + ‖p‖² − 2x·p), or −1 when
  // it coincides with p (then every probe does)
  const farthest = (s: number, e: number, p: number): number => {
    const stride = Math.max(1, Math.floor((e - s) / SPLIT_PROBES));
    let n = 0;
    for (let q = s; q < e && n < probes.length; q += stride) probes[n++] = ids[q];
    kernel.setQuery(0, ids[p]);
    kernel.dotsWithQuery(probes, 0, n, dots);
    let best = 0;
    let bd = -Infinity;
    for (let t = 0; t < n; t++) {
      const v = norms[probes[t]] - 2 * dots[t];
      if (v > bd) {
        bd = v;
        best = t;
      }
    }
    const far = s + best * stride;
    return euclideanDistanceRows(rows, ids[far] * d, rows, ids[p] * d, d) > 0 ? far : -1;
  };
  // rows nearer qa than qb have key < the split
  const tree = growTree(m, KERNEL_LEAF_SIZE, work, (s, e) => {
    const qa = farthest(s, e, s);
    if (qa < 0) return null;
    const qb = farthest(s, e, qa);
    if (qb < 0) return null;
    const ra = ids[qa] * d;
    const rb = ids[qb] * d;
    for (let j = 0; j < d; j++) w[j] = rows[rb + j] - rows[ra + j];
    kernel.setQueryPoint(0, w, 0);
    kernel.dotsWithQuery(ids, s, e, key);
    return (norms[ids[qb]] - norms[ids[qa]]) / 2;
  });
  kernel.permute(ids);
  return { rows, ids, inv, ...tree };
}

/**
 * Radii of the inner nodes from the kernel, in one pass over the rows: each leaf's rows against the
 * centres of all its ancestors (query slots; consecutive leaves in preorder share most ancestors, so few
 * slots change), widened by the kernel's error bound. The centres of inner nodes must be float32 values
 * (the queries are then exactly the centres). Bounds built from the children's radii instead would grow
 * level by level and stop pruning anything in high dimension.
 */
function kernelRadii(
  kernel: SquaredDistances,
  nodes: Nodes,
  centre: Float64Array,
  radius: Float64Array,
): void {
  const { start, end, left, right } = nodes;
  const d = kernel.d;
  const count = start.length;
  const most = new Float64Array(count);
  // ancestors of the current node, root first; slot t of the queries holds holder[t]'s centre
  const path: number[] = [];
  const holder = new Int32Array(TILE).fill(-1);
  const visit = (v: number): void => {
    if (left[v] >= 0) {
      path.push(v);
      visit(left[v]);
      visit(right[v]);
      path.pop();
      return;
    }
    for (let a0 = 0; a0 < path.length; a0 += TILE) {
      const h = Math.min(TILE, path.length - a0);
      for (let t = 0; t < h; t++) {
        const a = path[a0 + t];
        if (holder[t] === a) continue;
        kernel.setQueryPoint(t, centre, a * d);
        holder[t] = a;
      }
      for (let b = start[v]; b < end[v]; b += TILE) {
        const n = Math.min(TILE, end[v] - b);
        const values = kernel.squaresToQueries(0, h, b, n);
        const stride = (n + 3) & ~3;
        for (let t = 0; t < h; t++) {
          const a = path[a0 + t];
          for (let i = 0; i < n; i++) most[a] = Math.max(most[a], values[t * stride + i]);
        }
      }
    }
  };
  if (count > 0) visit(0);
  for (let v = 0; v < count; v++) if (left[v] >= 0) radius[v] = kernel.distanceAbove(most[v]);
}

/** Prepares the rows `members` of the N×d matrix `x` for exact neighbour queries. */
export function buildBlock(x: Float32Array, d: number, members: Int32Array, metric: Metric): PointBlock {
  const m = members.length;
  const cosine = metric === 'cosine';
  const kernel = cosine ? null : SquaredDistances.create(m, d);
  const kernelBuild = kernel !== null && !kernel.byColumns;
  const { rows, ids, inv, start, end, left, right } = kernelBuild
    ? kernelTree(x, d, members, kernel)
    : plainTree(x, d, members, cosine, kernel);

  // centres: means, inner ones from their children's; radii: exact at leaves; inner ones exact, or from
  // the kernel's values where its build ran (a bound from the children's radii would grow level by level
  // and stop pruning anything in high dimension)
  const nodes = start.length;
  // shared memory: the preimage blocks sent to helper threads (parallel.ts) share it instead of copying
  const centre = new Float64Array(new SharedArrayBuffer(8 * nodes * d));
  const radius = new Float64Array(nodes);
  const leafDist = new Float64Array(m);
  for (let v = nodes - 1; v >= 0; v--) {
    const co = v * d;
    const cnt = end[v] - start[v];
    if (left[v] < 0 && kernelBuild) {
      kernel.leafCentre(start[v], end[v], centre, co, leafDist);
      let rad = 0;
      for (let q = start[v]; q < end[v]; q++) rad = Math.max(rad, leafDist[q]);
      radius[v] = rad;
      continue;
    }
    if (left[v] < 0) {
      for (let q = start[v]; q < end[v]; q++) {
        const w = inv[q];
        for (let j = 0; j < d; j++) centre[co + j] += rows[q * d + j] * w;
      }
      for (let j = 0; j < d; j++) centre[co + j] /= cnt;
    } else {
      const l = left[v];
      const r = right[v];
      const wl = (end[l] - start[l]) / cnt;
      const wr = (end[r] - start[r]) / cnt;
      for (let j = 0; j < d; j++) centre[co + j] = wl * centre[l * d + j] + wr * centre[r * d + j];
    }
    // any point serves as a ball's centre: the kernel's queries are float32 (kernelRadii, the tiled
    // searches), so with a kernel the centres become float32 values
    if (kernel) for (let j = co; j < co + d; j++) centre[j] = Math.fround(centre[j]);
    // the kernel build's inner radii come from kernelRadii below (its leaves were done above)
    if (kernelBuild) continue;
    let rad = 0;
    for (let q = start[v]; q < end[v]; q++) {
      const dist = toCentre(rows, q * d, inv[q], centre, co, d);
      if (left[v] < 0) leafDist[q] = dist;
      if (dist > rad) rad = dist;
    }
    radius[v] = rad;
  }
  if (kernelBuild) kernelRadii(kernel, { start, end, left, right }, centre, radius);
  const centre32 = kernel ? new Float32Array(new SharedArrayBuffer(4 * nodes * d)) : null;
  centre32?.set(centre);
  const parent = new Int32Array(nodes).fill(-1);
  for (let v = 0; v < nodes; v++) if (left[v] >= 0) parent[left[v]] = parent[right[v]] = v;
  const reachAt = new Int32Array(nodes + 1);
  const reachNode: number[] = [];
  const reachDist: number[] = [];
  for (let v = 0; v < nodes; v++) {
    if (left[v] < 0) {
      for (let a = parent[v]; a >= 0; a = parent[a]) {
        reachNode.push(a);
        reachDist.push(centreDistance(centre, v, a, d));
      }
    }
    reachAt[v + 1] = reachNode.length;
  }
  const span = nodes > 0 ? radius[0] : 0;
  return {
    m,
    d,
    metric,
    rows,
    source: null,
    local: ids,
    inv,
    start: Int32Array.from(start),
    end: Int32Array.from(end),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    radius,
    centre,
    centre32,
    leafDist,
    reachAt,
    reachNode: Int32Array.from(reachNode),
    reachDist: Float64Array.from(reachDist),
    slack: 1e-9 * (1 + span) + (cosine ? 1e-7 : 0),
    kernel,
    quantised: null,
  };
}

/**
 * The block of the rows `members` (ascending, distinct) of a block `whole` built over all rows 0…N−1 of
 * the same matrix: the same tree and centres, each node keeping its rows among `members` in tree order.
 * Radii shrink to what the remaining rows need, bounded through the leaves: a leaf's is its farthest
 * remaining row (leafDist), an ancestor's at most d(its centre, the leaf's) + the leaf's (triangle
 * inequality). An emptied node gets radius −∞, which every walk skips. Costs a pass over the positions
 * and a copy of the members' coordinates — no tree build — so the preimages of a cover share the one tree
 * of the whole set. `reuse`: a kernel whose memory the block may take over (its class's `create`).
 *
 * Given the radius `eps` of the searches to come, a block of rows stored by rows (d ≥ COLUMNS_BELOW)
 * copies them quantised to 16 bits (quantised.ts: tiles about 1.4 times faster) and reads the whole
 * block's float rows for its exact distances — unless the quantisation is too coarse for eps: then most
 * pairs would need their exact distance, and the block keeps a float32 copy.
 */
export function restrictBlock(
  whole: PointBlock,
  members: Int32Array,
  reuse?: SquaredDistances | QuantisedDistances | null,
  eps?: number,
): PointBlock {
  const n = whole.m;
  const d = whole.d;
  if (whole.source) throw new Error('restrictBlock takes a block built over all rows');
  // row → index in members, −1 for rows outside
  const index = new Int32Array(n).fill(-1);
  for (let i = 0; i < members.length; i++) index[members[i]] = i;
  // before[P]: positions of the restricted block ahead of whole's position P
  const before = new Int32Array(n + 1);
  for (let P = 0; P < n; P++) before[P + 1] = before[P] + (index[whole.local[P]] >= 0 ? 1 : 0);
  const m = before[n];
  // position p is whole's position kept[p] (also the row of whole.rows holding it: whole is a block
  // built over all rows, whose position p is row p)
  const kept = new Int32Array(m);
  for (let P = 0; P < n; P++) if (index[whole.local[P]] >= 0) kept[before[P]] = P;
  const quantised = eps === undefined ? null : quantisedRows(whole, kept, eps, reuse);
  const kernel = quantised || whole.metric === 'cosine' ? null : SquaredDistances.create(m, d, reuse);
  const rows = quantised ? whole.rows : kernel ? kernel.rows : new Float32Array(m * d);
  // the rows' squared norms come along with them, where both kernels keep norms
  const normsFrom = kernel && !kernel.byColumns && whole.kernel ? whole.kernel.norms : null;
  const local = new Int32Array(m);
  const inv = new Float64Array(m);
  const leafDist = new Float64Array(m);
  for (let p = 0; p < m; p++) {
    const P = kept[p];
    if (!quantised) copyRow(whole.rows, P * d, rows, p * d, d);
    if (normsFrom) kernel!.norms[p] = normsFrom[P];
    local[p] = index[whole.local[P]];
    inv[p] = whole.inv[P];
    leafDist[p] = whole.leafDist[P];
  }
  kernel?.seal(normsFrom !== null);
  const nodes = whole.start.length;
  const start = new Int32Array(nodes);
  const end = new Int32Array(nodes);
  const radius = new Float64Array(nodes).fill(-Infinity);
  const { reachAt, reachNode, reachDist } = whole;
  for (let v = 0; v < nodes; v++) {
    start[v] = before[whole.start[v]];
    end[v] = before[whole.end[v]];
    if (whole.left[v] >= 0 || end[v] === start[v]) continue;
    let r = 0;
    for (let p = start[v]; p < end[v]; p++) r = Math.max(r, leafDist[p]);
    radius[v] = r;
    for (let t = reachAt[v]; t < reachAt[v + 1]; t++) {
      const a = reachNode[t];
      radius[a] = Math.max(radius[a], reachDist[t] + r);
    }
  }
  for (let v = 0; v < nodes; v++) radius[v] = Math.min(radius[v], whole.radius[v]);
  return {
    ...whole,
    m,
    rows,
    source: quantised ? kept : null,
    local,
    inv,
    start,
    end,
    radius,
    leafDist,
    kernel,
    quantised,
  };
}

/**
 * The rows whole.rows[source[p]] (p < source.length) quantised for searches within `eps` (restrictBlock),
 * or null where the whole block's rows are not stored by rows or the quantisation is too coarse for eps.
 */
function quantisedRows(
  whole: PointBlock,
  source: Int32Array,
  eps: number,
  reuse?: SquaredDistances | QuantisedDistances | null,
): QuantisedDistances | null {
  const d = whole.d;
  if (!whole.kernel || whole.kernel.byColumns) return null;
  const { lo, hi } = whole.kernel.ranges(source);
  const by = quantisationOf(lo, hi);
  if (!(worstError(by, d, eps) <= QUANTISED_BAND * eps * eps)) return null;
  const q = QuantisedDistances.create(source.length, d, reuse);
  q?.quantise(whole.rows, source, by);
  return q;
}

/**
 * A block with a kernel, for another thread: its arrays (the coordinates stay in the kernel's shared
 * memory) and the kernel's layout; `attachBlock` makes it a block there.
 */
export interface SharedBlock {
  arrays: Omit<PointBlock, 'kernel' | 'quantised' | 'rows'>;
  kernel: SharedKernel;
}

export function shareBlock(b: PointBlock): SharedBlock {
  if (!b.kernel) throw new Error('only a block with a kernel is shared');
  const { kernel, quantised: _quantised, rows: _rows, ...arrays } = b;
  return { arrays, kernel: kernel.share() };
}

/** A block shared by another thread, for this thread's searches; its kernel writes scratch `area`. */
export function attachBlock(shared: SharedBlock, area: number): PointBlock {
  const kernel = SquaredDistances.attach(shared.kernel, area);
  ensureStack(treeDepth(shared.arrays.left, shared.arrays.right) + 2);
  return { ...shared.arrays, rows: kernel.rows, kernel, quantised: null };
}

/** Levels below the root of a tree (nodes numbered in preorder: parents before their children). */
export function treeDepth(left: Int32Array, right: Int32Array): number {
  const level = new Int32Array(left.length);
  let depth = 0;
  for (let v = 0; v < left.length; v++) {
    if (left[v] < 0) continue;
    level[left[v]] = level[right[v]] = level[v] + 1;
    depth = Math.max(depth, level[v] + 1);
  }
  return depth;
}

/** The tree-space radius that every pair within metric distance `r` satisfies. */
export function treeRadius(b: PointBlock, r: number): number {
  return (b.metric === 'cosine' ? Math.sqrt(2 * Math.max(0, r)) : r) + b.slack;
}

// The traversal stack of the searches below (one search runs at a time on a thread), sized for the
// deepest tree built so far: a depth-first search holds at most two entries per level.
let stackNode = new Int32Array(128);
let stackDist = new Float64Array(128);

/** Makes room for a depth-first search of a tree `levels` deep (at most one entry per level, plus one). */
function ensureStack(levels: number): void {
  if (stackNode.length >= 2 * levels + 2) return;
  stackNode = new Int32Array(2 * levels + 2);
  stackDist = new Float64Array(2 * levels + 2);
}

/**
 * Pushes the children of node v for a depth-first search from position p, the nearer child on top so it
 * is searched first; returns the new stack top.
 */
function pushChildren(b: PointBlock, p: number, v: number, top: number): number {
  const d = b.d;
  const r = rowStart(b, p);
  const dl = toCentre(b.rows, r, b.inv[p], b.centre, b.left[v] * d, d);
  const dr = toCentre(b.rows, r, b.inv[p], b.centre, b.right[v] * d, d);
  const leftNearer = dl <= dr;
  stackNode[top] = leftNearer ? b.right[v] : b.left[v];
  stackDist[top] = leftNearer ? dr : dl;
  stackNode[top + 1] = leftNearer ? b.left[v] : b.right[v];
  stackDist[top + 1] = leftNearer ? dl : dr;
  return top + 2;
}

/** Starts a search from position p at the root; returns the stack top. */
function pushRoot(b: PointBlock, p: number): number {
  stackNode[0] = 0;
  stackDist[0] = toCentre(b.rows, rowStart(b, p), b.inv[p], b.centre, 0, b.d);
  return 1;
}

/**
 * Starts every row's neighbour list (k slots at seeds[i·k]) from the rows of its own leaf: all pairs of a
 * leaf are close together, so in low dimension most rows fill their list here, and their core test needs
 * no search. Each pair is decided once, for both rows.
 */
export function seedFromLeaves(
  b: PointBlock,
  eps: number,
  k: number,
  seeds: Int32Array,
  fill: Int32Array,
): void {
  if (k === 0) return;
  const { left, start, end, leafDist } = b;
  for (let v = 0; v < left.length; v++) {
    if (left[v] >= 0) continue;
    for (let p = start[v]; p < end[v]; p++) {
      for (let q = p + 1; q < end[v]; q++) {
        if (fill[p] >= k && fill[q] >= k) continue;
        // |d(p, c) − d(q, c)| ≤ d(p, q): a cheap rejection by the leaf centre
        if (Math.abs(leafDist[p] - leafDist[q]) > eps + b.slack && b.metric === 'euclidean') continue;
        if (distanceWithin(b, p, q, eps) > eps) continue;
        if (fill[p] < k) seeds[p * k + fill[p]++] = q;
        if (fill[q] < k) seeds[q * k + fill[q]++] = p;
      }
    }
  }
}

/**
 * Fills p's neighbour list (k slots at seeds[p·k]) with rows within metric distance `eps`, nearest subtrees
 * first, until it is full. Slots already filled — rows whose own search found p — are not counted twice,
 * and p enters the list of every unsearched row it finds, so a row whose list filled up before its turn
 * needs no search at all. A list that stays short after the search holds every neighbour of p.
 */
export function collectNeighbours(
  b: PointBlock,
  p: number,
  eps: number,
  k: number,
  seeds: Int32Array,
  fill: Int32Array,
  searched: Uint8Array,
): void {
  searched[p] = 1;
  if (fill[p] >= k) return;
  const { radius, left, start, end, leafDist } = b;
  const r = treeRadius(b, eps);
  const base = p * k;
  const known = fill[p];
  let top = pushRoot(b, p);
  while (top > 0) {
    top--;
    const v = stackNode[top];
    const dc = stackDist[top];
    if (dc - radius[v] > r) continue;
    if (left[v] >= 0) {
      top = pushChildren(b, p, v, top);
      continue;
    }
    for (let q = start[v]; q < end[v]; q++) {
      const g = dc - leafDist[q];
      if (q === p || g > r || -g > r || distanceWithin(b, p, q, eps) > eps) continue;
      let seen = false;
      for (let t = base; t < base + known; t++) seen ||= seeds[t] === q;
      if (seen) continue;
      seeds[base + fill[p]++] = q;
      if (!searched[q] && fill[q] < k) seeds[q * k + fill[q]++] = p;
      if (fill[p] >= k) return;
    }
  }
}

/**
 * Joins core point p with every core point within `eps` whose component differs from p's (union-find in
 * `parent`), skipping subtrees whose core points all share p's component already (`uniform[v]` is a root
 * they share, or NO_CORE when they hold none).
 */
export function uniteWithNeighbours(
  b: PointBlock,
  p: number,
  eps: number,
  isCore: Uint8Array,
  parent: Int32Array,
  uniform: Int32Array,
): void {
  const { radius, left, start, end, leafDist } = b;
  const r = treeRadius(b, eps);
  let top = pushRoot(b, p);
  while (top > 0) {
    top--;
    const v = stackNode[top];
    const dc = stackDist[top];
    if (dc - radius[v] > r) continue;
    const u = uniform[v];
    if (u === NO_CORE || (u >= 0 && find(parent, u) === find(parent, p))) continue;
    if (left[v] >= 0) {
      top = pushChildren(b, p, v, top);
      continue;
    }
    for (let q = start[v]; q < end[v]; q++) {
      const g = dc - leafDist[q];
      if (!isCore[q] || q === p || g > r || -g > r) continue;
      const rp = find(parent, p);
      const rq = find(parent, q);
      if (rp !== rq && distanceWithin(b, p, q, eps) <= eps) unite(parent, p, q);
    }
  }
}

/** Marks a subtree without core points in `uniteWithNeighbours`' table. */
export const NO_CORE = -2;

/** The root of i's union-find tree, halving the path on the way. */
export function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

/** Merges the components of p and q; the lower root stays the root. */
export function unite(parent: Int32Array, p: number, q: number): void {
  const rp = find(parent, p);
  const rq = find(parent, q);
  if (rp !== rq) parent[Math.max(rp, rq)] = Math.min(rp, rq);
}

/** Cosine distance 1 − a·b/(‖a‖‖b‖), taken as 1 when either row is zero (as scikit-learn does). */
export function cosineDistanceRows(
  x: Float32Array,
  ra: number,
  y: Float32Array,
  rb: number,
  d: number,
): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < d; j++) {
    dot += x[ra + j] * y[rb + j];
    na += x[ra + j] * x[ra + j];
    nb += y[rb + j] * y[rb + j];
  }
  return na === 0 || nb === 0 ? 1 : 1 - dot / (Math.sqrt(na) * Math.sqrt(nb));
}

/** Euclidean distance √(Σⱼ (aⱼ − bⱼ)²), summed in coordinate order. */
export function euclideanDistanceRows(
  x: Float32Array,
  ra: number,
  y: Float32Array,
  rb: number,
  d: number,
): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = x[ra + j] - y[rb + j];
    s += t * t;
  }
  return Math.sqrt(s);
}

/**
 * The exact distance between positions p and q, or +∞ as soon as it is certain to exceed `bound` (the
 * partial sum of squares only grows, so abandoning early never changes a comparison with `bound`).
 */
export function distanceWithin(b: PointBlock, p: number, q: number, bound: number): number {
  const d = b.d;
  const rows = b.rows;
  const ra = rowStart(b, p);
  const rb = rowStart(b, q);
  if (b.metric === 'cosine') return cosineDistanceRows(rows, ra, rows, rb, d);
  const cap = bound * bound * (1 + 1e-12) + 1e-300;
  let s = 0;
  let j = 0;
  for (; j + 8 <= d; j += 8) {
    const t0 = rows[ra + j] - rows[rb + j];
    const t1 = rows[ra + j + 1] - rows[rb + j + 1];
    const t2 = rows[ra + j + 2] - rows[rb + j + 2];
    const t3 = rows[ra + j + 3] - rows[rb + j + 3];
    const t4 = rows[ra + j + 4] - rows[rb + j + 4];
    const t5 = rows[ra + j + 5] - rows[rb + j + 5];
    const t6 = rows[ra + j + 6] - rows[rb + j + 6];
    const t7 = rows[ra + j + 7] - rows[rb + j + 7];
    s += t0 * t0;
    s += t1 * t1;
    s += t2 * t2;
    s += t3 * t3;
    s += t4 * t4;
    s += t5 * t5;
    s += t6 * t6;
    s += t7 * t7;
    if (s > cap) return Infinity;
  }
  for (; j < d; j++) {
    const t = rows[ra + j] - rows[rb + j];
    s += t * t;
  }
  return Math.sqrt(s);
}

/**
 * Inserts dd into the ascending list best[from, from + size − 1) — one slot longer once it holds it, or
 * the same length with its largest value dropped when the list was full (size then equals its length).
 */
export function insertSorted(best: Float64Array, from: number, size: number, dd: number): void {
  let at = from + size - 1;
  while (at > from && best[at - 1] > dd) {
    best[at] = best[at - 1];
    at--;
  }
  best[at] = dd;
}

/** For each listed position, the exact distance to its k-th nearest other row of the block (k ≥ 1). */
export function kthNeighbourDistances(b: PointBlock, positions: Int32Array, k: number): Float64Array {
  const out = new Float64Array(positions.length);
  const best = new Float64Array(k);
  const { radius, left, start, end, leafDist } = b;
  for (let s = 0; s < positions.length; s++) {
    const p = positions[s];
    let found = 0;
    let kth = Infinity;
    let r = Infinity;
    let top = b.m > 0 ? pushRoot(b, p) : 0;
    while (top > 0) {
      top--;
      const v = stackNode[top];
      const dc = stackDist[top];
      if (dc - radius[v] > r) continue;
      if (left[v] >= 0) {
        top = pushChildren(b, p, v, top);
        continue;
      }
      for (let q = start[v]; q < end[v]; q++) {
        const g = dc - leafDist[q];
        if (q === p || g > r || -g > r) continue;
        const dist = distanceWithin(b, p, q, kth);
        if (found === k && !(dist < kth)) continue;
        if (found < k) found++;
        insertSorted(best, 0, found, dist);
        if (found === k) {
          kth = best[k - 1];
          r = treeRadius(b, kth);
        }
      }
    }
    out[s] = found === k ? kth : Infinity;
  }
  return out;
}

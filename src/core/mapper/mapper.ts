/**
 * The mapper pipeline (DESIGN.md §5): lens → cover → cluster each preimage → nodes, edges, statistics.
 * A `MapperSession` keeps what a parameter change does not invalidate — lens values, the lens order, the
 * k-distance curve and each preimage's clustering — so the panel's live re-clustering redoes only what
 * changed.
 */
import { performance } from 'node:perf_hooks';
import { InputError } from '../errors';
import { silentContext } from '../jobs/context';
import type { JobContext } from '../jobs/types';
import { buildCover, lensOrder, validateCoverParams } from './cover';
import { validateDbscanParams } from './dbscan';
import { kDistanceCurve } from './eps-auto';
import { buildBlock, type PointBlock } from './neighbors';
import { dbscanEach } from './parallel';
import { buildEdges } from './graph';
import { computeLens } from './lens';
import { singleLinkage } from './single-linkage';
import { classInfo, nodeStats, sizeWeightedMean } from './stats';
import {
  MAPPER_DEFAULTS,
  type KDistanceCurve,
  type MapperGraph,
  type MapperNode,
  type MapperParams,
  type Metric,
  type ResolvedMapperParams,
} from './types';

/** The point cloud and what is known about its rows. */
export interface MapperInput {
  /** Row-major N×D activations. */
  x: Float32Array;
  n: number;
  d: number;
  labels?: Int32Array;
  predictions?: Int32Array;
  /** Values of a `file:` lens, one per row. */
  lensValues?: Float64Array;
}

type Unresolved = Omit<ResolvedMapperParams, 'eps' | 'epsAuto'> & { eps: number | 'auto' };

const COVERS = ['uniform', 'balanced', 'keplermapper'];
const CLUSTERERS = ['dbscan', 'single-linkage'];
const METRICS = ['euclidean', 'cosine'];
const NOISE = ['drop', 'node'];

function oneOf(name: string, value: string, allowed: string[]): void {
  if (!allowed.includes(value)) {
    throw new InputError('', `${name} must be one of ${allowed.join(', ')}; got "${value}"`, 'bad-parameter');
  }
}

/** Fills defaults and checks every option (eps stays "auto" until a data set resolves it). */
export function withDefaults(p: MapperParams = {}): Unresolved {
  const defined = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as MapperParams;
  const r = { ...MAPPER_DEFAULTS, ...defined } as Unresolved;
  oneOf('cover', r.cover, COVERS);
  oneOf('clusterer', r.clusterer, CLUSTERERS);
  oneOf('metric', r.metric, METRICS);
  oneOf('noise', r.noise, NOISE);
  validateCoverParams(r.intervals, r.overlap);
  if (r.eps !== 'auto') validateDbscanParams(r.eps, r.minSamples);
  else validateDbscanParams(0, r.minSamples);
  if (!(r.epsQuantile > 0 && r.epsQuantile <= 1)) {
    throw new InputError('', `eps quantile must be in (0, 1], got ${r.epsQuantile}`, 'bad-parameter');
  }
  if (!Number.isInteger(r.linkageBins) || r.linkageBins < 1) {
    throw new InputError(
      '',
      `linkage bins must be a positive integer, got ${r.linkageBins}`,
      'bad-parameter',
    );
  }
  return r;
}

interface PreimageClusters {
  key: string;
  /** Row indices of each cluster, ascending; the interval's noise (possibly empty) last. */
  clusters: Int32Array[];
  noise: Int32Array;
}

export interface RunOptions {
  ctx?: JobContext;
  /** Include every row's lens value in the graph (for lens colouring and the sorted layout). */
  includeLens?: boolean;
}

export class MapperSession {
  private readonly lenses = new Map<string, { values: Float64Array; order: Int32Array }>();
  private readonly curves = new Map<string, KDistanceCurve>();
  /** The neighbour tree of all rows, per metric: the k-distance rule and every preimage share it. */
  private readonly blocks = new Map<Metric, PointBlock>();
  private clusterCache = new Map<string, PreimageClusters>();

  constructor(readonly input: MapperInput) {
    if (input.n < 1) throw new InputError('', 'the activation matrix has no rows', 'shape-mismatch');
    for (const [name, v] of [
      ['labels', input.labels],
      ['predictions', input.predictions],
    ] as const) {
      if (v && v.length !== input.n) {
        throw new InputError(
          '',
          `${name} have ${v.length} rows, activations ${input.n}`,
          'row-count-mismatch',
        );
      }
    }
  }

  /** Lens values and their ascending order, computed once per lens. */
  lens(
    name: ResolvedMapperParams['lens'],
    bandwidth: number | 'auto',
  ): { values: Float64Array; order: Int32Array } {
    const key = name === 'density' ? `${name}|${bandwidth}` : name;
    let hit = this.lenses.get(key);
    if (!hit) {
      const { x, n, d, lensValues } = this.input;
      const values = computeLens(name, x, n, d, { bandwidth, values: lensValues });
      hit = { values, order: lensOrder(values) };
      this.lenses.set(key, hit);
    }
    return hit;
  }

  /** The block of all rows under `metric`, built once. */
  block(metric: Metric): PointBlock {
    let hit = this.blocks.get(metric);
    if (!hit) {
      const { x, n, d } = this.input;
      hit = buildBlock(
        x,
        d,
        Int32Array.from({ length: n }, (_, i) => i),
        metric,
      );
      this.blocks.set(metric, hit);
    }
    return hit;
  }

  kDistance(minSamples: number, quantile: number, metric: ResolvedMapperParams['metric']): KDistanceCurve {
    const key = `${minSamples}|${quantile}|${metric}`;
    let hit = this.curves.get(key);
    if (!hit) {
      const { x, n, d } = this.input;
      hit = kDistanceCurve(x, n, d, minSamples, quantile, metric, () => this.block(metric));
      this.curves.set(key, hit);
    }
    return hit;
  }

  /** Resolves eps ("auto" by the k-distance rule on this set) and the other defaults. */
  resolve(params: MapperParams = {}): { parameters: ResolvedMapperParams; kDistance?: KDistanceCurve } {
    const r = withDefaults(params);
    if (r.eps !== 'auto') return { parameters: { ...r, eps: r.eps, epsAuto: false } };
    const kDistance = this.kDistance(r.minSamples, r.epsQuantile, r.metric);
    return { parameters: { ...r, eps: kDistance.eps, epsAuto: true }, kDistance };
  }

  run(params: MapperParams = {}, opts: RunOptions = {}): MapperGraph {
    const ctx = opts.ctx ?? silentContext;
    const t0 = performance.now();
    const { parameters: p, kDistance } = this.resolve(params);
    const { n, labels, predictions } = this.input;
    const lens = this.lens(p.lens, p.densityBandwidth);
    const cover = buildCover(p.cover, lens.values, lens.order, p.intervals, p.overlap);
    ctx.throwIfCancelled();

    const clusterKey =
      p.clusterer === 'dbscan'
        ? `dbscan|${p.eps}|${p.minSamples}|${p.metric}`
        : `linkage|${p.linkageBins}|${p.minSamples}|${p.metric}`;
    const coverKey = `${p.lens}|${p.densityBandwidth}|${p.cover}|${p.intervals}|${p.overlap}`;
    const nextCache = new Map<string, PreimageClusters>();
    const perInterval = new Array<PreimageClusters>(cover.preimages.length);
    const covered = new Uint8Array(n);
    const clustered = new Uint8Array(n);
    // the DBSCAN preimages not cached, clustered together below (some on helper threads)
    const pending: number[] = [];
    for (let k = 0; k < cover.preimages.length; k++) {
      const rows = cover.preimages[k];
      for (let i = 0; i < rows.length; i++) covered[rows[i]] = 1;
      const key = `${coverKey}|${k}|${clusterKey}`;
      let result = this.clusterCache.get(key);
      if (!result && rows.length < p.minSamples) result = { key, clusters: [], noise: new Int32Array(0) };
      if (!result && p.clusterer !== 'dbscan') {
        const { labels, clusters } = singleLinkage(this.input.x, this.input.d, rows, p.linkageBins, p.metric);
        result = clustersOf(rows, labels, clusters, key);
        ctx.throwIfCancelled();
      }
      if (rows.length >= p.minSamples) for (let i = 0; i < rows.length; i++) clustered[rows[i]] = 1;
      if (result) {
        perInterval[k] = result;
        nextCache.set(key, result);
      } else {
        pending.push(k);
      }
    }
    if (pending.length > 0) {
      const whole = this.block(p.metric);
      const preimages = pending.map((k) => cover.preimages[k]);
      let finished = 0;
      const found = dbscanEach(whole, preimages, p.eps, p.minSamples, () => {
        ctx.progress(++finished / pending.length, `preimage ${finished} of ${pending.length}`);
        ctx.throwIfCancelled();
      });
      pending.forEach((k, i) => {
        const key = `${coverKey}|${k}|${clusterKey}`;
        perInterval[k] = clustersOf(preimages[i], found[i].labels, found[i].clusters, key);
        nextCache.set(key, perInterval[k]);
      });
    }
    ctx.progress(1);
    this.clusterCache = nextCache;

    const members: { interval: number; rows: Int32Array; noise: boolean }[] = [];
    perInterval.forEach((r, k) => {
      for (const rows of r.clusters) members.push({ interval: k, rows, noise: false });
      if (p.noise === 'node' && r.noise.length > 0) members.push({ interval: k, rows: r.noise, noise: true });
    });
    const info = classInfo(labels, predictions);
    const nodes: MapperNode[] = members.map((m, id) => ({
      id,
      interval: m.interval,
      noise: m.noise,
      members: Array.from(m.rows),
      ...nodeStats(m.rows, lens.values, info, labels, predictions),
    }));
    const edges = buildEdges(
      members.map((m) => m.rows),
      n,
    );

    const inGraph = new Uint8Array(n);
    for (const m of members) for (let i = 0; i < m.rows.length; i++) inGraph[m.rows[i]] = 1;
    let pointsInGraph = 0;
    const dropped = { noise: 0, smallPreimage: 0, uncovered: 0 };
    for (let i = 0; i < n; i++) {
      if (inGraph[i]) pointsInGraph++;
      else if (clustered[i]) dropped.noise++;
      else if (covered[i]) dropped.smallPreimage++;
      else dropped.uncovered++;
    }
    const graph: MapperGraph = {
      parameters: p,
      summary: {
        points: n,
        nodes: nodes.length,
        edges: edges.length,
        pointsInGraph,
        pointsDropped: n - pointsInGraph,
        droppedByReason: dropped,
        weightedPurity: sizeWeightedMean(nodes, (i) => nodes[i].purity),
        meanAccuracy: sizeWeightedMean(nodes, (i) => nodes[i].accuracy),
        classes: info.k,
        seconds: (performance.now() - t0) / 1000,
      },
      nodes,
      edges,
      cover: cover.intervals,
    };
    if (kDistance) graph.kDistance = kDistance;
    if (opts.includeLens) graph.lens = Array.from(lens.values);
    return graph;
  }
}

/** A preimage's clusters (rows ascending) and its noise, from per-row labels (−1: noise). */
function clustersOf(rows: Int32Array, labels: Int32Array, clusters: number, key: string): PreimageClusters {
  const sizes = new Int32Array(clusters + 1);
  for (let i = 0; i < labels.length; i++) sizes[labels[i] + 1]++;
  const out = Array.from(sizes, (s) => new Int32Array(s));
  const fill = new Int32Array(clusters + 1);
  for (let i = 0; i < labels.length; i++) out[labels[i] + 1][fill[labels[i] + 1]++] = rows[i];
  return { key, clusters: out.slice(1), noise: out[0] };
}

/** One mapper graph of one point cloud (no caching across calls). */
export function buildMapper(
  input: MapperInput,
  params: MapperParams = {},
  opts: RunOptions = {},
): MapperGraph {
  return new MapperSession(input).run(params, opts);
}

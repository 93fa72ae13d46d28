/**
 * Messages between the polytope panel host and its webview, built from the shared schema validators so
 * both sides check what arrives. Host → webview carries typed arrays (packed by typed-transport.ts); webview → host is
 * JSON only. `save`, `ready`, `busy` and `error` are the shared protocol's own validators, so the shared
 * host channel (webview/shared/host.ts) serves this panel too.
 */
import {
  array,
  bool,
  int,
  literal,
  nullable,
  num,
  numbers,
  object,
  optional,
  str,
  tagged,
  SchemaError,
  type Infer,
  type Validator,
} from '../shared/schema';
import { busyMessage, errorMessage, readyMessage, saveMessage } from '../shared/protocol';
import { COLOUR_MODES } from './colour';

type TypedCtor<T> = { new (n: number): T; readonly name: string };

/** A typed array of one kind, kept as is (no copy); floating arrays must hold finite values. */
function typed<T extends ArrayLike<number>>(ctor: TypedCtor<T>): Validator<T> {
  return (v, at = '') => {
    if (!(v instanceof (ctor as unknown as new () => T))) {
      throw new SchemaError(at, `a ${ctor.name}, not ${Object.prototype.toString.call(v)}`);
    }
    const a = v as T;
    for (let i = 0; i < a.length; i++)
      if (!Number.isFinite(a[i])) throw new SchemaError(`${at}[${i}]`, 'a finite number');
    return a;
  };
}

/** [x0, x1, y0, y1] with x0 < x1 and y0 < y1. */
export const box: Validator<[number, number, number, number]> = (v, at = '') => {
  const b = numbers(4)(v, at);
  if (b.length !== 4 || !(b[0] < b[1] && b[2] < b[3]))
    throw new SchemaError(at, 'a box [x0, x1, y0, y1] with x0 < x1, y0 < y1');
  return b as [number, number, number, number];
};
export type Box = Infer<typeof box>;

export const anchorIndices: Validator<[number, number, number]> = (v, at = '') => {
  const a = numbers(3)(v, at);
  if (a.length !== 3 || !a.every((i) => Number.isInteger(i) && i >= 0) || new Set(a).size !== 3) {
    throw new SchemaError(at, 'three distinct sample indices');
  }
  return a as [number, number, number];
};

const fVector: Validator<[number, number, number]> = (v, at = '') => {
  const f = numbers(3)(v, at);
  if (f.length !== 3) throw new SchemaError(at, 'an f-vector [f0, f1, f2]');
  return f as [number, number, number];
};

/** null where undefined: no training points with labels, or a component too small for λ₂ / λ₃. */
export const fiedlerMetricsView = object({
  misclassifiedPct: nullable(num),
  l2Error: nullable(num),
  lambda2: nullable(num),
  gapRatio: nullable(num),
  components: int,
});
export type FiedlerMetricsView = Infer<typeof fiedlerMetricsView>;

export const bettiCurvesView = object({
  fraction: numbers(),
  beta0: numbers(),
  beta1: numbers(),
  trials: int,
});
export type BettiCurvesView = Infer<typeof bettiCurvesView>;

/** One computed complex, reduced to what the panel draws: polygons, per-face values, overlays, metrics. */
export const regionData = object({
  /** What was analysed, for titles and exports (a file name, or "epoch 300"). */
  label: str,
  box,
  /** Face i is vertices offsets[i] … offsets[i+1]−1 of coords (x, y pairs, in plot coordinates). */
  offsets: typed<Uint32Array>(Uint32Array),
  coords: typed<Float64Array>(Float64Array),
  /** Each face's activation pattern as a string of 0/1, neurons in layer order. */
  patterns: array(str),
  areas: typed<Float64Array>(Float64Array),
  /** Arg-max class of the network at each face's centroid. */
  predictions: typed<Int32Array>(Int32Array),
  pointCounts: typed<Int32Array>(Int32Array),
  fiedlerUnweighted: nullable(typed<Float64Array>(Float64Array)),
  fiedlerWeighted: nullable(typed<Float64Array>(Float64Array)),
  /** Dual-graph edges (shared facets) as face index pairs. */
  dualEdges: typed<Uint32Array>(Uint32Array),
  centroids: typed<Float64Array>(Float64Array),
  fVector,
  euler: int,
  dualEdgeCounts: object({ facet: int, hamming1: int }),
  metrics: object({ unweighted: nullable(fiedlerMetricsView), weighted: nullable(fiedlerMetricsView) }),
  betti: nullable(bettiCurvesView),
  /** Training points in plot coordinates with their labels (null: none given). */
  points: nullable(
    object({ coords: typed<Float64Array>(Float64Array), labels: typed<Int32Array>(Int32Array) }),
  ),
  /** The three slice anchors in plot coordinates (inputs of dimension > 2 only). */
  anchors: nullable(typed<Float64Array>(Float64Array)),
  inputDim: int,
  trainFile: nullable(str),
  seconds: num,
});
export type RegionData = Infer<typeof regionData>;

export const sweepCheckpointView = object({
  file: str,
  epoch: int,
  fVector,
  betaMax: object({ beta0: num, beta1: num }),
  beta1PeakFraction: num,
  loss: nullable(num),
});
export type SweepCheckpointView = Infer<typeof sweepCheckpointView>;

export const correlationView = object({ name: str, pearson: nullable(num), spearman: nullable(num) });
export type CorrelationView = Infer<typeof correlationView>;

export const sweepData = object({
  folder: str,
  checkpoints: array(sweepCheckpointView),
  /** rows = checkpoints; columns = cells added ÷ the largest total cell count. */
  heatmap: object({ columns: numbers(), beta0: array(numbers()), beta1: array(numbers()) }),
  correlations: array(correlationView),
  lossFile: nullable(str),
  trials: int,
});
export type SweepData = Infer<typeof sweepData>;

/** What the panel shows; kept by the webview (setState) so the serializer can restore it after reload. */
export const polytopeTarget = object({
  kind: literal('model', 'folder'),
  path: str,
  /** For inputs of dimension > 2: the data set the anchors index into, and the three indices. */
  inputs: optional(str),
  anchors: optional(anchorIndices),
  train: optional(str),
});
export type PolytopeTarget = Infer<typeof polytopeTarget>;

export const colourMode = literal(...COLOUR_MODES);

export const polytopeUiState = object({
  target: polytopeTarget,
  box: nullable(box),
  colour: colourMode,
  showPoints: bool,
  showDual: bool,
  checkpoint: int,
});
export type PolytopeUiState = Infer<typeof polytopeUiState>;

export const polytopeHostMessage = tagged({
  /** `key` echoes the request's key, so a late answer to an older request is cached but not drawn. */
  regions: object({ type: literal('regions'), key: str, checkpoint: nullable(int), data: regionData }),
  sweep: object({ type: literal('sweep'), data: sweepData }),
  target: object({ type: literal('target'), target: polytopeTarget }),
  busy: busyMessage,
  error: errorMessage,
});
export type PolytopeHostMessage = Infer<typeof polytopeHostMessage>;

export const polytopeViewMessage = tagged({
  ready: readyMessage,
  compute: object({
    type: literal('compute'),
    key: str,
    box: nullable(box),
    checkpoint: nullable(int),
    anchors: nullable(anchorIndices),
  }),
  chooseTrain: object({ type: literal('chooseTrain') }),
  pickAnchors: object({ type: literal('pickAnchors') }),
  save: saveMessage,
});
export type PolytopeViewMessage = Infer<typeof polytopeViewMessage>;

export const parsePolytopeHostMessage = (v: unknown): PolytopeHostMessage => polytopeHostMessage(v);
export const parsePolytopeViewMessage = (v: unknown): PolytopeViewMessage => polytopeViewMessage(v);

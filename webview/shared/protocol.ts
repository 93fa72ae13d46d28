/**
 * The typed message protocol between the extension host and every TopoScope webview (DESIGN.md §2, §9).
 * Types are derived from the validators, so what is checked on arrival is exactly what is typed; both
 * sides call `parseHostMessage` / `parseViewMessage` before acting. DOM-free (the host imports it too).
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
  record,
  str,
  tagged,
  type Infer,
} from './schema';

/** Resolved mapper parameters as a graph carries them (src/core/mapper/types.ts ResolvedMapperParams). */
export const viewParams = object({
  lens: str,
  cover: literal('uniform', 'balanced', 'keplermapper'),
  intervals: int,
  overlap: num,
  clusterer: str,
  eps: num,
  epsAuto: bool,
  epsQuantile: num,
  minSamples: int,
  metric: literal('euclidean', 'cosine'),
  noise: literal('drop', 'node'),
});
export type ViewParams = Infer<typeof viewParams>;

/** What the user changed in the parameter bar; `eps` omitted means the quantile rule ("auto"). */
export const paramsChange = object({
  lens: optional(str),
  cover: optional(literal('uniform', 'balanced', 'keplermapper')),
  intervals: optional(int),
  overlap: optional(num),
  eps: optional(num),
  epsQuantile: optional(num),
  minSamples: optional(int),
  metric: optional(literal('euclidean', 'cosine')),
});
export type ParamsChange = Infer<typeof paramsChange>;

export const confusion = object({ label: int, prediction: int, count: int });
export type Confusion = Infer<typeof confusion>;

export const viewNode = object({
  id: int,
  interval: int,
  size: int,
  members: numbers(),
  /** The node holding an interval's DBSCAN noise (noise: "node"). */
  noise: bool,
  lensMean: num,
  /** null without labels. */
  purity: nullable(num),
  /** null without labels and predictions. */
  accuracy: nullable(num),
  labelCounts: nullable(numbers()),
  predictionCounts: nullable(numbers()),
  confusions: array(confusion),
});
export type ViewNode = Infer<typeof viewNode>;

export const viewEdge = object({ source: int, target: int, weight: num });
export type ViewEdge = Infer<typeof viewEdge>;

export const viewSummary = object({
  points: int,
  nodes: int,
  edges: int,
  pointsInGraph: int,
  pointsDropped: int,
  /** Points not in any node, by reason. */
  droppedByReason: optional(record(int)),
  weightedPurity: nullable(num),
  meanAccuracy: nullable(num),
  seconds: num,
});
export type ViewSummary = Infer<typeof viewSummary>;

/** One mapper graph as a view needs it: the mapper engine's MapperGraph (§11 `mapper --json` and more). */
export const graphView = object({
  parameters: viewParams,
  summary: viewSummary,
  nodes: array(viewNode),
  edges: array(viewEdge),
  /** Sorted distances to the k-th nearest other point, for picking ε; `eps` is the resolved quantile. */
  kDistance: optional(object({ k: int, quantile: num, eps: num, values: numbers() })),
  /** The lens value of every row. */
  lens: optional(numbers()),
});
export type GraphView = Infer<typeof graphView>;

export const sample = object({
  index: int,
  label: nullable(int),
  prediction: nullable(int),
  /** An image the view may show: a webview URI, or a data: URL of a rendered PNG. */
  src: optional(str),
  /** Short display name (the file's base name, or "row 12"). */
  name: optional(str),
});
export type Sample = Infer<typeof sample>;

/** The data of a mapper view: one graph plus what is needed to label it. */
export const mapperData = object({
  title: str,
  graph: graphView,
  classes: array(str),
  /** Per-point true labels and predictions (int per row), for the weak-region table and refinement set. */
  labels: optional(numbers()),
  predictions: optional(numbers()),
  /** Whether the host can recompute (false in the static report). */
  live: bool,
  /** Whether samples can be listed for nodes (a manifest or image source exists). */
  hasSamples: bool,
  /** Per-row image paths relative to the page (static report only; the panel asks the host instead). */
  sampleSrcs: optional(array(str)),
});
export type MapperData = Infer<typeof mapperData>;

export const compareSet = object({
  name: str,
  epsilon: num,
  graph: graphView,
  predictions: optional(numbers()),
});
export type CompareSet = Infer<typeof compareSet>;

export const compareData = object({
  title: str,
  classes: array(str),
  labels: optional(numbers()),
  sets: array(compareSet),
  live: bool,
  hasSamples: bool,
  sampleSrcs: optional(array(str)),
});
export type CompareData = Infer<typeof compareData>;

export const layerInfo = object({ name: str, op: str, shape: array(nullable(num)) });

/** What the model-flow form shows: the model summary and the candidate files in the workspace. */
export const modelFlowData = object({
  title: str,
  model: str,
  layers: array(layerInfo),
  inputs: array(str),
  labelFiles: array(str),
  defaults: object({
    inputs: optional(str),
    labels: optional(str),
    layer: optional(str),
    attack: literal('fgsm', 'pgd-linf', 'pgd-l2'),
    epsilons: numbers(),
    steps: int,
  }),
  trusted: bool,
});
export type ModelFlowData = Infer<typeof modelFlowData>;

export const modelRun = object({
  inputs: str,
  labels: str,
  layer: str,
  attack: literal('fgsm', 'pgd-linf', 'pgd-l2'),
  epsilons: numbers(64),
  steps: int,
});
export type ModelRun = Infer<typeof modelRun>;

/**
 * Messages every view has, with one shape: the polytope protocol (webview/polytope/protocol.ts) builds its
 * own unions from these, so host.ts can serve both and treat `save` the same way for either.
 */
export const readyMessage = object({ type: literal('ready') });
export const busyMessage = object({ type: literal('busy'), busy: bool, message: optional(str) });
export const errorMessage = object({ type: literal('error'), message: str });
export const saveMessage = object({
  type: literal('save'),
  name: str,
  format: literal('png', 'svg', 'json', 'csv'),
  encoding: literal('utf8', 'base64'),
  data: str,
});
export type SaveMessage = Infer<typeof saveMessage>;

/** Messages from the extension host to a webview. */
export const hostMessage = tagged({
  mapper: object({ type: literal('mapper'), data: mapperData, requestId: optional(int) }),
  compare: object({ type: literal('compare'), data: compareData }),
  modelFlow: object({ type: literal('modelFlow'), data: modelFlowData }),
  progress: object({ type: literal('progress'), fraction: num, message: optional(str) }),
  busy: busyMessage,
  error: errorMessage,
  samples: object({ type: literal('samples'), nodeId: int, total: int, samples: array(sample, 2000) }),
  saved: object({ type: literal('saved'), path: str }),
  focusNode: object({ type: literal('focusNode'), nodeId: int }),
});
export type HostMessage = Infer<typeof hostMessage>;

/** Messages from a webview to the extension host (JSON only: webview → host never carries typed arrays). */
export const viewMessage = tagged({
  ready: readyMessage,
  params: object({ type: literal('params'), params: paramsChange, requestId: int }),
  nodeSamples: object({ type: literal('nodeSamples'), nodeId: int, members: numbers(2000) }),
  openSample: object({ type: literal('openSample'), index: int }),
  /** Show Polytopes on the 2-D slice of a model's input space through these three samples (rows). */
  polytopeSlice: object({ type: literal('polytopeSlice'), indices: numbers(3) }),
  save: saveMessage,
  exportRows: object({
    type: literal('exportRows'),
    name: str,
    format: literal('csv', 'npy'),
    rows: array(object({ index: int, node: int })),
  }),
  runModel: object({ type: literal('runModel'), run: modelRun }),
  cancel: object({ type: literal('cancel') }),
  saveSpec: object({ type: literal('saveSpec') }),
});
export type ViewMessage = Infer<typeof viewMessage>;

export const parseHostMessage = (v: unknown): HostMessage => hostMessage(v);
export const parseViewMessage = (v: unknown): ViewMessage => viewMessage(v);

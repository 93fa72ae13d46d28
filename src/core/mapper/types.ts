/**
 * The mapper engine's vocabulary (DESIGN.md §5, §11): parameters with their defaults, the graph it builds,
 * and the weak-region and refinement views derived from it. Everything here is plain data that survives
 * JSON and structured clone, so the worker, the CLI, the webview and saved graphs share one shape.
 */

/**
 * Lens names: `l2norm` ‖x‖₂, `linf` ‖x‖∞, `mean` mean coordinate, `pca1` projection on the first principal
 * component, `density` Gaussian KDE, `eccentricity` mean distance to all points, `coordinate:<i>` one column,
 * `file:<tensor spec>` a user vector of N values read from a file.
 */
export type LensName =
  | 'l2norm'
  | 'linf'
  | 'mean'
  | 'pca1'
  | 'density'
  | 'eccentricity'
  | `coordinate:${number}`
  | `file:${string}`;

export type CoverKind = 'uniform' | 'balanced' | 'keplermapper';
export type ClustererKind = 'dbscan' | 'single-linkage';
export type Metric = 'euclidean' | 'cosine';
/** `drop`: DBSCAN noise leaves the graph (counted); `node`: each interval's noise becomes one node. */
export type NoisePolicy = 'drop' | 'node';

/** Every mapper option of DESIGN.md §5/§11; omitted fields take the values in `MAPPER_DEFAULTS`. */
export interface MapperParams {
  lens?: LensName;
  /** Gaussian KDE bandwidth for the `density` lens; `auto` is Scott's rule on the lens-space spread. */
  densityBandwidth?: number | 'auto';
  cover?: CoverKind;
  /** n, the number of intervals (≥ 1). */
  intervals?: number;
  /** p ∈ [0, 1). */
  overlap?: number;
  clusterer?: ClustererKind;
  /** DBSCAN radius (and the single-linkage cut floor is unrelated); `auto` resolves by the k-distance rule. */
  eps?: number | 'auto';
  /** q of the k-distance rule, in (0, 1]. */
  epsQuantile?: number;
  /** DBSCAN minSamples (counting the point itself); also the smallest preimage that is clustered. */
  minSamples?: number;
  metric?: Metric;
  noise?: NoisePolicy;
  /** Histogram bins for the single-linkage gap cut (cut at the first empty bin of merge heights). */
  linkageBins?: number;
}

/** Parameters after defaults and `eps: auto` are resolved; a graph always carries these. */
export interface ResolvedMapperParams {
  lens: LensName;
  densityBandwidth: number | 'auto';
  cover: CoverKind;
  intervals: number;
  overlap: number;
  clusterer: ClustererKind;
  eps: number;
  /** True when `eps` came from the k-distance rule (then `epsQuantile` says which quantile). */
  epsAuto: boolean;
  epsQuantile: number;
  minSamples: number;
  metric: Metric;
  noise: NoisePolicy;
  linkageBins: number;
}

export const MAPPER_DEFAULTS = {
  lens: 'l2norm',
  densityBandwidth: 'auto',
  cover: 'uniform',
  intervals: 20,
  overlap: 0.3,
  clusterer: 'dbscan',
  eps: 'auto',
  epsQuantile: 0.9,
  minSamples: 5,
  metric: 'euclidean',
  noise: 'drop',
  linkageBins: 10,
} as const satisfies Required<MapperParams>;

/** One (true label → predicted label) confusion inside a node, most frequent first. */
export interface Confusion {
  label: number;
  prediction: number;
  count: number;
}

export interface MapperNode {
  /** Position in `MapperGraph.nodes` (nodes are ordered by interval, then by cluster). */
  id: number;
  /** Index k of the cover interval whose preimage this cluster came from. */
  interval: number;
  size: number;
  /** Row indices into the activation matrix, ascending. */
  members: number[];
  /** True for the one node per interval that holds that interval's DBSCAN noise (`noise: "node"`). */
  noise: boolean;
  lensMean: number;
  /** p_v = 1 − H(q_v)/log K; null without labels. */
  purity: number | null;
  /** mean(ŷᵢ = yᵢ) over members; null without both labels and predictions. */
  accuracy: number | null;
  /** Length K (classes of the whole set); null without labels. */
  labelCounts: number[] | null;
  predictionCounts: number[] | null;
  /** Top misclassifications in the node (at most 3), most frequent first; empty without predictions. */
  confusions: Confusion[];
}

export interface MapperEdge {
  source: number;
  target: number;
  /** |C_u ∩ C_v|, the number of shared points. */
  weight: number;
}

export interface DroppedByReason {
  /** Points that DBSCAN called noise in every clustered preimage they fell in. */
  noise: number;
  /** Points whose every preimage had fewer than minSamples points. */
  smallPreimage: number;
  /** Points in no interval at all (only a balanced cover with overlap 0 can leave a rank on a shared end). */
  uncovered: number;
}

export interface MapperSummary {
  /** N, rows of the activation matrix. */
  points: number;
  nodes: number;
  edges: number;
  pointsInGraph: number;
  pointsDropped: number;
  droppedByReason: DroppedByReason;
  /** P̄ = Σ n_v p_v / Σ n_v; null without labels. */
  weightedPurity: number | null;
  /** Σ n_v acc_v / Σ n_v (size-weighted like the purity); null without predictions. */
  meanAccuracy: number | null;
  /** K, the number of distinct labels in the whole set (0 without labels). */
  classes: number;
  seconds: number;
}

/** The distances to the (minSamples−1)-th nearest other point over the seeded sample, ascending. */
export interface KDistanceCurve {
  /** k = minSamples − 1. */
  k: number;
  sampleSize: number;
  quantile: number;
  /** The q-quantile of `values`: what `eps: auto` resolves to. */
  eps: number;
  values: number[];
}

export interface MapperGraph {
  parameters: ResolvedMapperParams;
  summary: MapperSummary;
  nodes: MapperNode[];
  edges: MapperEdge[];
  /** The cover: interval k is [lo, hi] (membership closed or open as the cover kind defines). */
  cover: { lo: number; hi: number }[];
  /** Present when eps was resolved by the k-distance rule on this set. */
  kDistance?: KDistanceCurve;
  /** The lens value of every row (for the sorted-by-lens layout and colouring); omitted in saved graphs. */
  lens?: number[];
  /** The files the graph was built from (absolute), so a saved graph can find its labels and predictions. */
  files?: { activations: string; labels?: string; predictions?: string };
}

/** One row of the weak-region ranking (accuracy ascending, ties: larger node first). */
export interface WeakRegion {
  node: number;
  interval: number;
  size: number;
  accuracy: number;
  purity: number | null;
  /** accuracy < threshold. */
  weak: boolean;
  confusions: Confusion[];
}

/** One sample of the refinement set, in walk order. */
export interface RefinementRow {
  index: number;
  /** The sample's file when a manifest is known; else the empty string. */
  file: string;
  label: number;
  prediction: number;
  /** The node whose walk step added the sample. */
  node: number;
}

export interface RefinementSet {
  fraction: number;
  trainSize: number;
  /** Exactly ⌈fraction·trainSize⌉, or fewer when the ranking holds fewer misclassified samples. */
  size: number;
  indices: number[];
  rows: RefinementRow[];
}

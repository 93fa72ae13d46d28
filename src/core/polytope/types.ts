/**
 * The exact 2-D cell complex of a ReLU MLP and everything derived from it (DESIGN.md §7): dual graphs,
 * Fiedler partitions, Betti curves, checkpoint sweeps and activation-pattern graphs. Flat typed arrays
 * throughout, so results cross worker and webview boundaries by structured clone without conversion.
 */

/** The 2-D domain: a box in input coordinates, or in (u, v) coordinates of a slice through three samples. */
export interface Domain {
  /** [x0, x1, y0, y1] */
  box: [number, number, number, number];
  /** Present for a slice: x = origin + u·axes[0] + v·axes[1] with orthonormal axes (input dimension d). */
  slice?: { origin: Float64Array; axes: [Float64Array, Float64Array]; anchors: [number, number, number] };
}

/**
 * A planar cell complex: f0 vertices, f1 edges, f2 faces. Patterns are bit-packed: bit j of a face's
 * pattern (word j >>> 5, bit j & 31) is 1 iff hidden neuron j (all layers, in order) has pre-activation > 0.
 */
export interface CellComplex {
  /** Hidden widths h_1..h_L and their sum h (the pattern length). */
  hiddenWidths: number[];
  hidden: number;
  /** Uint32 words per pattern: ceil(h / 32). */
  words: number;
  /** Number of network outputs (columns of the per-face affine map). */
  outputs: number;
  domain: Domain;

  /** 2·f0: x, y of each vertex (domain coordinates). */
  vertexXY: Float64Array;
  /** f0·h: sign of each hidden neuron at each vertex, −1/0/+1 (0 = on that neuron's zero set). */
  vertexSigns: Int8Array;

  /** 2·f1: endpoints of each edge. */
  edgeVertices: Uint32Array;
  /** 2·f1: the incident faces of each edge; the second is −1 for a boundary edge. */
  edgeFaces: Int32Array;

  /** f2 + 1 offsets into faceVertices: face i's cycle is faceVertices[faceOffsets[i] .. faceOffsets[i+1]). */
  faceOffsets: Uint32Array;
  /** Counter-clockwise vertex cycles of all faces, concatenated. */
  faceVertices: Uint32Array;
  /** f2·words bit-packed activation patterns. */
  facePatterns: Uint32Array;
  faceArea: Float64Array;
  /** 2·f2 polygon centroids. */
  faceCentroid: Float64Array;
  /**
   * f2·outputs·3: on face i the network is affine, out_o(x, y) = A[o,0]·x + A[o,1]·y + c[o], stored as
   * (A[o,0], A[o,1], c[o]) for each output o.
   */
  faceAffine: Float64Array;
  /** Predicted class at each face's centroid (argmax of outputs; one output: 1 iff > 0). */
  facePredicted: Int32Array;
  /** Faces whose split needed repair for numerically inconsistent sign decisions (0 in generic cases). */
  repairs: number;
}

/** f-vector [f0, f1, f2] and the Euler characteristic f0 − f1 + f2. */
export type FVector = [number, number, number];

export type DualKind = 'facet' | 'hamming1';

/** An undirected simple graph on the faces: edge k joins source[k] < target[k]. */
export interface DualGraph {
  kind: DualKind;
  nodes: number;
  source: Uint32Array;
  target: Uint32Array;
}

/** A weighted undirected graph in CSR form (both directions stored), the solvers' input. */
export interface CsrGraph {
  n: number;
  /** n + 1 offsets into adjacency / weights. */
  offsets: Uint32Array;
  adjacency: Uint32Array;
  weights: Float64Array;
}

/** The paper's Table-1 metrics of a sign partition against class labels (DESIGN.md §7). */
export interface PartitionMetrics {
  /** Faces holding at least one training point (the faces the metrics are taken over). */
  facesWithPoints: number;
  misclassifiedPct: number;
  l2Error: number;
  /** Whether the complement of 1[v > 0] was the better prediction. */
  flipped: boolean;
}

export interface FiedlerResult {
  weighting: 'unweighted' | 'weighted';
  dual: DualKind;
  /** Connected components of the dual graph; each is solved on its own. */
  components: number;
  /** Component id of each face. */
  componentOf: Int32Array;
  /** λ₂ and λ₃/λ₂ of the largest component (NaN when it has fewer than 2 / 3 faces). */
  lambda2: number;
  lambda3: number;
  gapRatio: number;
  /** Fiedler vector (generalised eigenvector, per component, unit W-norm), one value per face. */
  vector: Float64Array;
  /** Sign of the vector per face: 1 iff > 0. */
  side: Uint8Array;
  solver: 'dense' | 'multilevel';
  /** Relative residual ‖S y − λ y‖ / λ of the largest component's solution. */
  residual: number;
  metrics?: PartitionMetrics;
}

/** Averaged random-filtration Betti curves; index t is after t + 1 cells have been added. */
export interface BettiCurves {
  fVector: FVector;
  trials: number;
  seed: number;
  /** Fraction of all cells added, (t + 1) / (f0 + f1 + f2). */
  fraction: Float64Array;
  beta0: Float64Array;
  beta1: Float64Array;
  max: { beta0: number; beta1: number };
  /** The fraction at which the averaged β₁ first reaches its maximum. */
  beta1PeakFraction: number;
}

export interface SweepCheckpoint {
  file: string;
  epoch: number;
  fVector: FVector;
  dualEdges: { facet: number; hamming1: number };
  betaMax: { beta0: number; beta1: number };
  beta1PeakFraction: number;
  /** Training loss at this epoch from loss.csv, or null when the file has no row for it. */
  loss: number | null;
}

export interface Correlation {
  pearson: number;
  spearman: number;
}

export interface SweepResult {
  checkpoints: SweepCheckpoint[];
  /**
   * Heat maps, rows = checkpoints, `columns` = cells added ÷ the largest total cell count over all
   * checkpoints; a row past its own total holds the complete complex (β₀ = 1, β₁ = 0).
   */
  heatmap: { columns: Float64Array; beta0: Float64Array[]; beta1: Float64Array[] };
  /** Correlation of the training loss with f0, f1, f2 and the β₁-peak fraction (null below 3 losses). */
  correlations: Record<'f0' | 'f1' | 'f2' | 'beta1PeakFraction', Correlation | null>;
  trials: number;
  box: [number, number, number, number];
}

/** Distinct activation patterns of real samples and their Hamming-1 graph (any input dimension). */
export interface PatternGraph {
  samples: number;
  hidden: number;
  words: number;
  /** Pattern id of each sample (ids in order of first appearance). */
  patternOf: Int32Array;
  /** patterns·words bit-packed distinct patterns. */
  patterns: Uint32Array;
  counts: Int32Array;
  /** patterns·classes label counts (classes = 0 without labels). */
  classes: number;
  labelCounts: Int32Array;
  /** Hamming-1 edges between distinct patterns: source[k] < target[k], and the neuron that differs. */
  source: Uint32Array;
  target: Uint32Array;
  flippedNeuron: Uint32Array;
  /** Connected component of each pattern; the largest one by number of patterns (ties: more samples). */
  componentOf: Int32Array;
  largestComponent: { id: number; patterns: number; samples: number };
}

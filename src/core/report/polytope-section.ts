/**
 * Turns the polytope team's results (cell complex, Fiedler partitions, Betti curves, sweep) into what the
 * polytope webview draws: flat polygons in plot coordinates, per-face patterns as 0/1 strings, training
 * points counted per face, and plain numbers for the charts. Pure: no `vscode`, so it is unit-tested.
 */
import type { BettiCurves, CellComplex, FiedlerResult, SweepResult } from '../polytope/types';
import { SpatialGrid } from '../../../webview/polytope/spatial-grid';
import type { FiedlerMetricsView, RegionData, SweepData } from '../../../webview/polytope/protocol';

export interface TrainingPoints {
  /** 2·n: x, y of each point, already in the complex's plot coordinates. */
  xy: Float64Array;
  labels: Int32Array;
  file: string;
}

export interface RegionSources {
  label: string;
  complex: CellComplex;
  dualEdgeCounts: { facet: number; hamming1: number };
  /** The facet dual graph as face pairs, for the overlay. */
  dualSource: Uint32Array;
  dualTarget: Uint32Array;
  fiedler: { unweighted: FiedlerResult | null; weighted: FiedlerResult | null };
  betti: BettiCurves | null;
  points: TrainingPoints | null;
  /** Input dimension of the network (> 2 means the complex is a slice). */
  inputDim: number;
  /** The three anchors in plot coordinates (slices only). */
  anchorsUv: Float64Array | null;
  seconds: number;
}

/** Bit j of a face's pattern (word j >>> 5, bit j & 31) as the j-th character '0' or '1'. */
export function patternString(patterns: Uint32Array, words: number, hidden: number, face: number): string {
  let s = '';
  for (let j = 0; j < hidden; j++) s += (patterns[face * words + (j >>> 5)] >>> (j & 31)) & 1 ? '1' : '0';
  return s;
}

/** How many of the points fall in each face (a point outside every face is not counted). */
export function countPointsPerFace(offsets: Uint32Array, coords: Float64Array, xy: Float64Array): Int32Array {
  const counts = new Int32Array(offsets.length - 1);
  if (counts.length === 0) return counts;
  const grid = new SpatialGrid({ offsets, coords });
  for (let i = 0; i < xy.length; i += 2) {
    const f = grid.find(xy[i], xy[i + 1]);
    if (f >= 0) counts[f]++;
  }
  return counts;
}

function metricsView(f: FiedlerResult | null): FiedlerMetricsView | null {
  if (!f) return null;
  return {
    misclassifiedPct: f.metrics?.misclassifiedPct ?? NaN,
    l2Error: f.metrics?.l2Error ?? NaN,
    lambda2: f.lambda2,
    gapRatio: f.gapRatio,
    components: f.components,
  };
}

/** Finite or a JSON-safe stand-in: NaN metrics (no training points) are shown as "—" by the view. */
function finiteOr(x: number, fallback: number): number {
  return Number.isFinite(x) ? x : fallback;
}

export function regionDataFrom(s: RegionSources): RegionData {
  const c = s.complex;
  const faces = c.faceOffsets.length - 1;
  // the view wants each face's polygon as its own run of coordinates
  const coords = new Float64Array(2 * c.faceVertices.length);
  for (let k = 0; k < c.faceVertices.length; k++) {
    const v = c.faceVertices[k];
    coords[2 * k] = c.vertexXY[2 * v];
    coords[2 * k + 1] = c.vertexXY[2 * v + 1];
  }
  const offsets = Uint32Array.from(c.faceOffsets);
  const patterns = Array.from({ length: faces }, (_, f) =>
    patternString(c.facePatterns, c.words, c.hidden, f),
  );
  const dualEdges = new Uint32Array(2 * s.dualSource.length);
  for (let k = 0; k < s.dualSource.length; k++) {
    dualEdges[2 * k] = s.dualSource[k];
    dualEdges[2 * k + 1] = s.dualTarget[k];
  }
  const metric = (m: FiedlerMetricsView | null) =>
    m && {
      ...m,
      misclassifiedPct: finiteOr(m.misclassifiedPct, -1),
      l2Error: finiteOr(m.l2Error, -1),
      lambda2: finiteOr(m.lambda2, 0),
      gapRatio: finiteOr(m.gapRatio, 0),
    };
  return {
    label: s.label,
    box: [...c.domain.box] as [number, number, number, number],
    offsets,
    coords,
    patterns,
    areas: Float64Array.from(c.faceArea),
    predictions: Int32Array.from(c.facePredicted),
    pointCounts: s.points ? countPointsPerFace(offsets, coords, s.points.xy) : new Int32Array(faces),
    fiedlerUnweighted: s.fiedler.unweighted ? Float64Array.from(s.fiedler.unweighted.vector) : null,
    fiedlerWeighted: s.fiedler.weighted ? Float64Array.from(s.fiedler.weighted.vector) : null,
    dualEdges,
    centroids: Float64Array.from(c.faceCentroid),
    fVector: [c.vertexXY.length / 2, c.edgeVertices.length / 2, faces],
    euler: c.vertexXY.length / 2 - c.edgeVertices.length / 2 + faces,
    dualEdgeCounts: s.dualEdgeCounts,
    metrics: {
      unweighted: metric(metricsView(s.fiedler.unweighted)),
      weighted: metric(metricsView(s.fiedler.weighted)),
    },
    betti: s.betti && {
      fraction: Array.from(s.betti.fraction),
      beta0: Array.from(s.betti.beta0),
      beta1: Array.from(s.betti.beta1),
      trials: s.betti.trials,
    },
    points: s.points && { coords: Float64Array.from(s.points.xy), labels: Int32Array.from(s.points.labels) },
    anchors: s.anchorsUv,
    inputDim: s.inputDim,
    trainFile: s.points?.file ?? null,
    seconds: s.seconds,
  };
}

const CORRELATION_NAMES = {
  f0: 'f₀ vertices',
  f1: 'f₁ edges',
  f2: 'f₂ regions',
  beta1PeakFraction: 'β₁ peak fraction',
};

export function sweepDataFrom(r: SweepResult, folder: string, lossFile: string | null): SweepData {
  return {
    folder,
    checkpoints: r.checkpoints.map((c) => ({
      file: c.file,
      epoch: c.epoch,
      fVector: c.fVector,
      betaMax: c.betaMax,
      beta1PeakFraction: c.beta1PeakFraction,
      loss: c.loss !== null && Number.isFinite(c.loss) ? c.loss : null,
    })),
    heatmap: {
      columns: Array.from(r.heatmap.columns),
      beta0: r.heatmap.beta0.map((row) => Array.from(row)),
      beta1: r.heatmap.beta1.map((row) => Array.from(row)),
    },
    correlations: (Object.keys(CORRELATION_NAMES) as (keyof typeof CORRELATION_NAMES)[]).map((k) => ({
      name: CORRELATION_NAMES[k],
      pearson: nullIfNaN(r.correlations[k]?.pearson),
      spearman: nullIfNaN(r.correlations[k]?.spearman),
    })),
    lossFile,
    trials: r.trials,
  };
}

function nullIfNaN(x: number | undefined): number | null {
  return x === undefined || !Number.isFinite(x) ? null : x;
}

/**
 * The polytope view's data, shared by the panel and the static report: runs the polytope team's jobs
 * (complex with dual graphs and Fiedler partitions, Betti curves, checkpoint sweep) through whichever job
 * runner the caller has (the extension's worker pool, or the CLI's own thread), and reduces the results to
 * what the webview draws: flat polygons, per-face patterns as 0/1 strings, training points counted per
 * face, plain numbers for the charts. `polytopeReportSection` packs them as a report section.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { handlers } from '../jobs/registry';
import type { JobContext, JobKind, JobParams, JobResult } from '../jobs/types';
import type { DemoSectionProvider } from './demo-sections';
import type { BettiCurves, CellComplex, FiedlerResult, SweepResult } from '../polytope/types';
import type { ReportSection } from './write-report';
import { SpatialGrid } from '../../../webview/polytope/spatial-grid';
import type {
  Box,
  FiedlerMetricsView,
  PolytopeUiState,
  RegionData,
  SweepData,
} from '../../../webview/polytope/protocol';
import { regionDataToJson, type PolytopeReportState } from '../../../webview/polytope/report-state';
import { requestKey } from '../../../webview/polytope/view-state';

/** Runs one job: the extension passes its worker pool, the CLI and tests `runJob` on their own thread. */
export type JobRunner = <K extends JobKind>(kind: K, params: JobParams<K>) => Promise<JobResult<K>>;

export interface TrainingPoints {
  /** 2·n: x, y of each point, already in the complex's plot coordinates. */
  xy: Float64Array;
  labels: Int32Array;
  file: string;
  /** Points per face when the job located them exactly (by activation pattern); else counted here. */
  counts?: Int32Array;
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

/** Each byte value as its 8 bits, least significant first: 256 strings, so a pattern is 4 joins per word. */
const BYTE_BITS = Array.from({ length: 256 }, (_, b) =>
  Array.from({ length: 8 }, (_, i) => ((b >>> i) & 1 ? '1' : '0')).join(''),
);

/** Bit j of a face's pattern (word j >>> 5, bit j & 31) as the j-th character '0' or '1'. */
export function patternString(patterns: Uint32Array, words: number, hidden: number, face: number): string {
  const parts = new Array<string>(4 * words);
  for (let w = 0; w < words; w++) {
    const x = patterns[face * words + w];
    for (let k = 0; k < 4; k++) parts[4 * w + k] = BYTE_BITS[(x >>> (8 * k)) & 255];
  }
  // one flat string per face (repeated += would leave hundreds of rope nodes per face for the GC)
  return parts.join('').slice(0, hidden);
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
  const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);
  return {
    misclassifiedPct: finite(f.metrics?.misclassifiedPct),
    l2Error: finite(f.metrics?.l2Error),
    lambda2: finite(f.lambda2),
    gapRatio: finite(f.gapRatio),
    components: f.components,
  };
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
  const offsets = c.faceOffsets;
  const patterns = Array.from({ length: faces }, (_, f) =>
    patternString(c.facePatterns, c.words, c.hidden, f),
  );
  const dualEdges = new Uint32Array(2 * s.dualSource.length);
  for (let k = 0; k < s.dualSource.length; k++) {
    dualEdges[2 * k] = s.dualSource[k];
    dualEdges[2 * k + 1] = s.dualTarget[k];
  }
  return {
    label: s.label,
    box: [...c.domain.box] as [number, number, number, number],
    offsets,
    coords,
    patterns,
    areas: c.faceArea,
    predictions: c.facePredicted,
    pointCounts:
      s.points?.counts ??
      (s.points ? countPointsPerFace(offsets, coords, s.points.xy) : new Int32Array(faces)),
    fiedlerUnweighted: s.fiedler.unweighted?.vector ?? null,
    fiedlerWeighted: s.fiedler.weighted?.vector ?? null,
    dualEdges,
    centroids: c.faceCentroid,
    fVector: [c.vertexXY.length / 2, c.edgeVertices.length / 2, faces],
    euler: c.vertexXY.length / 2 - c.edgeVertices.length / 2 + faces,
    dualEdgeCounts: s.dualEdgeCounts,
    metrics: {
      unweighted: metricsView(s.fiedler.unweighted),
      weighted: metricsView(s.fiedler.weighted),
    },
    betti: s.betti && {
      fraction: Array.from(s.betti.fraction),
      beta0: Array.from(s.betti.beta0),
      beta1: Array.from(s.betti.beta1),
      trials: s.betti.trials,
    },
    points: s.points && { coords: s.points.xy, labels: s.points.labels },
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

/** The first of `names` in `dir` (or, when `parentToo`, in its parent: checkpoints/ sits beside train.csv). */
export async function findBeside(
  dir: string,
  names: string[],
  parentToo: boolean,
): Promise<string | undefined> {
  for (const d of parentToo ? [dir, path.dirname(dir)] : [dir]) {
    for (const n of names) {
      const p = path.join(d, n);
      try {
        await access(p);
        return p;
      } catch {
        // not here: try the next candidate
      }
    }
  }
  return undefined;
}

export interface RegionRequest {
  model: string;
  /** Title of the view ("model.onnx", "epoch 300"). */
  label: string;
  box: Box | null;
  /** For inputs of dimension > 2: the data set and the three sample indices of the slice. */
  inputs: string | null;
  anchors: [number, number, number] | null;
  train: string | null;
  trials?: number;
}

export async function computeRegions(run: JobRunner, req: RegionRequest): Promise<RegionData> {
  const common = {
    model: req.model,
    ...(req.box && { box: req.box }),
    ...(req.train && { train: req.train }),
    ...(req.inputs && req.anchors && { slice: { inputs: req.inputs, anchors: req.anchors } }),
  };
  const [poly, betti] = await Promise.all([
    run('polytope', common),
    run('betti', { ...common, trials: req.trials ?? 25, seed: 0 }),
  ]);
  const t = poly.training;
  return regionDataFrom({
    label: req.label,
    complex: poly.complex,
    dualEdgeCounts: poly.dualEdges,
    dualSource: poly.dualGraph.source,
    dualTarget: poly.dualGraph.target,
    fiedler: poly.fiedlerResults,
    betti,
    points:
      t && req.train
        ? { xy: t.xy, labels: t.labels, file: path.basename(req.train), counts: poly.faces.trainingCount }
        : null,
    inputDim: poly.inputDim,
    anchorsUv: poly.anchorsUv,
    seconds: poly.seconds,
  });
}

export async function computeSweep(run: JobRunner, folder: string, trials = 25): Promise<SweepData> {
  const result = await run('sweep', { dir: folder, trials });
  return sweepDataFrom(result, folder, result.lossFile && path.basename(result.lossFile));
}

export interface PolytopeReportInput {
  /** Page name of the section (letters, digits, -, _). */
  id: string;
  /** A ReLU MLP with 2-D input, or a folder of checkpoints (loss.csv and train.csv beside it are used). */
  path: string;
  kind: 'model' | 'folder';
  train?: string;
  trials?: number;
}

/**
 * A report section with the same view as the panel: for a model its complex; for a folder the sweep and
 * every checkpoint's complex, so the report's epoch slider works offline.
 */
export async function polytopeReportSection(
  run: JobRunner,
  input: PolytopeReportInput,
): Promise<ReportSection> {
  const dir = input.kind === 'folder' ? input.path : path.dirname(input.path);
  const train = input.train ?? (await findBeside(dir, ['train.csv'], input.kind === 'folder'));
  const base = { box: null, inputs: null, anchors: null, train: train ?? null, trials: input.trials };
  const regions: Record<string, unknown> = {};
  let sweep: SweepData | null = null;
  let last: RegionData;
  if (input.kind === 'folder') {
    sweep = await computeSweep(run, input.path, input.trials);
    if (sweep.checkpoints.length === 0) throw new Error(`no checkpoints in ${input.path}`);
    for (let i = 0; i < sweep.checkpoints.length; i++) {
      const c = sweep.checkpoints[i];
      const model = path.isAbsolute(c.file) ? c.file : path.join(input.path, c.file);
      last = await computeRegions(run, { ...base, model, label: `epoch ${c.epoch}` });
      regions[requestKey(i, null, null)] = regionDataToJson(last);
    }
  } else {
    last = await computeRegions(run, { ...base, model: input.path, label: path.basename(input.path) });
    regions[requestKey(null, null, null)] = regionDataToJson(last);
  }
  const ui: PolytopeUiState = {
    target: { kind: input.kind, path: path.basename(input.path) },
    box: null,
    colour: 'prediction',
    showPoints: true,
    showDual: false,
    checkpoint: sweep ? sweep.checkpoints.length - 1 : 0,
  };
  const state: PolytopeReportState = { ui, regions, sweep, notes: [] };
  const [f0, f1, f2] = last!.fVector;
  const stats: ReportSection['stats'] = [
    { label: 'regions', value: f2, testId: 'region-count' },
    { label: 'f-vector', value: `${f0}, ${f1}, ${f2}` },
  ];
  if (sweep) stats.push({ label: 'checkpoints', value: sweep.checkpoints.length });
  const w = last!.metrics.weighted;
  if (w?.misclassifiedPct != null)
    stats.push({ label: 'weighted Fiedler misclassified %', value: w.misclassifiedPct.toFixed(1) });
  return {
    id: input.id,
    title:
      input.kind === 'folder'
        ? `Polytopes across checkpoints: ${path.basename(input.path)}`
        : `Polytopes: ${path.basename(input.path)}`,
    view: 'polytope',
    state,
    stats,
  };
}

/** Runs jobs on this thread with the caller's context (the CLI's report and demo commands). */
export function localRunner(ctx: JobContext): JobRunner {
  return async (kind, params) => handlers[kind](params, ctx);
}

/** `toposcope demo`: the spirals model and its eight training checkpoints against the loss. */
export const spiralsDemo: DemoSectionProvider = async (d) => {
  const run = localRunner(d.ctx);
  const spirals = path.join(d.demoDir, 'spirals');
  return [
    await polytopeReportSection(run, {
      id: 'polytopes',
      kind: 'model',
      path: path.join(spirals, 'model.onnx'),
    }),
    await polytopeReportSection(run, {
      id: 'sweep',
      kind: 'folder',
      path: path.join(spirals, 'checkpoints'),
    }),
  ];
};

/**
 * Jobs of the polytope tools (DESIGN.md §7, §11): `polytope` (complex, dual graphs, Fiedler partitions and
 * what a panel draws), `betti` (averaged random-filtration curves), `sweep` (checkpoints of a training run)
 * and `patterns` (activation-pattern graph of real samples). Pure TypeScript: no onnxruntime.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors';
import { readTensorFile } from '../io/read';
import { toFloat64, toLabels } from '../io/tensor';
import { loadReluMlp, type ReluMlp } from '../model/relu-mlp';
import { buildComplex, fVectorOf } from '../polytope/complex';
import {
  boxAround,
  readTrainingCsv,
  sliceDomain,
  sliceNetwork,
  type LabelledPoints,
} from '../polytope/domain';
import { facetDual, hamming1Dual } from '../polytope/dual';
import { fiedlerOfDual, partitionMetrics } from '../polytope/fiedler';
import { locatePoints } from '../polytope/locate';
import { patternGraph } from '../polytope/patterns';
import { listCheckpoints, readLossCsv, sweepCheckpoints } from '../polytope/sweep';
import type {
  BettiCurves,
  CellComplex,
  Domain,
  DualGraph,
  DualKind,
  FiedlerResult,
  FVector,
  PatternGraph,
  SweepResult,
} from '../polytope/types';
import { bettiCurves } from '../topology/betti';
import type { JobContext, JobHandlers } from './types';

type Box = [number, number, number, number];

/** Where the complex lives: a box (default: the training points' bounding box + 5 %) or a slice. */
export interface PolytopeDomainParams {
  /** .onnx model or .pt state dict of a ReLU MLP. */
  model: string;
  box?: Box;
  /** CSV of training points `x0,x1,label` (2-D inputs). */
  train?: string;
  /** For inputs of dimension > 2: the plane through three rows of `inputs`. */
  slice?: { inputs: string; anchors: [number, number, number] };
}

export interface PolytopeJobParams extends PolytopeDomainParams {
  /** Dual graph the Fiedler partitions use (default facet); both edge counts are always reported. */
  dual?: DualKind;
  /** Keep every vertex's sign vector (f0·h bytes) in `complex.vertexSigns`; otherwise it is left empty. */
  withComplex?: boolean;
}

/** The numbers of one Fiedler partition, as `polytope --json` prints them. */
export interface FiedlerSummary {
  misclassifiedPct: number | null;
  l2Error: number | null;
  lambda2: number;
  lambda3: number;
  gapRatio: number;
  components: number;
  solver: 'dense' | 'multilevel';
  residual: number;
}

export interface PolytopeJobResult {
  model: string;
  widths: number[];
  inputDim: number;
  box: Box;
  fVector: FVector;
  euler: number;
  regions: number;
  dual: DualKind;
  dualEdges: { facet: number; hamming1: number };
  /** The chosen dual graph (face pairs). */
  dualGraph: DualGraph;
  /** Which points weight the Laplacian: training points in the box, or none (slices, no --train). */
  weighting: 'training points' | 'none';
  fiedler: { unweighted: FiedlerSummary; weighted: FiedlerSummary | null };
  fiedlerResults: { unweighted: FiedlerResult; weighted: FiedlerResult | null };
  complex: CellComplex;
  /** What a panel draws: face polygons as flat coordinates + offsets, and per-face values. */
  faces: {
    offsets: Uint32Array;
    coords: Float64Array;
    /** Id of the face's activation pattern (faces ↔ distinct patterns, so the face index). */
    patternId: Int32Array;
    predicted: Int32Array;
    trainingCount: Int32Array;
    fiedlerSide: { unweighted: Uint8Array; weighted: Uint8Array | null };
  };
  training: { xy: Float64Array; labels: Int32Array; face: Int32Array } | null;
  /** Slice anchors in (u, v) plot coordinates. */
  anchorsUv: Float64Array | null;
  repairs: number;
  seconds: number;
}

export interface BettiJobParams extends PolytopeDomainParams {
  trials?: number;
  seed?: number;
}

export interface SweepJobParams {
  /** Folder of checkpoints (.onnx or .pt with the epoch number in the name). */
  dir: string;
  /** `epoch,train_loss,...`; default loss.csv in the folder or its parent. */
  loss?: string;
  /** Training points for the default box; default train.csv in the folder or its parent. */
  train?: string;
  box?: Box;
  trials?: number;
  seed?: number;
  columns?: number;
}

export interface PatternsJobParams {
  model: string;
  inputs: string;
  labels?: string;
}

export type PatternsJobResult = PatternGraph & { model: string; seconds: number };

declare module './types' {
  interface JobTypes {
    polytope: { params: PolytopeJobParams; result: PolytopeJobResult };
    betti: { params: BettiJobParams; result: BettiCurves };
    sweep: { params: SweepJobParams; result: SweepResult & { lossFile: string | null } };
    patterns: { params: PatternsJobParams; result: PatternsJobResult };
  }
}

interface Prepared {
  mlp: ReluMlp;
  mlp2d: ReluMlp;
  complex: CellComplex;
  points: LabelledPoints | null;
  anchorsUv: Float64Array | null;
}

/** Loads the model, resolves the domain and builds the complex, reporting progress per neuron. */
async function prepare(p: PolytopeDomainParams, ctx: JobContext, share: number): Promise<Prepared> {
  const mlp = await loadReluMlp(p.model);
  let points: LabelledPoints | null = null;
  let anchorsUv: Float64Array | null = null;
  let domain: Domain;
  if (p.slice) {
    const t = await readTensorFile(p.slice.inputs);
    const d = t.shape.slice(1).reduce((a, b) => a * b, 1);
    if (d !== mlp.widths[0]) {
      throw new InputError(
        p.slice.inputs,
        `rows have ${d} values, the model takes ${mlp.widths[0]}`,
        'shape-mismatch',
      );
    }
    domain = sliceDomain(toFloat64(t), d, p.slice.anchors);
    if (p.box) domain.box = p.box;
    const [u, v] = domain.slice!.axes;
    anchorsUv = new Float64Array(6);
    const data = toFloat64(t);
    p.slice.anchors.forEach((a, i) => {
      for (let j = 0; j < d; j++) {
        const x = data[a * d + j] - domain.slice!.origin[j];
        anchorsUv![2 * i] += x * u[j];
        anchorsUv![2 * i + 1] += x * v[j];
      }
    });
  } else {
    if (mlp.widths[0] !== 2) {
      throw new InputError(
        p.model,
        `input dimension ${mlp.widths[0]}: choose a slice through three samples`,
        'bad-parameter',
      );
    }
    if (p.train) points = await readTrainingCsv(p.train);
    const box = p.box ?? (points ? boxAround(points.xy) : undefined);
    if (!box)
      throw new InputError(
        p.model,
        'give a box (--box x0,x1,y0,y1) or training points (--train)',
        'bad-parameter',
      );
    domain = { box };
  }
  const mlp2d = sliceNetwork(mlp, domain);
  const complex = buildComplex(mlp2d, domain, {
    onNeuron: (done, total) => {
      ctx.throwIfCancelled();
      ctx.progress((share * done) / total, 'cell complex');
    },
    onRepair: (m) => ctx.log(`repaired an inconsistent split: ${m}`),
  });
  return { mlp, mlp2d, complex, points, anchorsUv };
}

function summary(f: FiedlerResult): FiedlerSummary {
  return {
    misclassifiedPct: f.metrics?.misclassifiedPct ?? null,
    l2Error: f.metrics?.l2Error ?? null,
    lambda2: f.lambda2,
    lambda3: f.lambda3,
    gapRatio: f.gapRatio,
    components: f.components,
    solver: f.solver,
    residual: f.residual,
  };
}

async function polytopeJob(p: PolytopeJobParams, ctx: JobContext): Promise<PolytopeJobResult> {
  const t0 = performance.now();
  const { mlp, mlp2d, complex, points, anchorsUv } = await prepare(p, ctx, 0.6);
  const F = complex.faceArea.length;
  const kind = p.dual ?? 'facet';
  const facet = facetDual(complex);
  const hamming = hamming1Dual(complex);
  const chosen = kind === 'hamming1' ? hamming : facet;
  ctx.progress(0.7, 'dual graphs');
  const trainingCount = new Int32Array(F);
  const labelSum = new Float64Array(F);
  let training: PolytopeJobResult['training'] = null;
  if (points) {
    const face = locatePoints(complex, mlp2d, points.xy, points.n);
    for (let i = 0; i < points.n; i++) {
      if (face[i] < 0) continue;
      trainingCount[face[i]]++;
      if (points.labels.length) labelSum[face[i]] += points.labels[i];
    }
    training = { xy: points.xy, labels: points.labels, face };
  }
  const onIteration = (): void => ctx.throwIfCancelled();
  const unweighted = fiedlerOfDual(chosen, null, { onIteration });
  ctx.progress(0.85, 'Fiedler vectors');
  const weighted = points ? fiedlerOfDual(chosen, trainingCount, { onIteration }) : null;
  if (points && points.labels.length) {
    unweighted.metrics = partitionMetrics(unweighted.side, trainingCount, labelSum);
    weighted!.metrics = partitionMetrics(weighted!.side, trainingCount, labelSum);
  }
  if (!p.withComplex) complex.vertexSigns = new Int8Array(0);
  const coords = new Float64Array(2 * complex.faceVertices.length);
  complex.faceVertices.forEach((v, k) => {
    coords[2 * k] = complex.vertexXY[2 * v];
    coords[2 * k + 1] = complex.vertexXY[2 * v + 1];
  });
  const fVector = fVectorOf(complex);
  ctx.progress(1);
  return {
    model: p.model,
    widths: mlp.widths,
    inputDim: mlp.widths[0],
    box: complex.domain.box,
    fVector,
    euler: fVector[0] - fVector[1] + fVector[2],
    regions: F,
    dual: kind,
    dualEdges: { facet: facet.source.length, hamming1: hamming.source.length },
    dualGraph: chosen,
    weighting: points ? 'training points' : 'none',
    fiedler: { unweighted: summary(unweighted), weighted: weighted && summary(weighted) },
    fiedlerResults: { unweighted, weighted },
    complex,
    faces: {
      offsets: complex.faceOffsets,
      coords,
      patternId: Int32Array.from({ length: F }, (_, i) => i),
      predicted: complex.facePredicted,
      trainingCount,
      fiedlerSide: { unweighted: unweighted.side, weighted: weighted?.side ?? null },
    },
    training,
    anchorsUv,
    repairs: complex.repairs,
    seconds: (performance.now() - t0) / 1000,
  };
}

async function bettiJob(p: BettiJobParams, ctx: JobContext): Promise<BettiCurves> {
  const { complex } = await prepare(p, ctx, 0.7);
  const [f0, , f2] = fVectorOf(complex);
  return bettiCurves(f0, complex.edgeVertices, f2, {
    trials: p.trials,
    seed: p.seed,
    onTrial: (done, total) => {
      ctx.throwIfCancelled();
      ctx.progress(0.7 + (0.3 * done) / total, 'Betti curves');
    },
  });
}

/** The first of `name` in `dir` or its parent (checkpoints/ usually sits beside train.csv and loss.csv). */
async function beside(dir: string, name: string): Promise<string | undefined> {
  for (const d of [dir, path.dirname(dir)]) {
    try {
      await access(path.join(d, name));
      return path.join(d, name);
    } catch {
      // not in this folder: try the parent
    }
  }
  return undefined;
}

async function sweepJob(
  p: SweepJobParams,
  ctx: JobContext,
): Promise<SweepResult & { lossFile: string | null }> {
  const files = await listCheckpoints(p.dir);
  const lossFile = p.loss ?? (await beside(p.dir, 'loss.csv')) ?? null;
  const losses = lossFile ? await readLossCsv(lossFile) : null;
  let box = p.box;
  if (!box) {
    const train = p.train ?? (await beside(p.dir, 'train.csv'));
    if (!train)
      throw new InputError(p.dir, 'give a box (--box) or training points (--train)', 'bad-parameter');
    box = boxAround((await readTrainingCsv(train)).xy);
  }
  const models = [];
  for (const f of files) {
    const mlp = await loadReluMlp(f.file);
    if (mlp.widths[0] !== 2)
      throw new InputError(f.file, `input dimension ${mlp.widths[0]}, the sweep needs 2`, 'bad-model');
    models.push({ ...f, mlp });
  }
  const result = sweepCheckpoints(models, {
    box,
    trials: p.trials,
    seed: p.seed,
    columns: p.columns,
    losses,
    onCheckpoint: (done, total) => {
      ctx.throwIfCancelled();
      ctx.progress(done / total, `checkpoint ${done}/${total}`);
    },
  });
  return { ...result, lossFile };
}

async function patternsJob(p: PatternsJobParams, ctx: JobContext): Promise<PatternsJobResult> {
  const t0 = performance.now();
  const mlp = await loadReluMlp(p.model);
  const t = await readTensorFile(p.inputs);
  const n = t.shape[0] ?? 0;
  const d = t.shape.slice(1).reduce((a, b) => a * b, 1);
  if (d !== mlp.widths[0]) {
    throw new InputError(
      p.inputs,
      `rows have ${d} values, the model takes ${mlp.widths[0]}`,
      'shape-mismatch',
    );
  }
  let labels: Int32Array | null = null;
  if (p.labels) {
    labels = toLabels(await readTensorFile(p.labels));
    if (labels.length !== n) {
      throw new InputError(p.labels, `${labels.length} labels for ${n} samples`, 'row-count-mismatch');
    }
    if (labels.some((l) => l < 0))
      throw new InputError(p.labels, 'labels must be non-negative', 'bad-parameter');
  }
  const g = patternGraph(mlp, toFloat64(t), n, labels, (done, total) => {
    ctx.throwIfCancelled();
    ctx.progress(done / total, 'patterns');
  });
  return { ...g, model: p.model, seconds: (performance.now() - t0) / 1000 };
}

export const polytopeJobs: Pick<JobHandlers, 'polytope' | 'betti' | 'sweep' | 'patterns'> = {
  polytope: polytopeJob,
  betti: bettiJob,
  sweep: sweepJob,
  patterns: patternsJob,
};

/**
 * The checkpoint sweep (DESIGN.md §7): checkpoints ordered by the epoch number in their file names; per
 * checkpoint the f-vector, dual-graph edge counts and averaged Betti curves; heat maps on a common x-axis
 * (cells added ÷ the largest total cell count); correlations of the training loss with the f-vector and
 * with the filtration fraction where β₁ peaks.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Papa from 'papaparse';
import { InputError } from '../errors';
import type { ReluMlp } from '../model/relu-mlp';
import { bettiCurves } from '../topology/betti';
import { pearson, spearman } from '../topology/correlation';
import { buildComplex, fVectorOf } from './complex';
import { facetDual, hamming1Dual } from './dual';
import type { Correlation, SweepCheckpoint, SweepResult } from './types';

const MODEL_EXTENSIONS = ['.onnx', '.pt', '.pth'];

/** Model files of a folder with the epoch number (the last digit run of the name), in epoch order. */
export async function listCheckpoints(dir: string): Promise<{ file: string; epoch: number }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new InputError(dir, 'folder not found or unreadable', 'not-found');
  }
  const out: { file: string; epoch: number }[] = [];
  for (const name of names) {
    const ext = path.extname(name).toLowerCase();
    if (!MODEL_EXTENSIONS.includes(ext)) continue;
    const digits = path.basename(name, path.extname(name)).match(/\d+/g);
    if (!digits) continue;
    out.push({ file: path.join(dir, name), epoch: Number(digits[digits.length - 1]) });
  }
  if (out.length === 0) {
    throw new InputError(
      dir,
      'no checkpoints (.onnx/.pt files with an epoch number in the name)',
      'not-found',
    );
  }
  return out.sort((a, b) => a.epoch - b.epoch || a.file.localeCompare(b.file));
}

/** Training loss by epoch from a CSV with columns `epoch,train_loss,...`. */
export async function readLossCsv(file: string): Promise<Map<number, number>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InputError(file, 'file not found or unreadable', 'not-found');
  }
  const parsed = Papa.parse<Record<string, string>>(text.trim(), { header: true, skipEmptyLines: true });
  const fields = parsed.meta.fields ?? [];
  if (!fields.includes('epoch') || !fields.includes('train_loss')) {
    throw new InputError(file, 'needs the columns epoch and train_loss', 'bad-header');
  }
  const out = new Map<number, number>();
  for (const row of parsed.data) {
    const e = Number(row.epoch);
    const l = Number(row.train_loss);
    if (Number.isFinite(e) && Number.isFinite(l)) out.set(e, l);
  }
  return out;
}

export interface SweepOptions {
  box: [number, number, number, number];
  trials?: number;
  seed?: number;
  /** Heat-map columns (default 100). */
  columns?: number;
  losses?: Map<number, number> | null;
  /** Called after each checkpoint (done, total); the job checks cancellation there. */
  onCheckpoint?: (done: number, total: number) => void;
}

function correlate(losses: number[], values: number[]): Correlation | null {
  if (losses.length < 3) return null;
  return { pearson: pearson(losses, values), spearman: spearman(losses, values) };
}

/** Runs the sweep over loaded checkpoints (already in epoch order). */
export function sweepCheckpoints(
  models: { file: string; epoch: number; mlp: ReluMlp }[],
  opts: SweepOptions,
): SweepResult {
  const trials = opts.trials ?? 25;
  const columns = opts.columns ?? 100;
  const checkpoints: SweepCheckpoint[] = [];
  const curves: { beta0: Float64Array; beta1: Float64Array }[] = [];
  models.forEach((m, i) => {
    const c = buildComplex(m.mlp, { box: opts.box });
    const fVector = fVectorOf(c);
    const b = bettiCurves(fVector[0], c.edgeVertices, fVector[2], { trials, seed: opts.seed ?? 0 });
    curves.push({ beta0: b.beta0, beta1: b.beta1 });
    checkpoints.push({
      file: m.file,
      epoch: m.epoch,
      fVector,
      dualEdges: { facet: facetDual(c).source.length, hamming1: hamming1Dual(c).source.length },
      betaMax: b.max,
      beta1PeakFraction: b.beta1PeakFraction,
      loss: opts.losses?.get(m.epoch) ?? null,
    });
    opts.onCheckpoint?.(i + 1, models.length);
  });
  const maxCells = Math.max(...curves.map((c) => c.beta0.length));
  const cols = new Float64Array(columns).map((_, k) => (k + 1) / columns);
  const sample = (curve: Float64Array): Float64Array =>
    cols.map((x) => curve[Math.min(curve.length, Math.max(1, Math.round(x * maxCells))) - 1]); // past its end: the complete complex
  const withLoss = checkpoints.filter((c) => c.loss !== null);
  const losses = withLoss.map((c) => c.loss as number);
  return {
    checkpoints,
    heatmap: {
      columns: cols,
      beta0: curves.map((c) => sample(c.beta0)),
      beta1: curves.map((c) => sample(c.beta1)),
    },
    correlations: {
      f0: correlate(
        losses,
        withLoss.map((c) => c.fVector[0]),
      ),
      f1: correlate(
        losses,
        withLoss.map((c) => c.fVector[1]),
      ),
      f2: correlate(
        losses,
        withLoss.map((c) => c.fVector[2]),
      ),
      beta1PeakFraction: correlate(
        losses,
        withLoss.map((c) => c.beta1PeakFraction),
      ),
    },
    trials,
    box: opts.box,
  };
}

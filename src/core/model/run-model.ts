/**
 * Streams inputs through a model in chunks (cancellable between chunks and attack steps, memory bounded by
 * the chunk): optionally attacks each chunk first, then reads the logits and one layer's activations.
 */
import { performance } from 'node:perf_hooks';
import type { ModelProto } from 'onnx-buf';
import { Attacker } from '../attack/attacker';
import { resolveAttack, type AttackParams, type ResolvedAttack } from '../attack/params';
import { InputError } from '../errors';
import { toLabels } from '../io/tensor';
import type { JobContext } from '../jobs/types';
import { withDynamicBatch } from './expose';
import { ForwardRunner } from './forward';
import type { ModelInputs } from './inputs';
import { probeModel } from './probe';

/** Most rows per session.run. */
export const DEFAULT_CHUNK = 1024;
/** Rows of the first run, before its timing sizes the next ones. */
const FIRST_CHUNK = 64;
/** Wall time aimed at per session.run (cancellation is checked between runs). */
const TARGET_RUN_MS = 30;

export interface RunModelOptions {
  model: ModelProto;
  modelFile: string;
  inputs: ModelInputs;
  labels?: Int32Array;
  /** Tensor whose activations to return (validated against the graph). */
  layer?: string;
  attack?: AttackParams;
  /** Most rows per session.run (default 1024); fewer while a run would take over TARGET_RUN_MS. */
  chunk?: number;
  intraOpNumThreads?: number;
  /** Keep the attacked inputs (the `attack` command writes them). */
  keepAdversarial?: boolean;
}

export interface RunModelResult {
  n: number;
  attack: ResolvedAttack;
  /** Activations of `layer` on the (attacked) inputs, n × layerRowShape. */
  activations?: Float32Array;
  activationShape?: number[];
  predictions: Int32Array;
  cleanPredictions: Int32Array;
  /** Accuracy on the inputs the activations were read from (attacked when attacking); null without labels. */
  accuracy: number | null;
  cleanAccuracy: number | null;
  robustAccuracy: number | null;
  adversarial?: Float32Array;
}

function accuracyOf(pred: Int32Array, labels: Int32Array | undefined): number | null {
  if (!labels) return null;
  let hit = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) hit++;
  return pred.length ? hit / pred.length : null;
}

export async function runModel(opts: RunModelOptions, ctx: JobContext): Promise<RunModelResult> {
  const { modelFile, inputs, labels } = opts;
  const model = withDynamicBatch(opts.model);
  const { x, n, rowShape } = inputs;
  const attack = resolveAttack(opts.attack ?? { kind: 'none', eps: 0 });
  const attacking = attack.kind !== 'none' && attack.steps > 0;
  if (attack.kind !== 'none' && !labels)
    throw new InputError('', `the ${attack.kind} attack needs labels (--labels)`);
  const maxChunk = Math.max(1, Math.floor(opts.chunk ?? DEFAULT_CHUNK));
  if (!Number.isFinite(maxChunk)) throw new InputError('', 'chunk size must be a positive integer');
  const rowSize = x.length / n;
  const threads = opts.intraOpNumThreads ?? 1;

  const forward = await ForwardRunner.create(model, modelFile, opts.layer, threads);
  let attacker: Attacker | undefined;
  try {
    if (attacking) {
      const probe = await probeModel(model, modelFile, x.subarray(0, 2 * rowSize), rowShape);
      attacker = await Attacker.create(model, modelFile, probe, rowShape, attack, threads);
    }
    const predictions = new Int32Array(n);
    const cleanPredictions = attacking ? new Int32Array(n) : predictions;
    const adversarial = attacking && opts.keepAdversarial ? new Float32Array(x.length) : undefined;
    let activations: Float32Array | undefined;
    let activationShape: number[] | undefined;
    const runsPerRow = attacking ? 1 + attack.steps : 1;
    let rows = Math.min(maxChunk, FIRST_CHUNK);
    for (let start = 0, m = 0; start < n; start += m) {
      ctx.throwIfCancelled();
      m = Math.min(rows, n - start);
      const x0 = x.subarray(start * rowSize, (start + m) * rowSize);
      const dims = [m, ...rowShape];
      let used = x0;
      if (attacker && labels) {
        const clean = await forward.run(x0, dims);
        cleanPredictions.set(
          toLabels({ dtype: 'float32', shape: [m, clean.classes], data: clean.logits }),
          start,
        );
        const begun = start;
        const rowsNow = m;
        used = await attacker.perturb(x0, labels.subarray(start, start + m), (t) => {
          ctx.throwIfCancelled();
          ctx.progress((begun + (rowsNow * t) / runsPerRow) / n, `${attack.kind} step ${t}/${attack.steps}`);
        });
        adversarial?.set(used, start * rowSize);
      }
      const t0 = performance.now();
      const out = await forward.run(used, dims);
      // Grow or shrink the chunk so that one session.run (an attack step costs about 3 forward passes)
      // takes about TARGET_RUN_MS: progress and cancellation then come often whatever the model's size.
      const msPerRow = Math.max((performance.now() - t0) / m, 1e-4) * (attacking ? 3 : 1);
      rows = Math.min(maxChunk, Math.max(1, Math.floor(TARGET_RUN_MS / msPerRow)));
      predictions.set(toLabels({ dtype: 'float32', shape: [m, out.classes], data: out.logits }), start);
      if (out.layer && out.layerRowShape) {
        if (!activations) {
          activationShape = [n, ...out.layerRowShape];
          activations = new Float32Array(n * (out.layer.length / m));
        }
        activations.set(out.layer, start * (out.layer.length / m));
      }
      ctx.progress((start + m) / n, `${start + m}/${n} rows`);
    }
    const accuracy = accuracyOf(predictions, labels);
    const cleanAccuracy = accuracyOf(cleanPredictions, labels);
    return {
      n,
      attack,
      activations,
      activationShape,
      predictions,
      cleanPredictions,
      accuracy,
      cleanAccuracy,
      robustAccuracy: attack.kind === 'none' ? cleanAccuracy : accuracy,
      adversarial: attack.kind === 'none' || !opts.keepAdversarial ? undefined : (adversarial ?? x.slice()),
    };
  } finally {
    await forward.release();
    await attacker?.release();
  }
}

/**
 * Streams inputs through a model in chunks (cancellable between chunks and attack steps, memory bounded by
 * the chunk): optionally attacks each chunk first, then reads the logits and one layer's activations.
 */
import { performance } from 'node:perf_hooks';
import type { ModelProto } from 'onnx-buf';
import { Attacker, stepNorm } from '../attack/attacker';
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

/** How one pass over the inputs runs. */
export interface PassOptions {
  labels?: Int32Array;
  attack: ResolvedAttack;
  /** Most rows per session.run (default 1024). */
  chunk?: number;
  keepAdversarial?: boolean;
}

/**
 * The sessions of one model, input shape and layer, reused across passes: a sweep over ε builds the
 * backward graph once per norm (ε and α are feeds of the step graph).
 */
export class ModelRunner {
  private readonly attackers = new Map<string, Attacker>();

  private constructor(
    private readonly model: ModelProto,
    private readonly modelFile: string,
    private readonly inputs: ModelInputs,
    private readonly forward: ForwardRunner,
    private readonly threads: number,
  ) {}

  static async create(
    model: ModelProto,
    modelFile: string,
    inputs: ModelInputs,
    layer?: string,
    intraOpNumThreads = 1,
  ): Promise<ModelRunner> {
    const free = withDynamicBatch(model);
    const forward = await ForwardRunner.create(free, modelFile, layer, intraOpNumThreads);
    return new ModelRunner(free, modelFile, inputs, forward, intraOpNumThreads);
  }

  private async attackerFor(attack: ResolvedAttack): Promise<Attacker> {
    const norm = stepNorm(attack.kind);
    let attacker = this.attackers.get(norm);
    if (!attacker) {
      const { x, n, rowShape } = this.inputs;
      const probe = await probeModel(this.model, this.modelFile, x.subarray(0, 2 * (x.length / n)), rowShape);
      attacker = await Attacker.create(this.model, this.modelFile, probe, rowShape, attack, this.threads);
      this.attackers.set(norm, attacker);
    }
    attacker.configure(attack);
    return attacker;
  }

  /** One pass: attack each chunk (if asked), then read logits and the layer. */
  async run(opts: PassOptions, ctx: JobContext): Promise<RunModelResult> {
    const { x, n, rowShape } = this.inputs;
    const { labels, attack } = opts;
    const attacking = attack.kind !== 'none' && attack.steps > 0;
    if (attack.kind !== 'none' && !labels) {
      throw new InputError('', `the ${attack.kind} attack needs labels (--labels)`);
    }
    const maxChunk = Math.max(1, Math.floor(opts.chunk ?? DEFAULT_CHUNK));
    if (!Number.isFinite(maxChunk)) throw new InputError('', 'chunk size must be a positive integer');
    const rowSize = x.length / n;
    const attacker = attacking ? await this.attackerFor(attack) : undefined;
    const predictions = new Int32Array(n);
    const cleanPredictions = attacking ? new Int32Array(n) : predictions;
    const adversarial = attacking && opts.keepAdversarial ? new Float32Array(x.length) : undefined;
    let activations: Float32Array | undefined;
    let activationShape: number[] | undefined;
    const runsPerRow = attacking ? 1 + attack.steps : 1;
    let rows = Math.min(maxChunk, FIRST_CHUNK);
    let start = 0;
    while (start < n) {
      ctx.throwIfCancelled();
      const m = Math.min(rows, n - start);
      const x0 = x.subarray(start * rowSize, (start + m) * rowSize);
      const dims = [m, ...rowShape];
      let used = x0;
      if (attacker && labels) {
        const clean = await this.forward.run(x0, dims);
        cleanPredictions.set(
          toLabels({ dtype: 'float32', shape: [m, clean.classes], data: clean.logits }),
          start,
        );
        const begun = start;
        used = await attacker.perturb(x0, labels.subarray(start, start + m), (t) => {
          ctx.throwIfCancelled();
          ctx.progress((begun + (m * t) / runsPerRow) / n, `${attack.kind} step ${t}/${attack.steps}`);
        });
        adversarial?.set(used, start * rowSize);
      }
      const t0 = performance.now();
      const out = await this.forward.run(used, dims);
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
      start += m;
      ctx.progress(start / n, `${start}/${n} rows`);
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
  }

  async release(): Promise<void> {
    await this.forward.release();
    for (const a of this.attackers.values()) await a.release();
  }
}

/** One pass over the inputs with fresh sessions. */
export async function runModel(opts: RunModelOptions, ctx: JobContext): Promise<RunModelResult> {
  const attack = resolveAttack(opts.attack ?? { kind: 'none', eps: 0 });
  const runner = await ModelRunner.create(
    opts.model,
    opts.modelFile,
    opts.inputs,
    opts.layer,
    opts.intraOpNumThreads,
  );
  try {
    return await runner.run(
      { labels: opts.labels, attack, chunk: opts.chunk, keepAdversarial: opts.keepAdversarial },
      ctx,
    );
  } finally {
    await runner.release();
  }
}

/** Runs FGSM / PGD ℓ∞ / PGD ℓ2 (DESIGN.md §6) batch by batch, one session.run per step. */
import type { ModelProto } from 'onnx-buf';
import { encodeOnnx } from '../io/onnx';
import type { ProbeResult } from '../model/probe';
import { createSession, floatTensor, runSession, type InferenceSession, type OrtTensor } from '../model/ort';
import { mulberry32, randomNormal } from '../random';
import type { ResolvedAttack } from './params';
import { buildStepModel, type StepModel, type StepNorm } from './step-graph';

/** One-hot targets, n × classes. */
export function oneHot(labels: Int32Array, classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  labels.forEach((y, i) => {
    if (y >= 0 && y < classes) out[i * classes + y] = 1;
  });
  return out;
}

/** Which step graph an attack runs: FGSM is one ℓ∞ step. */
export function stepNorm(kind: ResolvedAttack['kind']): StepNorm {
  return kind === 'pgd-l2' ? 'l2' : 'linf';
}

export class Attacker {
  private rng: () => number;

  private constructor(
    private readonly session: InferenceSession,
    private readonly file: string,
    private readonly step: StepModel,
    private readonly rowShape: readonly number[],
    private p: ResolvedAttack,
  ) {
    this.rng = mulberry32(p.seed);
  }

  get params(): ResolvedAttack {
    return this.p;
  }

  /**
   * New parameters for the same step graph (ε and α are feeds, so one session serves every ε); the random
   * start restarts from the seed, so each ε gives what a fresh attacker would.
   */
  configure(params: ResolvedAttack): void {
    if (stepNorm(params.kind) !== stepNorm(this.p.kind)) {
      throw new Error(`an ${stepNorm(this.p.kind)} attacker cannot run ${params.kind}`);
    }
    this.p = params;
    this.rng = mulberry32(params.seed);
  }

  static async create(
    model: ModelProto,
    file: string,
    probe: ProbeResult,
    rowShape: readonly number[],
    params: ResolvedAttack,
    intraOpNumThreads = 1,
  ): Promise<Attacker> {
    const step = buildStepModel(model, file, probe, rowShape, stepNorm(params.kind));
    const session = await createSession(encodeOnnx(step.model), file, { intraOpNumThreads });
    return new Attacker(session, file, step, rowShape, params);
  }

  get classes(): number {
    return this.step.classes;
  }

  /** The random start δ₀, added to x₀ and clipped: U[−ε, ε] (ℓ∞) or N(0, ε²/d) per coordinate (ℓ2). */
  private start(x0: Float32Array, rowSize: number): Float32Array {
    const { eps, clip, kind } = this.p;
    const sigma = eps / Math.sqrt(rowSize);
    const x = new Float32Array(x0.length);
    for (let i = 0; i < x.length; i++) {
      const d = kind === 'pgd-l2' ? sigma * randomNormal(this.rng) : eps * (2 * this.rng() - 1);
      x[i] = Math.min(clip[1], Math.max(clip[0], x0[i] + d));
    }
    return x;
  }

  /** Adversarial versions of the n rows of x0; `afterStep` runs between steps (progress, cancellation). */
  async perturb(
    x0: Float32Array,
    labels: Int32Array,
    afterStep?: (done: number) => void,
  ): Promise<Float32Array> {
    const p = this.p;
    const n = labels.length;
    const rowSize = x0.length / n;
    const dims = [n, ...this.rowShape];
    let x = p.randomStart ? this.start(x0, rowSize) : x0;
    const scalar = (v: number): Promise<OrtTensor> => floatTensor(Float32Array.of(v), []);
    const feeds: Record<string, OrtTensor> = {
      [this.step.x0]: await floatTensor(x0, dims),
      [this.step.targets]: await floatTensor(oneHot(labels, this.classes), [n, this.classes]),
      [this.step.eps]: await scalar(p.eps),
      [this.step.alpha]: await scalar(p.stepSize),
      [this.step.lo]: await scalar(p.clip[0]),
      [this.step.hi]: await scalar(p.clip[1]),
    };
    for (let t = 0; t < p.steps; t++) {
      feeds[this.step.x] = await floatTensor(x, dims);
      const out = await runSession(this.session, this.file, feeds, [this.step.next]);
      x = out[this.step.next].data as Float32Array;
      afterStep?.(t + 1);
    }
    return x === x0 ? x0.slice() : x;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

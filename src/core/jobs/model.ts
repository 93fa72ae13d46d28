/**
 * Jobs of the model team (all in ORT_JOBS): `layers` lists the tensors whose activations can be read,
 * `activations` streams inputs (clean or attacked) through a model, `attack` writes adversarial inputs.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveAttack, type AttackKind } from '../attack/params';
import { InputError } from '../errors';
import { encodeNpy } from '../io/npy';
import { describeOnnx, readOnnxFile, type OnnxDim, type OnnxLayer, type OnnxValueSummary } from '../io/onnx';
import { readTensorFile } from '../io/read';
import { withDynamicBatch } from '../model/expose';
import { labelsFor, modelInputs } from '../model/inputs';
import { PROBE_BATCH, probeModel, type ProbeResult } from '../model/probe';
import { ModelRunner, runModel, type RunModelResult } from '../model/run-model';
import type { JobContext, JobHandlers } from './types';

export interface LayersParams {
  model: string;
}

export interface LayersResult {
  model: string;
  opset: number;
  inputs: OnnxValueSummary[];
  outputs: OnnxValueSummary[];
  /** Float tensors with a batch axis (shapes from a probe run when the input's row shape is static). */
  layers: OnnxLayer[];
}

/** What both `activations` and `attack` take: a model, inputs, optional labels and an attack. */
export interface ModelRunParams {
  model: string;
  /** Tensor spec of the inputs (`file`, `file.npz:key`, …), one row per sample. */
  inputs: string;
  labels?: string;
  attack?: AttackKind;
  eps?: number;
  steps?: number;
  stepSize?: number;
  randomStart?: boolean;
  seed?: number;
  clip?: [number, number];
  /** Rows per session.run (default 1024). */
  chunk?: number;
  intraOpNumThreads?: number;
}

export interface ActivationsParams extends ModelRunParams {
  /** Tensor to read (default: the model's first output). */
  layer?: string;
  /** Where to write the activations (.npy); without it they come back in the result. */
  out?: string;
  predictionsOut?: string;
}

export interface ActivationsResult {
  layer: string;
  shape: number[];
  accuracy: number | null;
  cleanAccuracy: number | null;
  robustAccuracy: number | null;
  attack: AttackKind;
  eps: number;
  seconds: number;
  out?: string;
  predictionsOut?: string;
  activations?: Float32Array;
  predictions: Int32Array;
}

export interface AttackJobParams extends ModelRunParams {
  attack: AttackKind;
  eps: number;
  /** Where to write the adversarial inputs (.npy, the input file's shape); without it they come back. */
  out?: string;
  predictionsOut?: string;
}

export interface AttackJobResult {
  attack: AttackKind;
  eps: number;
  steps: number;
  stepSize: number;
  shape: number[];
  cleanAccuracy: number | null;
  robustAccuracy: number | null;
  seconds: number;
  out?: string;
  predictionsOut?: string;
  adversarial?: Float32Array;
  predictions: Int32Array;
}

export interface EpsilonSweepParams extends Omit<ModelRunParams, 'eps' | 'stepSize'> {
  /** The attack for every ε > 0 (ε = 0 reads the clean inputs). */
  attack: AttackKind;
  epsilons: number[];
  /** Tensor to read (default: the model's first output). */
  layer?: string;
  /** Folder for act_eps<ε>.npy and pred_eps<ε>.npy (named like the fixtures); without it the arrays come back. */
  outDir?: string;
}

export interface EpsilonSweepSet {
  epsilon: number;
  shape: number[];
  accuracy: number | null;
  out?: string;
  predictionsOut?: string;
  activations?: Float32Array;
  predictions: Int32Array;
}

export interface EpsilonSweepResult {
  layer: string;
  attack: AttackKind;
  cleanAccuracy: number | null;
  sets: EpsilonSweepSet[];
  seconds: number;
}

declare module './types' {
  interface JobTypes {
    layers: { params: LayersParams; result: LayersResult };
    activations: { params: ActivationsParams; result: ActivationsResult };
    attack: { params: AttackJobParams; result: AttackJobResult };
    epsilonSweep: { params: EpsilonSweepParams; result: EpsilonSweepResult };
  }
}

export async function listLayers(params: LayersParams, ctx: JobContext): Promise<LayersResult> {
  const model = withDynamicBatch(await readOnnxFile(params.model));
  const summary = describeOnnx(model);
  const input = summary.inputs[0];
  const row = input?.shape?.slice(1);
  const base = {
    model: params.model,
    opset: summary.opset,
    inputs: summary.inputs,
    outputs: summary.outputs,
  };
  if (summary.inputs.length !== 1 || !row || !row.every((d): d is number => typeof d === 'number' && d > 0)) {
    return { ...base, layers: summary.layers };
  }
  ctx.throwIfCancelled();
  let probe: ProbeResult;
  try {
    probe = await probeModel(model, params.model, new Float32Array(row.reduce((a, b) => a * b, 1)), row);
  } catch (e) {
    // A model that cannot run on zeros still has tensors to list, without shapes.
    if (e instanceof InputError) return { ...base, layers: summary.layers };
    throw e;
  }
  const batch: OnnxDim = input.shape?.[0] ?? 'N';
  const layers = summary.layers
    .filter(
      (l) => probe.types.get(l.name)?.startsWith('float') && probe.shapes.get(l.name)?.[0] === PROBE_BATCH,
    )
    .map((l) => ({ ...l, shape: [batch, ...probe.shapes.get(l.name)!.slice(1)] }));
  return { ...base, layers };
}

async function loadRun(params: ModelRunParams) {
  const model = await readOnnxFile(params.model);
  const inputsTensor = await readTensorFile(params.inputs);
  const inputs = modelInputs(model, inputsTensor, params.inputs, params.model);
  const labels = params.labels
    ? labelsFor(await readTensorFile(params.labels), inputs.n, params.labels)
    : undefined;
  return { model, inputs, inputsShape: inputsTensor.shape, labels };
}

function attackOf(params: ModelRunParams) {
  return {
    kind: params.attack ?? 'none',
    eps: params.eps ?? 0,
    steps: params.steps,
    stepSize: params.stepSize,
    randomStart: params.randomStart,
    seed: params.seed,
    clip: params.clip,
  };
}

async function writePredictions(path: string | undefined, r: RunModelResult): Promise<void> {
  if (path) await writeFile(path, encodeNpy({ dtype: 'int32', shape: [r.n], data: r.predictions }));
}

export async function computeActivations(
  params: ActivationsParams,
  ctx: JobContext,
): Promise<ActivationsResult> {
  const t0 = performance.now();
  const { model, inputs, labels } = await loadRun(params);
  const layer = params.layer ?? model.graph!.output[0].name;
  const r = await runModel(
    {
      model,
      modelFile: params.model,
      inputs,
      labels,
      layer,
      attack: attackOf(params),
      chunk: params.chunk,
      intraOpNumThreads: params.intraOpNumThreads,
    },
    ctx,
  );
  if (!r.activations || !r.activationShape)
    throw new InputError(params.model, `layer '${layer}' produced no values`);
  if (params.out) {
    await writeFile(
      params.out,
      encodeNpy({ dtype: 'float32', shape: r.activationShape, data: r.activations }),
    );
  }
  await writePredictions(params.predictionsOut, r);
  return {
    layer,
    shape: r.activationShape,
    accuracy: r.accuracy,
    cleanAccuracy: r.cleanAccuracy,
    robustAccuracy: r.robustAccuracy,
    attack: r.attack.kind,
    eps: r.attack.eps,
    seconds: (performance.now() - t0) / 1000,
    ...(params.out ? { out: params.out } : { activations: r.activations }),
    ...(params.predictionsOut ? { predictionsOut: params.predictionsOut } : {}),
    predictions: r.predictions,
  };
}

export async function runAttack(params: AttackJobParams, ctx: JobContext): Promise<AttackJobResult> {
  const t0 = performance.now();
  if (!params.labels) throw new InputError('', 'an attack needs labels (--labels)');
  const { model, inputs, inputsShape, labels } = await loadRun(params);
  const r = await runModel(
    {
      model,
      modelFile: params.model,
      inputs,
      labels,
      attack: attackOf(params),
      chunk: params.chunk,
      intraOpNumThreads: params.intraOpNumThreads,
      keepAdversarial: true,
    },
    ctx,
  );
  const adversarial = r.adversarial ?? inputs.x;
  if (params.out)
    await writeFile(params.out, encodeNpy({ dtype: 'float32', shape: inputsShape, data: adversarial }));
  await writePredictions(params.predictionsOut, r);
  return {
    attack: r.attack.kind,
    eps: r.attack.eps,
    steps: r.attack.steps,
    stepSize: r.attack.stepSize,
    shape: inputsShape,
    cleanAccuracy: r.cleanAccuracy,
    robustAccuracy: r.robustAccuracy,
    seconds: (performance.now() - t0) / 1000,
    ...(params.out ? { out: params.out } : { adversarial }),
    ...(params.predictionsOut ? { predictionsOut: params.predictionsOut } : {}),
    predictions: r.predictions,
  };
}

/** ε as the fixture files spell it: two decimals, unless that would round it. */
export function epsilonTag(eps: number): string {
  return Number(eps.toFixed(2)) === eps ? eps.toFixed(2) : String(eps);
}

/**
 * Activations of one layer at every ε with one set of sessions (the step graph takes ε and α as feeds):
 * the clean set and the attacked sets that a mapper comparison across ε needs.
 */
export async function sweepEpsilons(
  params: EpsilonSweepParams,
  ctx: JobContext,
): Promise<EpsilonSweepResult> {
  const t0 = performance.now();
  if (params.epsilons.length === 0) throw new InputError('', 'the sweep needs at least one ε');
  const { model, inputs, labels } = await loadRun(params);
  const layer = params.layer ?? model.graph!.output[0].name;
  const runner = await ModelRunner.create(model, params.model, inputs, layer, params.intraOpNumThreads);
  const sets: EpsilonSweepSet[] = [];
  let cleanAccuracy: number | null = null;
  try {
    for (const [i, eps] of params.epsilons.entries()) {
      const attack = resolveAttack({ ...attackOf(params), kind: eps === 0 ? 'none' : params.attack, eps });
      const slice = {
        progress: (f: number, m?: string) =>
          ctx.progress((i + f) / params.epsilons.length, `ε ${eps}: ${m ?? ''}`),
        throwIfCancelled: () => ctx.throwIfCancelled(),
        get cancelled() {
          return ctx.cancelled;
        },
        log: (m: string) => ctx.log(m),
      };
      const r = await runner.run({ labels, attack, chunk: params.chunk }, slice);
      cleanAccuracy = r.cleanAccuracy;
      const set: EpsilonSweepSet = {
        epsilon: eps,
        shape: r.activationShape!,
        accuracy: r.accuracy,
        predictions: r.predictions,
      };
      if (params.outDir) {
        set.out = path.join(params.outDir, `act_eps${epsilonTag(eps)}.npy`);
        set.predictionsOut = path.join(params.outDir, `pred_eps${epsilonTag(eps)}.npy`);
        await writeFile(
          set.out,
          encodeNpy({ dtype: 'float32', shape: r.activationShape!, data: r.activations! }),
        );
        await writePredictions(set.predictionsOut, r);
      } else {
        set.activations = r.activations;
      }
      sets.push(set);
    }
  } finally {
    await runner.release();
  }
  return { layer, attack: params.attack, cleanAccuracy, sets, seconds: (performance.now() - t0) / 1000 };
}

export const modelJobs: Pick<JobHandlers, 'layers' | 'activations' | 'attack' | 'epsilonSweep'> = {
  layers: listLayers,
  activations: computeActivations,
  attack: runAttack,
  epsilonSweep: sweepEpsilons,
};

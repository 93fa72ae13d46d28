/**
 * IO jobs: `info` (DESIGN.md §11: what a tensor file or ONNX model holds, with summary statistics per
 * tensor for the numeric inspector), `companions` (labels/predictions/manifest beside an activation file),
 * `samples` (the sample set behind the rows) and `renderSamples` (PNGs of image-array rows for galleries).
 */
import { InputError } from '../errors';
import {
  decodeOnnx,
  describeOnnx,
  dtypeOfElemType,
  tensorDims,
  tensorFromProto,
  type OnnxSummary,
} from '../io/onnx';
import { discoverCompanions, type Companions } from '../io/discover';
import { loadSamples, type SampleSet } from '../io/manifest';
import {
  decodeTensor,
  formatOf,
  readFileBytes,
  splitTensorSpec,
  tensorEntries,
  type TensorFormat,
} from '../io/read';
import { parseSafetensorsHeader } from '../io/safetensors';
import { summarizeTensor, type TensorSummary } from '../io/summary';
import type { DType, TensorInfo } from '../io/tensor';
import { reluMlpFromOnnx } from '../model/relu-mlp';
import type { JobContext, JobHandlers } from './types';

export interface InfoParams {
  file: string;
  /** Compute min/max/mean/std/NaN per tensor (reads all data); default true. */
  stats?: boolean;
  maxBytes?: number;
}

export interface InfoTensor {
  name: string;
  shape: number[];
  dtype: DType | 'unknown';
  stats?: TensorSummary;
}

export interface InfoResult extends Partial<OnnxSummary> {
  file: string;
  format: TensorFormat | 'onnx';
  bytes: number;
  tensors: InfoTensor[];
  /** .safetensors only: the `__metadata__` strings. */
  metadata?: Record<string, string>;
  /** ONNX only: the widths of the ReLU MLP the model is, or null when it is not one. */
  reluMlp?: { widths: number[] } | null;
}

/** A sample set as plain data: `render` stays in the worker, `renderable` says whether to ask for PNGs. */
export type SampleSetInfo = Omit<SampleSet, 'render'> & { renderable: boolean };

declare module './types' {
  interface JobTypes {
    info: { params: InfoParams; result: InfoResult };
    companions: { params: { activations: string }; result: Companions };
    samples: { params: { source: string }; result: SampleSetInfo };
    renderSamples: { params: { source: string; indices: number[] }; result: { images: Uint8Array[] } };
  }
}

function onnxInfo(bytes: Uint8Array, file: string, stats: boolean, ctx: JobContext): InfoResult {
  const model = decodeOnnx(bytes, file);
  const tensors: InfoTensor[] = [];
  for (const t of model.graph?.initializer ?? []) {
    ctx.throwIfCancelled();
    const entry: InfoTensor = { name: t.name, shape: tensorDims(t), dtype: dtypeOfElemType(t.dataType) };
    if (stats && entry.dtype !== 'unknown') {
      try {
        entry.stats = summarizeTensor(tensorFromProto(t, file));
      } catch (e) {
        // Data kept in an external file (or stored unusually) still lists; only its statistics are missing.
        if (!(e instanceof InputError)) throw e;
      }
    }
    tensors.push(entry);
  }
  let reluMlp: { widths: number[] } | null = null;
  try {
    reluMlp = { widths: reluMlpFromOnnx(model, file).widths };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
  }
  return { file, format: 'onnx', bytes: bytes.length, tensors, ...describeOnnx(model), reluMlp };
}

export async function fileInfo(params: InfoParams, ctx: JobContext): Promise<InfoResult> {
  const { stats = true } = params;
  // `file.pt:key` describes that one tensor.
  const { path: file, key } = splitTensorSpec(params.file);
  const isOnnx = /\.onnx$/i.test(file);
  const format = formatOf(file);
  if (!isOnnx && !format) {
    throw new InputError(
      file,
      'unsupported file type (info reads .npy .npz .safetensors .csv .tsv .json .pt .png .onnx)',
      'unsupported-format',
    );
  }
  const bytes = await readFileBytes(file, { maxBytes: params.maxBytes });
  ctx.progress(0.1, 'read');
  if (!format) return onnxInfo(bytes, file, stats, ctx); // the one non-tensor format left
  let entries = tensorEntries(bytes, file);
  if (key !== undefined) {
    const names = entries.map((e) => e.info.name).join(', ');
    entries = entries.filter((e) => e.key === key);
    if (entries.length === 0)
      throw new InputError(file, `no tensor '${key}' (tensors: ${names})`, 'not-found');
  }
  const tensors: InfoTensor[] = entries.map(({ info, key }, i) => {
    ctx.throwIfCancelled();
    ctx.progress(0.1 + (0.9 * i) / entries.length, info.name);
    const out: InfoTensor = { ...(info satisfies TensorInfo) };
    if (stats) {
      const tick = (f: number) => {
        ctx.throwIfCancelled();
        ctx.progress(0.1 + (0.9 * (i + f)) / entries.length, info.name);
      };
      out.stats = summarizeTensor(decodeTensor(bytes, file, key), tick);
    }
    return out;
  });
  const result: InfoResult = { file, format, bytes: bytes.length, tensors };
  if (format === 'safetensors') result.metadata = parseSafetensorsHeader(bytes, file).metadata;
  return result;
}

/** The last sample set loaded, so a gallery's successive requests decode the image array once. */
let lastSamples: { source: string; set: Promise<SampleSet> } | undefined;

function cachedSamples(source: string): Promise<SampleSet> {
  if (lastSamples?.source !== source) lastSamples = { source, set: loadSamples(source) };
  const set = lastSamples.set;
  set.catch(() => {
    if (lastSamples?.set === set) lastSamples = undefined;
  });
  return set;
}

export const ioJobs: Pick<JobHandlers, 'info' | 'companions' | 'samples' | 'renderSamples'> = {
  info: fileInfo,
  companions: ({ activations }) => discoverCompanions(activations),
  samples: async ({ source }) => {
    const { render, ...rest } = await cachedSamples(source);
    return { ...rest, renderable: render !== undefined };
  },
  renderSamples: async ({ source, indices }, ctx) => {
    const set = await cachedSamples(source);
    if (!set.render)
      throw new InputError(source, 'these samples are image files, not an image array', 'bad-parameter');
    const images: Uint8Array[] = [];
    for (const i of indices) {
      ctx.throwIfCancelled();
      images.push(set.render(i));
    }
    return { images };
  },
};

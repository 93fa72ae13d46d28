/**
 * The `info` job (DESIGN.md §11): what a tensor file or ONNX model holds, with summary statistics per
 * tensor for the numeric inspector.
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
import { decodeTensor, formatOf, readFileBytes, tensorEntries, type TensorFormat } from '../io/read';
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
  /** ONNX only: the widths of the ReLU MLP the model is, or null when it is not one. */
  reluMlp?: { widths: number[] } | null;
}

declare module './types' {
  interface JobTypes {
    info: { params: InfoParams; result: InfoResult };
  }
}

function onnxInfo(bytes: Uint8Array, file: string, stats: boolean, ctx: JobContext): InfoResult {
  const model = decodeOnnx(bytes, file);
  const tensors: InfoTensor[] = [];
  for (const t of model.graph?.initializer ?? []) {
    ctx.throwIfCancelled();
    const entry: InfoTensor = { name: t.name, shape: tensorDims(t), dtype: dtypeOfElemType(t.dataType) };
    if (stats && entry.dtype !== 'unknown') entry.stats = summarizeTensor(tensorFromProto(t, file));
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
  const { file, stats = true } = params;
  const bytes = await readFileBytes(file, { maxBytes: params.maxBytes });
  ctx.progress(0.1, 'read');
  if (/\.onnx$/i.test(file)) return onnxInfo(bytes, file, stats, ctx);
  const format = formatOf(file);
  if (!format) {
    throw new InputError(
      file,
      'unsupported file type (info reads .npy .npz .safetensors .csv .tsv .json .pt .png .onnx)',
      'unsupported-format',
    );
  }
  const entries = tensorEntries(bytes, file);
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
  return { file, format, bytes: bytes.length, tensors };
}

export const ioJobs: Pick<JobHandlers, 'info'> = { info: fileInfo };

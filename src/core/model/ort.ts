/**
 * onnxruntime-node, loaded lazily: importing this module costs nothing, and only job handlers listed in
 * ORT_JOBS call `loadOrt` (the native runtime must never load on the extension host's thread).
 */
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { InputError } from '../errors';

export type Ort = typeof import('onnxruntime-node');
export type { InferenceSession, OrtTensor };

let ortPromise: Promise<Ort> | undefined;

export function loadOrt(): Promise<Ort> {
  ortPromise ??= import('onnxruntime-node');
  return ortPromise;
}

export interface SessionOptions {
  /** Threads inside one operator; 1 was as fast as more for small models on 2 cores (notes/toolchain.md). */
  intraOpNumThreads?: number;
}

/** A session from model bytes; ORT's load failures (bad graph, unknown tensor) become InputError 'bad-model'. */
export async function createSession(
  bytes: Uint8Array,
  file: string,
  opts: SessionOptions = {},
): Promise<InferenceSession> {
  const ort = await loadOrt();
  try {
    return await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: opts.intraOpNumThreads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (e) {
    throw new InputError(file, `onnxruntime cannot load the model: ${(e as Error).message}`, 'bad-model');
  }
}

/** A float32 tensor for a feed. */
export async function floatTensor(data: Float32Array, dims: readonly number[]): Promise<OrtTensor> {
  const ort = await loadOrt();
  return new ort.Tensor('float32', data, dims);
}

/** session.run with onnxruntime's failures (shapes the graph cannot take, say) as InputError 'bad-model'. */
export async function runSession(
  session: InferenceSession,
  file: string,
  feeds: InferenceSession.FeedsType,
  fetches?: string[],
): Promise<InferenceSession.ReturnType> {
  try {
    return fetches ? await session.run(feeds, fetches) : await session.run(feeds);
  } catch (e) {
    throw new InputError(file, `onnxruntime cannot run the model: ${(e as Error).message}`, 'bad-model');
  }
}

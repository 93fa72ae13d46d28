/**
 * One probe run that exposes every tensor: the static shapes (batch of 2, so that broadcasting over the
 * batch axis is visible) and the values of constant side inputs (pads, BatchNorm statistics) that the
 * backward graph needs. Shapes never come from value_info, which may be stale or absent.
 */
import type { ModelProto } from 'onnx-buf';
import { encodeOnnx, realInputs } from '../io/onnx';
import { nodeOutputNames, withOutputs } from './expose';
import { createSession, floatTensor, runSession } from './ort';

export const PROBE_BATCH = 2;

export interface ProbeResult {
  shapes: Map<string, number[]>;
  /** onnxruntime's element type of each tensor ('float32', 'int64', …). */
  types: Map<string, string>;
  values: Map<string, Float64Array>;
}

/** Runs `model` on PROBE_BATCH rows of `sample` (row shape `rowShape`, rows repeated if fewer). */
export async function probeModel(
  model: ModelProto,
  file: string,
  sample: Float32Array,
  rowShape: readonly number[],
): Promise<ProbeResult> {
  const graph = model.graph!;
  const input = realInputs(graph)[0].name;
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(PROBE_BATCH * rowSize);
  const rows = Math.max(1, Math.floor(sample.length / rowSize));
  for (let i = 0; i < PROBE_BATCH; i++)
    x.set(sample.subarray((i % rows) * rowSize, ((i % rows) + 1) * rowSize), i * rowSize);
  const names = nodeOutputNames(graph);
  const session = await createSession(encodeOnnx(withOutputs(model, names, file)), file);
  try {
    const out = await runSession(session, file, {
      [input]: await floatTensor(x, [PROBE_BATCH, ...rowShape]),
    });
    const shapes = new Map<string, number[]>([[input, [PROBE_BATCH, ...rowShape]]]);
    const types = new Map<string, string>([[input, 'float32']]);
    const values = new Map<string, Float64Array>();
    for (const [name, t] of Object.entries(out)) {
      shapes.set(name, t.dims.map(Number));
      types.set(name, t.type);
      const data = t.data;
      if (typeof data !== 'string' && !Array.isArray(data) && data.length <= 4096) {
        values.set(name, Float64Array.from(data as ArrayLike<number | bigint>, Number));
      }
    }
    return { shapes, types, values };
  } finally {
    await session.release();
  }
}

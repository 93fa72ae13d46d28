import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { ModelProto, ValueInfoProto } from 'onnx-buf';
import { parseNpy } from '../../../src/core/io/npy';
import {
  decodeOnnx,
  encodeOnnx,
  ONNX_DOUBLE,
  ONNX_FLOAT,
  tensorProtoToFloat64,
} from '../../../src/core/io/onnx';
import { readAllTensors } from '../../../src/core/io/read';
import { silentContext } from '../../../src/core/jobs/context';
import { createSession, loadOrt } from '../../../src/core/model/ort';
import { forwardReluMlp, reluMlpFromOnnx, reluMlpFromStateDict } from '../../../src/core/model/relu-mlp';
import { runModel } from '../../../src/core/model/run-model';

const fixtures = path.resolve(__dirname, '../../../../shared/fixtures');
const images = parseNpy(readFileSync(path.join(fixtures, 'digits/test_images.npy'))).data as Float32Array;

/** The same model with float64 weights, input and output, so onnxruntime itself computes in float64. */
function asFloat64Model(model: ModelProto, file: string): ModelProto {
  const retype = (v: ValueInfoProto): ValueInfoProto =>
    v.type?.value.case === 'tensorType'
      ? {
          ...v,
          type: {
            ...v.type,
            value: { case: 'tensorType', value: { ...v.type.value.value, elemType: ONNX_DOUBLE } },
          },
        }
      : v;
  const graph = model.graph!;
  return {
    ...model,
    graph: {
      ...graph,
      input: graph.input.map(retype),
      output: graph.output.map(retype),
      initializer: graph.initializer.map((t) =>
        t.dataType === ONNX_FLOAT
          ? {
              ...t,
              dataType: ONNX_DOUBLE,
              rawData: new Uint8Array(tensorProtoToFloat64(t, file).buffer as ArrayBuffer),
              floatData: [],
            }
          : t,
      ),
    },
  };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const name of ['mlp_clean', 'mlp_adv_linf_0.1']) {
  test(`forwardReluMlp (from .onnx and from the state dict) equals onnxruntime on ${name}`, async () => {
    const file = path.join(fixtures, 'digits', `${name}.onnx`);
    const model = decodeOnnx(readFileSync(file), file);
    const fromOnnx = reluMlpFromOnnx(model, file);
    const ptFile = path.join(fixtures, 'digits', `${name}_state_dict.pt`);
    const fromPt = reluMlpFromStateDict(await readAllTensors(ptFile), ptFile);
    assert.deepEqual(fromOnnx.widths, [784, 128, 64, 10]);
    assert.deepEqual(fromPt.widths, fromOnnx.widths);

    const x64 = Float64Array.from(images);
    const ort = await loadOrt();
    const session = await createSession(encodeOnnx(asFloat64Model(model, file)), file);
    const out = await session.run({ input: new ort.Tensor('float64', x64, [2000, 784]) });
    await session.release();
    const ort64 = out.logits.data as Float64Array;
    const ort32 = await runModel(
      { model, modelFile: file, inputs: { x: images, n: 2000, rowShape: [784] }, layer: 'logits' },
      silentContext,
    );
    for (const mlp of [fromOnnx, fromPt]) {
      const ts = forwardReluMlp(mlp, x64, 2000);
      // Same arithmetic as onnxruntime in float64; float32 onnxruntime differs by its own rounding only.
      assert.ok(maxAbsDiff(ts, ort64) <= 1e-6, `float64: max |Δ| = ${maxAbsDiff(ts, ort64)}`);
      assert.ok(
        maxAbsDiff(ts, ort32.activations!) <= 1e-5,
        `float32: max |Δ| = ${maxAbsDiff(ts, ort32.activations!)}`,
      );
    }
  });
}

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { ModelProtoSchema, TensorProtoSchema } from 'onnx-buf';
import { InputError } from '../../../src/core/errors';
import {
  decodeOnnx,
  describeOnnx,
  encodeOnnx,
  initializerMap,
  tensorFromProto,
  tensorProtoToFloat32,
  tensorProtoToFloat64,
} from '../../../src/core/io/onnx';

const fixtures = path.resolve(__dirname, '../../../../shared/fixtures');
const mlpPath = path.join(fixtures, 'digits/mlp_clean.onnx');

test('describeOnnx lists opset, input, output and every node output of the digits MLP', () => {
  const model = decodeOnnx(readFileSync(mlpPath), mlpPath);
  const s = describeOnnx(model);
  assert.equal(s.opset, 13);
  assert.deepEqual(
    s.inputs.map((i) => i.name),
    ['input'],
  );
  assert.equal(s.inputs[0].dtype, 'float32');
  assert.equal(s.inputs[0].shape?.[1], 784);
  assert.deepEqual(
    s.outputs.map((o) => [o.name, o.shape?.[1]]),
    [['logits', 10]],
  );
  assert.deepEqual(
    s.layers.map((l) => l.op),
    ['Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm'],
  );
  assert.equal(s.layers[4].name, 'logits');
  assert.equal(s.layers[4].shape?.[1], 10);
  assert.equal(s.layers[0].shape, null);
});

test('initializers decode from raw_data to the right shapes', () => {
  const model = decodeOnnx(readFileSync(mlpPath), mlpPath);
  const inits = initializerMap(model.graph!);
  const w = tensorFromProto(inits.get('0.weight')!, mlpPath);
  assert.deepEqual(w.shape, [128, 784]);
  assert.equal(w.data.length, 128 * 784);
  const b = tensorProtoToFloat64(inits.get('4.bias')!, mlpPath);
  assert.equal(b.length, 10);
  assert.ok(b.every((v) => Number.isFinite(v)));
});

test('raw_data at an unaligned offset and typed float_data/int64_data decode exactly', () => {
  const values = [1.5, -2.25, 3e-8, 1e30];
  const raw = new Uint8Array(1 + 16);
  const dv = new DataView(raw.buffer);
  values.forEach((v, i) => dv.setFloat32(1 + 4 * i, v, true));
  const unaligned = create(TensorProtoSchema, {
    name: 'u',
    dims: [2n, 2n],
    dataType: 1,
    rawData: raw.subarray(1),
  });
  assert.deepEqual(Array.from(tensorProtoToFloat32(unaligned, 'f')), Array.from(Float32Array.from(values)));
  const typed = create(TensorProtoSchema, { name: 't', dims: [4n], dataType: 1, floatData: values });
  assert.deepEqual(Array.from(tensorProtoToFloat32(typed, 'f')), Array.from(Float32Array.from(values)));
  const ints = create(TensorProtoSchema, { name: 'i', dims: [3n], dataType: 7, int64Data: [1n, -5n, 9n] });
  assert.deepEqual(Array.from(tensorProtoToFloat64(ints, 'f')), [1, -5, 9]);
  const short = create(TensorProtoSchema, { name: 's', dims: [5n], dataType: 1, floatData: values });
  assert.throws(
    () => tensorFromProto(short, 'f'),
    (e: unknown) => e instanceof InputError && e.code === 'shape-mismatch',
  );
});

test('encodeOnnx round-trips the fixture and keeps unknown fields', () => {
  const bytes = readFileSync(mlpPath);
  const model = decodeOnnx(bytes, mlpPath);
  const again = decodeOnnx(encodeOnnx(model), mlpPath);
  assert.deepEqual(describeOnnx(again), describeOnnx(model));
  // Field 99 (varint 7) is not in onnx.proto: it must survive decode → encode.
  const withUnknown = new Uint8Array([
    ...encodeOnnx(create(ModelProtoSchema, { graph: model.graph })),
    0x98,
    0x06,
    0x07,
  ]);
  const out = encodeOnnx(decodeOnnx(withUnknown, 'x'));
  assert.deepEqual(Array.from(out.subarray(out.length - 3)), [0x98, 0x06, 0x07]);
});

test('decodeOnnx refuses garbage with a typed bad-model error', () => {
  for (const bytes of [
    new Uint8Array([0xff, 0xff, 0xff]),
    new TextEncoder().encode('hello world'),
    new Uint8Array(),
  ]) {
    assert.throws(
      () => decodeOnnx(bytes, 'junk.onnx'),
      (e: unknown) => e instanceof InputError && e.code === 'bad-model' && e.file === 'junk.onnx',
    );
  }
});

test('arbitrary bytes and truncated or corrupted models give a model or a bad-model InputError, never a crash', () => {
  const real = readFileSync(mlpPath);
  const check = (bytes: Uint8Array) => {
    try {
      const m = decodeOnnx(bytes, 'fuzz.onnx');
      describeOnnx(m);
      for (const t of m.graph!.initializer) {
        try {
          tensorFromProto(t, 'fuzz.onnx');
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
        }
      }
    } catch (e) {
      if (!(e instanceof InputError) || e.code !== 'bad-model') throw e;
    }
  };
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => check(bytes)),
    { seed: 1, numRuns: 500 },
  );
  fc.assert(
    fc.property(
      fc.nat(real.length),
      fc.nat(real.length - 1),
      fc.integer({ min: 0, max: 255 }),
      (cut, at, byte) => {
        const corrupted = real.slice();
        corrupted[at] = byte;
        check(corrupted.subarray(0, cut));
      },
    ),
    { seed: 2, numRuns: 300 },
  );
});

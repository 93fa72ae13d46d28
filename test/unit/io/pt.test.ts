import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { zipSync } from 'fflate';
import { ModelProtoSchema } from 'onnx-buf';
import { listPt, readPt, readPtAll } from '../../../src/core/io/pt';
import { InputError } from '../../../src/core/errors';
import { assertClose, bytesOf, expected, local, shared } from './helpers';

const fixture = (name: string) => path.join(local, name);
const m = (expected.m as number[][]).flat();

test('a state dict (protocol 2) with parameters, a strided view, fp16, bf16, int64, bool and a 0-d tensor', () => {
  const f = fixture('views_p2.pt');
  const bytes = bytesOf(f);
  assert.deepEqual(
    listPt(bytes, f).map((t) => `${t.name}:${t.dtype}:${t.shape.join('x')}`),
    [
      'net.0.weight:float32:4x5',
      'net.0.view:float32:3x2',
      'half:float16:3',
      'bf:bfloat16:3',
      'ids:int64:2',
      'mask:bool:2x2',
      'scalar:float64:',
    ],
  );
  assertClose(readPt(bytes, f, 'net.0.weight').data, m);
  assertClose(readPt(bytes, f, 'net.0.view').data, (expected.view as number[][]).flat());
  assertClose(readPt(bytes, f, 'half').data, expected.half as number[]);
  assertClose(readPt(bytes, f, 'bf').data, expected.bf as number[]);
  assert.deepEqual([...readPt(bytes, f, 'ids').data], [-6n, 2n ** 40n]);
  assert.deepEqual([...readPt(bytes, f, 'mask').data], [1, 0, 1, 1]);
  const s = readPt(bytes, f, 'scalar');
  assert.deepEqual(s.shape, []);
  assert.deepEqual([...s.data], [7]);
});

test('a nested training checkpoint (protocol 4, frames, memoize) flattens keys with dots', () => {
  const f = fixture('checkpoint_p4.pt');
  const all = readPtAll(bytesOf(f), f);
  assert.deepEqual([...all.keys()].slice(0, 2), ['model.net.0.weight', 'model.net.0.view']);
  assertClose(all.get('model.net.0.view')!.data, (expected.view as number[][]).flat());
});

test('a single tensor (protocol 5) with a storage offset; big-endian archives are swapped', () => {
  const f = fixture('single_p5.pt');
  const t = readPt(bytesOf(f), f);
  assert.deepEqual(t.shape, [3, 5]);
  assertClose(t.data, m.slice(5));
  const be = fixture('bigendian.pt');
  assertClose(readPt(bytesOf(be), be, 'w').data, m);
});

test('a pickle naming any other global is refused as unsafe, naming it, and nothing runs', () => {
  const f = fixture('unsafe.pt');
  assert.throws(
    () => listPt(bytesOf(f), f),
    (e: unknown) =>
      e instanceof InputError && e.code === 'unsafe-pickle' && /posix\.system|os\.system/.test(e.reason),
  );
});

test('the legacy (pre-1.6) format is refused with the re-save advice', () => {
  const f = fixture('legacy.pt');
  assert.throws(
    () => readPt(bytesOf(f), f),
    (e: unknown) =>
      e instanceof InputError && e.code === 'legacy-format' && /re-save with torch\.save/.test(e.reason),
  );
});

test('unknown keys and ambiguous reads name the available keys', () => {
  const f = fixture('views_p2.pt');
  assert.throws(
    () => readPt(bytesOf(f), f, 'nope'),
    (e: unknown) => e instanceof InputError && e.code === 'not-found',
  );
  assert.throws(
    () => readPt(bytesOf(f), f),
    (e: unknown) => e instanceof InputError && /net\.0\.weight/.test(e.reason),
  );
});

/** The ONNX export of the same model carries the same weights as Gemm initializers with the same names. */
function onnxInitializers(file: string): Map<string, Float32Array> {
  const model = fromBinary(ModelProtoSchema, bytesOf(file));
  const out = new Map<string, Float32Array>();
  for (const t of model.graph!.initializer) {
    const raw = t.rawData;
    out.set(t.name, new Float32Array(Uint8Array.from(raw).buffer));
  }
  return out;
}

for (const [pt, onnx, widths] of [
  ['digits/mlp_clean_state_dict.pt', 'digits/mlp_clean.onnx', [784, 128, 64, 10]],
  ['spirals/model_state_dict.pt', 'spirals/model.onnx', [2, 8, 8, 2]],
] as const) {
  test(`${pt}: Linear shapes pinned and every weight equal to the ONNX initializers`, () => {
    const file = path.join(shared, pt);
    const all = readPtAll(bytesOf(file), file);
    assert.deepEqual([...all.keys()], ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
    for (let l = 0; l < 3; l++) {
      assert.deepEqual(all.get(`${2 * l}.weight`)!.shape, [widths[l + 1], widths[l]]);
      assert.deepEqual(all.get(`${2 * l}.bias`)!.shape, [widths[l + 1]]);
    }
    const init = onnxInitializers(path.join(shared, onnx));
    for (const [name, t] of all) assert.deepEqual(t.data, init.get(name), name);
  });
}

test('pinned values of the spirals state dict', () => {
  const file = path.join(shared, 'spirals/model_state_dict.pt');
  const w = readPt(bytesOf(file), file, '0.weight');
  assertClose(
    w.data.slice(0, 4),
    [-0.4963299632072449, -0.019016742706298828, -4.58231258392334, 1.445218563079834],
  );
});

test('a self-referencing pickle (a list holding itself 1000 times) is walked once, not 1000^8 times', () => {
  // PROTO 2, EMPTY_LIST, BINPUT 0, MARK, BINGET 0 ×1000, APPENDS, STOP
  const pkl = [
    0x80,
    2,
    0x5d,
    0x71,
    0,
    0x28,
    ...Array.from({ length: 1000 }, () => [0x68, 0]).flat(),
    0x65,
    0x2e,
  ];
  const bytes = zipSync({ 'archive/data.pkl': Uint8Array.from(pkl) }, { level: 0 });
  assert.throws(
    () => listPt(bytes, 'loop.pt'),
    (e: unknown) => e instanceof InputError && /holds no tensors/.test(e.reason),
  );
});

test('torch 2.x _rebuild_from_type_v2 records of Parameters read as plain tensors', () => {
  const f = fixture('from_type_v2.pt');
  const t = readPt(bytesOf(f), f, 'w');
  assert.deepEqual(t.shape, [4, 5]);
  assertClose(t.data, m);
});

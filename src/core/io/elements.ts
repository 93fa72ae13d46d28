/**
 * Decoding raw element bytes into typed arrays, shared by every binary reader (.npy, .npz, .safetensors,
 * .pt). Little-endian aligned data becomes a zero-copy view; anything else is copied once.
 */
import type { DType, TensorData } from './tensor';

/** Refuse headers that claim more elements than could ever be allocated, before allocating. */
export const MAX_ELEMENTS = 2 ** 31 - 1;

export interface Descr {
  dtype: DType;
  itemSize: number;
  littleEndian: boolean;
}

export function dtypeItemSize(dtype: DType): number {
  switch (dtype) {
    case 'int8':
    case 'uint8':
    case 'bool':
      return 1;
    case 'float16':
    case 'bfloat16':
    case 'int16':
    case 'uint16':
      return 2;
    case 'float32':
    case 'int32':
    case 'uint32':
      return 4;
    case 'float64':
    case 'int64':
    case 'uint64':
      return 8;
  }
}

const F16_EXP = new Float64Array(32).map((_, e) => 2 ** (e - 15));

/** IEEE half → number: (−1)^s · 2^(e−15) · (1 + f/1024), subnormals 2^−14 · f/1024. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * F16_EXP[e] * (1 + f / 1024);
}

function view(dtype: DType, buf: ArrayBufferLike, start: number, count: number): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buf, start, count);
    case 'float64':
      return new Float64Array(buf, start, count);
    case 'int8':
      return new Int8Array(buf, start, count);
    case 'int16':
      return new Int16Array(buf, start, count);
    case 'int32':
      return new Int32Array(buf, start, count);
    case 'int64':
      return new BigInt64Array(buf, start, count);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buf, start, count);
    case 'uint16':
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(buf, start, count);
    case 'uint32':
      return new Uint32Array(buf, start, count);
    case 'uint64':
      return new BigUint64Array(buf, start, count);
  }
}

/** float16 and bfloat16 are widened to float32 (bfloat16 is the top half of a float32's bits). */
function widen(dtype: DType, raw: Uint16Array): Float32Array {
  const out = new Float32Array(raw.length);
  if (dtype === 'bfloat16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < raw.length; i++) bits[i] = raw[i] << 16;
  } else {
    for (let i = 0; i < raw.length; i++) out[i] = halfToFloat(raw[i]);
  }
  return out;
}

/** Decodes `count` elements of `d` starting at `offset` in `v` (stored order, row-major or not). */
export function decodeElements(v: DataView, offset: number, count: number, d: Descr): TensorData {
  const n = d.itemSize;
  const start = v.byteOffset + offset;
  let buf: ArrayBufferLike = v.buffer;
  let at = start;
  if (!d.littleEndian && n > 1) {
    // Big-endian: one copy with the bytes of each element reversed.
    const src = new Uint8Array(v.buffer, start, count * n);
    const dst = new Uint8Array(count * n);
    for (let i = 0; i < dst.length; i += n) for (let k = 0; k < n; k++) dst[i + k] = src[i + n - 1 - k];
    buf = dst.buffer;
    at = 0;
  } else if (start % n !== 0) {
    buf = new Uint8Array(v.buffer, start, count * n).slice().buffer;
    at = 0;
  }
  const data = view(d.dtype, buf, at, count);
  return d.dtype === 'float16' || d.dtype === 'bfloat16' ? widen(d.dtype, data as Uint16Array) : data;
}

/** The in-memory tensor every reader returns: row-major data in a typed array, plus its shape. */

export type DType =
  | 'float16'
  | 'bfloat16'
  | 'float32'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool';

/**
 * float16/bfloat16 are widened to Float32Array on read; int64/uint64 are BigInt64Array/BigUint64Array;
 * bool is Uint8Array. `dtype` always records the type stored in the file.
 */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

export interface Tensor {
  dtype: DType;
  shape: number[];
  data: TensorData;
  /** Class names when the values index them (a text label column of a CSV). */
  classes?: string[];
}

/** Number of elements: the product of the shape (1 for a 0-d tensor). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Values as float64, whatever the stored type (int64 beyond 2^53 loses precision, as in numpy). */
export function toFloat64(t: Tensor): Float64Array {
  if (t.data instanceof Float64Array) return t.data;
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  return out;
}

/** Values as float32 (the working precision of the mapper and the model code). */
export function toFloat32(t: Tensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  const out = new Float32Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  return out;
}

/** Values as int32 labels/predictions; a 2-D (N×K) float tensor is taken as scores and arg-maxed per row. */
export function toLabels(t: Tensor): Int32Array {
  if (t.shape.length === 2 && t.shape[1] > 1) {
    const [n, k] = t.shape;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (Number(t.data[i * k + j]) > Number(t.data[i * k + best])) best = j;
      out[i] = best;
    }
    return out;
  }
  const out = new Int32Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  return out;
}

/** What a listing reports about one tensor in a file, without reading its data. */
export interface TensorInfo {
  name: string;
  shape: number[];
  dtype: DType;
}

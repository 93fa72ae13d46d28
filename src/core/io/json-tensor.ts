/**
 * Tensors in JSON: a nested array of numbers, `{data, shape[, dtype]}`, or an object whose fields (at any
 * depth, keys joined by '.') hold such arrays, each addressable as `file.json:key`.
 */
import { InputError } from '../errors';
import { MAX_ELEMENTS } from './elements';
import { sizeOf, type DType, type Tensor, type TensorInfo } from './tensor';

const INT_DTYPES = new Set<string>(['int8', 'int16', 'int32', 'uint8', 'uint16', 'uint32']);

/** Shape of a rectangular nested array of numbers (null reads as NaN), or undefined if it is not one. */
function nestedShape(x: unknown, depth = 0): number[] | undefined {
  if (!Array.isArray(x)) return typeof x === 'number' || x === null ? [] : undefined;
  if (x.length === 0) return [0];
  if (depth > 32) return undefined;
  const inner = nestedShape(x[0], depth + 1);
  if (!inner) return undefined;
  for (let i = 1; i < x.length; i++) {
    const s = nestedShape(x[i], depth + 1);
    if (!s || s.length !== inner.length || s.some((d, k) => d !== inner[k])) return undefined;
  }
  return [x.length, ...inner];
}

function flatten(x: unknown, out: number[]): void {
  if (Array.isArray(x)) for (const y of x) flatten(y, out);
  else out.push(x === null ? NaN : (x as number));
}

/** A tensor from one JSON value, or undefined when the value holds none. */
function asTensor(x: unknown, where: string): Tensor | undefined {
  if (Array.isArray(x)) {
    const shape = nestedShape(x);
    if (!shape || shape.length === 0) return undefined;
    const flat: number[] = [];
    flatten(x, flat);
    return { dtype: 'float64', shape, data: Float64Array.from(flat) };
  }
  if (typeof x !== 'object' || x === null || !('data' in x) || !('shape' in x)) return undefined;
  const { data, shape, dtype } = x as { data: unknown; shape: unknown; dtype?: unknown };
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new InputError(where, '"shape" must be a list of non-negative integers', 'bad-header');
  }
  const flat: number[] = [];
  if (!nestedShape(data))
    throw new InputError(where, '"data" must be a (nested) array of numbers', 'bad-header');
  flatten(data, flat);
  const count = sizeOf(shape);
  if (count > MAX_ELEMENTS || flat.length !== count) {
    throw new InputError(
      where,
      `"data" has ${flat.length} numbers, "shape" [${shape.join(', ')}] needs ${count}`,
      'shape-mismatch',
    );
  }
  if (typeof dtype === 'string' && INT_DTYPES.has(dtype)) {
    return { dtype: 'int32', shape, data: Int32Array.from(flat) };
  }
  return { dtype: 'float64', shape, data: Float64Array.from(flat) };
}

/** Every tensor in the document, by dotted key ('' for a document that is one tensor). */
export function jsonTensors(text: string, file: string): Map<string, Tensor> {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InputError(file, `not valid JSON (${(e as Error).message})`, 'bad-header');
  }
  const out = new Map<string, Tensor>();
  const walk = (x: unknown, key: string, depth: number) => {
    const t = asTensor(x, key ? `${file}:${key}` : file);
    if (t) out.set(key, t);
    else if (typeof x === 'object' && x !== null && !Array.isArray(x) && depth < 8) {
      for (const [k, v] of Object.entries(x)) walk(v, key ? `${key}.${k}` : k, depth + 1);
    }
  };
  walk(doc, '', 0);
  if (out.size === 0) {
    throw new InputError(
      file,
      'no tensor in this JSON (expected nested arrays of numbers or {data, shape})',
      'unsupported-format',
    );
  }
  return out;
}

export function listJson(text: string, file: string): TensorInfo[] {
  return [...jsonTensors(text, file)].map(([name, t]) => ({ name, shape: t.shape, dtype: t.dtype as DType }));
}

export function readJsonTensor(text: string, file: string, key?: string): Tensor {
  const all = jsonTensors(text, file);
  const keys = [...all.keys()];
  if (key === undefined) {
    if (all.size !== 1) {
      throw new InputError(
        file,
        `holds ${all.size} tensors; name one as ${file}:KEY (keys: ${keys.join(', ')})`,
        'bad-parameter',
      );
    }
    return all.get(keys[0])!;
  }
  const t = all.get(key);
  if (!t) throw new InputError(file, `no tensor '${key}' (keys: ${keys.join(', ')})`, 'not-found');
  return t;
}

/**
 * Checks that the files of one analysis fit together (DESIGN.md §3): row counts agree, NaN/Inf rows are
 * reported or excluded (and counted), labels map to class names.
 */
import { InputError } from '../errors';
import { toLabels, type Tensor, type TensorData } from './tensor';

export interface RowSource {
  /** What the file is in the analysis: 'activations', 'labels', 'predictions', 'manifest'. */
  role: string;
  file: string;
  rows: number;
}

/** Rows of a tensor: its first dimension (a 0-d tensor is one row). */
export function rowCount(t: Tensor): number {
  return t.shape.length === 0 ? 1 : t.shape[0];
}

/** Throws 'row-count-mismatch' naming every source whose count differs from the first one's. */
export function checkRowCounts(sources: readonly RowSource[]): void {
  if (sources.length < 2) return;
  const [first, ...rest] = sources;
  const differing = rest.filter((s) => s.rows !== first.rows);
  if (differing.length === 0) return;
  const list = [first, ...differing].map((s) => `${s.role} ${s.file} has ${s.rows}`).join(', ');
  throw new InputError(differing[0].file, `row counts differ: ${list}`, 'row-count-mismatch');
}

/** Indices of the rows holding at least one NaN or ±Inf. */
export function nonFiniteRows(t: Tensor): Int32Array {
  const n = rowCount(t);
  const width = n === 0 ? 0 : t.data.length / n;
  const d = t.data;
  const bad: number[] = [];
  if (!(d instanceof Float32Array || d instanceof Float64Array)) return new Int32Array(0);
  for (let i = 0; i < n; i++) {
    for (let j = i * width; j < (i + 1) * width; j++) {
      if (!Number.isFinite(d[j])) {
        bad.push(i);
        break;
      }
    }
  }
  return Int32Array.from(bad);
}

/** The rows `rows` of `t`, in that order. */
export function selectRows(t: Tensor, rows: Int32Array): Tensor {
  const n = rowCount(t);
  const width = n === 0 ? 0 : t.data.length / n;
  const out = new (t.data.constructor as new (len: number) => TensorData)(rows.length * width);
  for (let k = 0; k < rows.length; k++) {
    const src = rows[k] * width;
    for (let j = 0; j < width; j++) out[k * width + j] = t.data[src + j];
  }
  return { ...t, shape: [rows.length, ...t.shape.slice(1)], data: out };
}

export interface FiniteRows {
  tensor: Tensor;
  /** Original indices of the rows kept (all rows when none were dropped). */
  kept: Int32Array;
  dropped: Int32Array;
}

/**
 * Refuses NaN/Inf rows with 'non-finite' (naming the count and the first rows), or, with `exclude`, drops
 * them and returns the kept row indices so labels, predictions and samples can follow.
 */
export function finiteRows(t: Tensor, file: string, exclude: boolean): FiniteRows {
  const dropped = nonFiniteRows(t);
  const n = rowCount(t);
  if (dropped.length === 0) return { tensor: t, kept: Int32Array.from({ length: n }, (_, i) => i), dropped };
  if (!exclude) {
    const first = [...dropped.slice(0, 5)].join(', ');
    throw new InputError(
      file,
      `${dropped.length} of ${n} rows hold NaN or Inf (rows ${first}${dropped.length > 5 ? ', …' : ''}); exclude them or fix the file`,
      'non-finite',
    );
  }
  const isDropped = new Uint8Array(n);
  for (const i of dropped) isDropped[i] = 1;
  const kept = Int32Array.from({ length: n - dropped.length });
  for (let i = 0, k = 0; i < n; i++) if (!isDropped[i]) kept[k++] = i;
  return { tensor: selectRows(t, kept), kept, dropped };
}

/**
 * Class names for a label tensor: the given names (every label must index them), the tensor's own names
 * (a text CSV column), or '0'…'K−1' with K = largest label + 1.
 */
export function classNames(labels: Tensor, file: string, given?: readonly string[]): string[] {
  const values = toLabels(labels);
  if (given) {
    for (let i = 0; i < values.length; i++) {
      if (values[i] < 0 || values[i] >= given.length) {
        throw new InputError(
          file,
          `label ${values[i]} in row ${i} has no class name (${given.length} classes)`,
          'bad-parameter',
        );
      }
    }
    return [...given];
  }
  if (labels.classes) return labels.classes;
  let max = -1;
  for (const v of values) {
    if (v < 0)
      throw new InputError(file, `negative label ${v}; labels must be class indices 0…K−1`, 'bad-parameter');
    if (v > max) max = v;
  }
  return Array.from({ length: max + 1 }, (_, i) => String(i));
}

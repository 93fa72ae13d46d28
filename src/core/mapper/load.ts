/** Reading a mapper input from files: the activation matrix and its optional labels and predictions. */
import { InputError } from '../errors';
import { readTensorFile } from '../io/read';
import { sizeOf, toFloat32, toFloat64, toLabels } from '../io/tensor';
import { checkRowCounts, finiteRows } from '../io/validate';
import type { MapperInput } from './mapper';

export interface MapperFiles {
  activations: string;
  labels?: string;
  predictions?: string;
  /** Tensor spec of a user lens vector (the `file:` lens). */
  lensFile?: string;
}

/** An N×D float32 matrix from any tensor file: rows are the first axis, the rest is flattened. */
export async function readMatrix(spec: string): Promise<{ x: Float32Array; n: number; d: number }> {
  const t = await readTensorFile(spec);
  if (t.shape.length === 0 || t.shape[0] === 0) {
    throw new InputError(spec, 'activations need at least one row', 'shape-mismatch');
  }
  finiteRows(t, spec, false);
  const n = t.shape[0];
  return { x: toFloat32(t), n, d: sizeOf(t.shape) / n };
}

export async function readLabels(spec: string): Promise<Int32Array> {
  return toLabels(await readTensorFile(spec));
}

export async function loadMapperInput(files: MapperFiles): Promise<MapperInput> {
  const { x, n, d } = await readMatrix(files.activations);
  const labels = files.labels ? await readLabels(files.labels) : undefined;
  const predictions = files.predictions ? await readLabels(files.predictions) : undefined;
  const lensValues = files.lensFile ? toFloat64(await readTensorFile(files.lensFile)) : undefined;
  checkRowCounts([
    { role: 'activations', file: files.activations, rows: n },
    ...(labels ? [{ role: 'labels', file: files.labels!, rows: labels.length }] : []),
    ...(predictions ? [{ role: 'predictions', file: files.predictions!, rows: predictions.length }] : []),
    ...(lensValues ? [{ role: 'lens', file: files.lensFile!, rows: lensValues.length }] : []),
  ]);
  return { x, n, d, labels, predictions, lensValues };
}

/** Matching a tensor file of inputs (and labels) to a model's input: the per-row shape the model expects. */
import type { ModelProto } from 'onnx-buf';
import { InputError } from '../errors';
import { describeOnnx } from '../io/onnx';
import { sizeOf, toFloat32, toLabels, type Tensor } from '../io/tensor';

export interface ModelInputs {
  x: Float32Array;
  n: number;
  /** Shape of one row as the model takes it (e.g. [1, 28, 28] for a CNN fed a 784-column file). */
  rowShape: number[];
}

/**
 * Rows of `inputs` shaped for the model: the model's static non-batch dims when their product matches the
 * file's row size (so N × 784 feeds an N × 1 × 28 × 28 model), else the file's own row shape.
 */
export function modelInputs(
  model: ModelProto,
  inputs: Tensor,
  inputsFile: string,
  modelFile: string,
): ModelInputs {
  if (inputs.shape.length < 1 || inputs.shape[0] < 1) {
    throw new InputError(
      inputsFile,
      `inputs need at least one row, shape is (${inputs.shape.join(', ')})`,
      'shape-mismatch',
    );
  }
  const n = inputs.shape[0];
  const fileRow = inputs.shape.slice(1);
  const modelRow = describeOnnx(model).inputs[0]?.shape?.slice(1);
  const x = toFloat32(inputs);
  if (modelRow && modelRow.every((d): d is number => typeof d === 'number' && d > 0)) {
    if (sizeOf(modelRow) !== sizeOf(fileRow)) {
      throw new InputError(
        inputsFile,
        `rows of shape (${fileRow.join(', ')}) do not fit the input (${modelRow.join(', ')}) of ${modelFile}`,
        'shape-mismatch',
      );
    }
    return { x, n, rowShape: modelRow };
  }
  return { x, n, rowShape: fileRow };
}

/** Labels as int32 class indices, one per input row. */
export function labelsFor(labels: Tensor, n: number, labelsFile: string): Int32Array {
  const y = toLabels(labels);
  if (y.length !== n) {
    throw new InputError(labelsFile, `${y.length} labels for ${n} input rows`, 'row-count-mismatch');
  }
  return y;
}

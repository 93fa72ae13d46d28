/**
 * Messages of the read-only inspectors (the .onnx model editor and the tensor-file editor), validated on
 * arrival on both sides. The host sends what the `info` job found; the view may ask to start an analysis
 * of the open file, by one of a fixed set of commands.
 */
import {
  array,
  int,
  literal,
  nullable,
  num,
  object,
  optional,
  str,
  tagged,
  type Infer,
  type Validator,
} from '../shared/schema';

export const INSPECTOR_COMMANDS = [
  'toposcope.analyzeModel',
  'toposcope.showPolytopes',
  'toposcope.analyzeActivations',
] as const;

const dim: Validator<number | string | null> = (v, at = '') =>
  v === null || typeof v === 'string' ? v : int(v, at);

const valueSummary = object({ name: str, dtype: str, shape: nullable(array(dim)) });
const stats = object({
  count: int,
  min: nullable(num),
  max: nullable(num),
  mean: nullable(num),
  std: nullable(num),
  nanCount: int,
  infCount: int,
});

export const inspectorInfo = object({
  file: str,
  format: str,
  bytes: int,
  tensors: array(object({ name: str, shape: array(int), dtype: str, stats: optional(stats) })),
  opset: optional(int),
  inputs: optional(array(valueSummary)),
  outputs: optional(array(valueSummary)),
  layers: optional(array(object({ name: str, op: str, shape: nullable(array(dim)) }))),
  reluMlp: optional(nullable(object({ widths: array(int) }))),
});
export type InspectorInfo = Infer<typeof inspectorInfo>;

export const parseInspectorHostMessage = tagged({
  info: object({ info: inspectorInfo }),
  error: object({ message: str }),
});
export type InspectorHostMessage = Infer<typeof parseInspectorHostMessage>;

export const parseInspectorViewMessage = tagged({
  ready: object({}),
  command: object({ command: literal(...INSPECTOR_COMMANDS) }),
});
export type InspectorViewMessage = Infer<typeof parseInspectorViewMessage>;

/** The initial state in the page's data-state attribute. */
export const inspectorState = object({ kind: literal('model', 'tensor'), name: str });
export type InspectorState = Infer<typeof inspectorState>;

/**
 * Reading intermediate tensors: a model copy whose graph also outputs the named tensors (notes/onnx.md:
 * append a ValueInfoProto with just the name; never copy a static shape, a stale batch size would spread).
 */
import { create } from '@bufbuild/protobuf';
import { ValueInfoProtoSchema, type GraphProto, type ModelProto, type ValueInfoProto } from 'onnx-buf';
import { InputError } from '../errors';

/** Every tensor a node produces, in graph order: the names whose activations can be read. */
export function nodeOutputNames(graph: GraphProto): string[] {
  return graph.node.flatMap((n) => n.output.filter((o) => o !== ''));
}

/** A shallow copy of `model` that outputs `names` too; a name no node produces is an InputError. */
export function withOutputs(model: ModelProto, names: readonly string[], file: string): ModelProto {
  const graph = model.graph;
  if (!graph) throw new InputError(file, 'model has no graph', 'bad-model');
  const produced = new Set([...nodeOutputNames(graph), ...graph.input.map((v) => v.name)]);
  const present = new Set(graph.output.map((v) => v.name));
  const extra: string[] = [];
  for (const name of names) {
    if (!produced.has(name)) {
      throw new InputError(
        file,
        `no tensor named '${name}' in the model (see \`toposcope layers\`)`,
        'bad-parameter',
      );
    }
    if (!present.has(name)) {
      present.add(name);
      extra.push(name);
    }
  }
  const output = [...graph.output, ...extra.map((name) => create(ValueInfoProtoSchema, { name }))];
  return { ...model, graph: { ...graph, output } };
}

/**
 * A shallow copy whose inputs and outputs have a symbolic batch axis. torch.onnx.export without
 * dynamic_axes fixes the batch to the example's size; chunked runs and the batch-2 probe need it free.
 * value_info is dropped with it: its shapes carry the same stale batch.
 */
export function withDynamicBatch(model: ModelProto): ModelProto {
  const graph = model.graph;
  if (!graph) return model;
  let changed = false;
  const free = (v: ValueInfoProto): ValueInfoProto => {
    if (v.type?.value.case !== 'tensorType') return v;
    const t = v.type.value.value;
    const first = t.shape?.dim[0];
    if (!t.shape || first?.value.case !== 'dimValue') return v;
    changed = true;
    const dim = [{ ...first, value: { case: 'dimParam' as const, value: 'N' } }, ...t.shape.dim.slice(1)];
    return {
      ...v,
      type: { ...v.type, value: { case: 'tensorType', value: { ...t, shape: { ...t.shape, dim } } } },
    };
  };
  const inits = new Set(graph.initializer.map((t) => t.name));
  const input = graph.input.map((v) => (inits.has(v.name) ? v : free(v)));
  const output = graph.output.map(free);
  return changed ? { ...model, graph: { ...graph, input, output, valueInfo: [] } } : model;
}

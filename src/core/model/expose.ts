/**
 * Reading intermediate tensors: a model copy whose graph also outputs the named tensors (notes/onnx.md:
 * append a ValueInfoProto with just the name; never copy a static shape, a stale batch size would spread).
 */
import { create } from '@bufbuild/protobuf';
import { ValueInfoProtoSchema, type GraphProto, type ModelProto } from 'onnx-buf';
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

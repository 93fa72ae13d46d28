/** Forward passes through onnxruntime that also return one chosen intermediate tensor (a "layer"). */
import type { ModelProto } from 'onnx-buf';
import { InputError } from '../errors';
import { encodeOnnx, realInputs } from '../io/onnx';
import { withOutputs } from './expose';
import { createSession, floatTensor, runSession, type InferenceSession } from './ort';

export interface ForwardOutput {
  logits: Float32Array;
  classes: number;
  /** The layer's values (float32) and its per-row shape, when a layer was asked for. */
  layer?: Float32Array;
  layerRowShape?: number[];
}

export class ForwardRunner {
  private constructor(
    private readonly session: InferenceSession,
    private readonly file: string,
    private readonly input: string,
    private readonly logits: string,
    private readonly layer: string | undefined,
  ) {}

  /** `layer` must name a tensor of the model (validated; InputError otherwise). */
  static async create(
    model: ModelProto,
    file: string,
    layer?: string,
    intraOpNumThreads = 1,
  ): Promise<ForwardRunner> {
    const graph = model.graph!;
    const inputs = realInputs(graph);
    if (inputs.length !== 1) {
      throw new InputError(
        file,
        `models with ${inputs.length} inputs are not supported (one input tensor)`,
        'bad-model',
      );
    }
    const logits = graph.output[0].name;
    const exposed = layer ? withOutputs(model, [layer], file) : model;
    const session = await createSession(encodeOnnx(exposed), file, { intraOpNumThreads });
    return new ForwardRunner(session, file, inputs[0].name, logits, layer);
  }

  async run(x: Float32Array, dims: readonly number[]): Promise<ForwardOutput> {
    const fetches = this.layer && this.layer !== this.logits ? [this.logits, this.layer] : [this.logits];
    const out = await runSession(
      this.session,
      this.file,
      { [this.input]: await floatTensor(x, dims) },
      fetches,
    );
    const logitsT = out[this.logits];
    const result: ForwardOutput = {
      logits: asFloat32(logitsT.data),
      classes: Number(logitsT.dims[logitsT.dims.length - 1]),
    };
    if (this.layer) {
      const t = out[this.layer];
      result.layer = asFloat32(t.data);
      result.layerRowShape = t.dims.slice(1).map(Number);
    }
    return result;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

function asFloat32(data: unknown): Float32Array {
  if (data instanceof Float32Array) return data;
  return Float32Array.from(data as ArrayLike<number | bigint>, Number);
}

/**
 * PyTorch .pt files (torch.save since 1.6: a ZIP archive holding `<prefix>/data.pkl` and one member per
 * storage under `<prefix>/data/<key>`). The pickle is read by the restricted unpickler with an allow-list
 * of torch's tensor-rebuild functions and storage types; anything else is refused and nothing is run.
 */
import { InputError } from '../errors';
import { decodeElements, dtypeItemSize, MAX_ELEMENTS } from './elements';
import { isCallable, unpickle, type PickleCallable } from './pickle';
import { sizeOf, type DType, type Tensor, type TensorData, type TensorInfo } from './tensor';
import { isZip, listZip, readZipEntry, type ZipEntry } from './zip';

const STORAGE_DTYPES: Record<string, DType | undefined> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/** Tensor classes `_rebuild_from_type_v2` may name (the data is rebuilt as a plain tensor). */
const TENSOR_TYPES = new Set(['torch.Tensor', 'torch.nn.parameter.Parameter']);

/** A storage class (torch.FloatStorage…) is named by the persistent id, never called. */
class StorageType implements PickleCallable {
  constructor(
    readonly qualifiedName: string,
    readonly dtype: DType,
    private readonly file: string,
  ) {}
  call(): never {
    throw new InputError(this.file, `corrupt pickle: ${this.qualifiedName} called`, 'bad-header');
  }
}

class StorageRef {
  constructor(
    readonly dtype: DType,
    readonly key: string,
    readonly numel: number,
  ) {}
}

/** A tensor as the pickle describes it: a strided view into a storage, read on demand. */
class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

function callable(qualifiedName: string, call: (args: unknown[]) => unknown): PickleCallable {
  return { qualifiedName, call };
}

function asIndexList(x: unknown, what: string, file: string): number[] {
  if (!Array.isArray(x) || !x.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw new InputError(file, `corrupt tensor record: bad ${what}`, 'bad-header');
  }
  return x as number[];
}

function rebuildTensor(file: string): (args: unknown[]) => TensorRef {
  return ([storage, offset, size, stride]) => {
    if (!(storage instanceof StorageRef))
      throw new InputError(file, 'corrupt tensor record: no storage', 'bad-header');
    if (!Number.isSafeInteger(offset) || (offset as number) < 0) {
      throw new InputError(file, 'corrupt tensor record: bad storage offset', 'bad-header');
    }
    const shape = asIndexList(size, 'size', file);
    const strides = asIndexList(stride, 'stride', file);
    if (shape.length !== strides.length)
      throw new InputError(file, 'corrupt tensor record: size/stride rank', 'bad-header');
    return new TensorRef(storage, offset as number, shape, strides);
  };
}

function findGlobal(file: string): (module: string, name: string) => PickleCallable {
  return (module, name) => {
    const q = `${module}.${name}`;
    if (q === 'collections.OrderedDict') {
      return callable(q, ([items]) => new Map(Array.isArray(items) ? (items as [unknown, unknown][]) : []));
    }
    if (q === 'torch._utils._rebuild_tensor_v2' || q === 'torch._utils._rebuild_tensor') {
      return callable(q, rebuildTensor(file));
    }
    if (q === 'torch._utils._rebuild_parameter' || q === 'torch._utils._rebuild_parameter_with_state') {
      return callable(q, ([data]) => data);
    }
    // torch 2.x: _rebuild_from_type_v2(func, type, args, state) for Parameters and tensor subclasses;
    // func is itself resolved through this allow-list, and only the plain tensor types are accepted.
    if (q === 'torch._tensor._rebuild_from_type_v2') {
      return callable(q, ([func, type, args]) => {
        if (!isCallable(func) || !isCallable(type) || !TENSOR_TYPES.has(type.qualifiedName)) {
          throw new InputError(file, 'corrupt pickle: bad _rebuild_from_type_v2 record', 'bad-header');
        }
        return func.call(Array.isArray(args) ? args : []);
      });
    }
    if (TENSOR_TYPES.has(q))
      return callable(q, () => {
        throw new InputError(file, `corrupt pickle: ${q} called`, 'bad-header');
      });
    const dtype =
      module === 'torch' && Object.hasOwn(STORAGE_DTYPES, name) ? STORAGE_DTYPES[name] : undefined;
    if (dtype) return new StorageType(q, dtype, file);
    throw new InputError(
      file,
      `refusing to load: the pickle names the global '${q}', which is not allowed`,
      'unsafe-pickle',
    );
  };
}

function persistentLoad(file: string): (pid: unknown) => StorageRef {
  return (pid) => {
    // ('storage', storage_type, key, location, numel)
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
      throw new InputError(file, 'corrupt pickle: unknown persistent id', 'bad-header');
    }
    const [, type, key, , numel] = pid as unknown[];
    if (
      !(type instanceof StorageType) ||
      typeof key !== 'string' ||
      !Number.isSafeInteger(numel) ||
      (numel as number) < 0
    ) {
      throw new InputError(file, 'corrupt pickle: bad storage record', 'bad-header');
    }
    return new StorageRef(type.dtype, key, numel as number);
  };
}

interface Archive {
  bytes: Uint8Array;
  file: string;
  entries: Map<string, ZipEntry>;
  prefix: string;
  littleEndian: boolean;
  /** Tensors by flattened key ('' for a file holding one tensor). */
  tensors: Map<string, TensorRef>;
}

/**
 * Collects tensors from the unpickled object: dicts (nested, keys joined by '.'), lists by index. Each
 * container is visited once, so self-referencing pickles cannot blow up the walk.
 */
function collect(
  obj: unknown,
  prefix: string,
  out: Map<string, TensorRef>,
  seen: Set<unknown>,
  depth = 0,
): void {
  if (obj instanceof TensorRef) out.set(prefix, obj);
  else if (depth > 8 || seen.has(obj)) return;
  else if (obj instanceof Map) {
    seen.add(obj);
    for (const [k, v] of obj) collect(v, prefix ? `${prefix}.${String(k)}` : String(k), out, seen, depth + 1);
  } else if (Array.isArray(obj)) {
    seen.add(obj);
    obj.forEach((v, i) => collect(v, prefix ? `${prefix}.${i}` : String(i), out, seen, depth + 1));
  }
}

function openArchive(bytes: Uint8Array, file: string): Archive {
  if (!isZip(bytes)) {
    if (
      bytes[0] === 0x80 ||
      (bytes.length > 262 && new TextDecoder().decode(bytes.subarray(257, 262)) === 'ustar')
    ) {
      throw new InputError(
        file,
        'legacy PyTorch format (before 1.6); re-save with torch.save (PyTorch ≥ 1.6)',
        'legacy-format',
      );
    }
    throw new InputError(
      file,
      'not a PyTorch archive (expected a ZIP file written by torch.save)',
      'unsupported-format',
    );
  }
  const entries = new Map(listZip(bytes, file).map((e) => [e.name, e]));
  const pkl = [...entries.keys()].find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pkl) {
    const scripted = [...entries.keys()].some((n) => /^[^/]+\/(constants\.pkl|code\/)/.test(n));
    throw new InputError(
      file,
      scripted
        ? 'a TorchScript archive (torch.jit.save); save the state_dict with torch.save instead'
        : 'no data.pkl in the archive; not written by torch.save',
      'unsupported-format',
    );
  }
  const prefix = pkl.slice(0, -'data.pkl'.length);
  const order = entries.get(`${prefix}byteorder`);
  const littleEndian = !order || new TextDecoder().decode(readZipEntry(bytes, order, file)).trim() !== 'big';
  const root = unpickle(readZipEntry(bytes, entries.get(pkl)!, file), {
    file,
    findGlobal: findGlobal(file),
    persistentLoad: persistentLoad(file),
  });
  const tensors = new Map<string, TensorRef>();
  collect(root, '', tensors, new Set());
  if (tensors.size === 0) throw new InputError(file, 'the archive holds no tensors', 'unsupported-format');
  return { bytes, file, entries, prefix, littleEndian, tensors };
}

/** Largest element index the view touches: offset + Σ (size_i − 1)·stride_i. */
function lastIndex(t: TensorRef): number {
  return t.shape.reduce((acc, n, i) => acc + (n - 1) * t.stride[i], t.offset);
}

function isContiguous(t: TensorRef): boolean {
  let expect = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    if (t.shape[i] !== 1 && t.stride[i] !== expect) return false;
    expect *= t.shape[i];
  }
  return true;
}

function materialize(a: Archive, name: string, t: TensorRef): Tensor {
  const where = name ? `${a.file}:${name}` : a.file;
  const count = sizeOf(t.shape);
  if (count > MAX_ELEMENTS)
    throw new InputError(where, `tensor of ${count} elements is too large to load`, 'too-large');
  const { dtype, key, numel } = t.storage;
  const itemSize = dtypeItemSize(dtype);
  const entry = a.entries.get(`${a.prefix}data/${key}`);
  if (!entry) throw new InputError(where, `storage '${key}' is missing from the archive`, 'truncated');
  if (entry.size < numel * itemSize) {
    throw new InputError(
      where,
      `storage '${key}' holds ${entry.size} bytes, needs ${numel * itemSize}`,
      'truncated',
    );
  }
  if (count > 0 && lastIndex(t) >= numel) {
    throw new InputError(
      where,
      `view runs past the end of its storage (${numel} elements)`,
      'shape-mismatch',
    );
  }
  const raw = readZipEntry(a.bytes, entry, where);
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const descr = { dtype, itemSize, littleEndian: a.littleEndian };
  if (isContiguous(t))
    return { dtype, shape: t.shape, data: decodeElements(v, t.offset * itemSize, count, descr) };
  const all = decodeElements(v, 0, numel, descr);
  const out = new (all.constructor as new (n: number) => TensorData)(count);
  const nd = t.shape.length;
  const idx = new Array<number>(nd).fill(0);
  let src = t.offset;
  for (let i = 0; i < count; i++) {
    out[i] = all[src];
    for (let k = nd - 1; k >= 0; k--) {
      src += t.stride[k];
      if (++idx[k] < t.shape[k]) break;
      src -= t.stride[k] * t.shape[k];
      idx[k] = 0;
    }
  }
  return { dtype, shape: t.shape, data: out };
}

export function listPt(bytes: Uint8Array, file: string): TensorInfo[] {
  const a = openArchive(bytes, file);
  return [...a.tensors].map(([name, t]) => ({ name, shape: t.shape, dtype: t.storage.dtype }));
}

/** One tensor by its state-dict key; without a key the file must hold exactly one tensor. */
export function readPt(bytes: Uint8Array, file: string, key?: string): Tensor {
  return materialize(...pick(openArchive(bytes, file), key));
}

/** Every tensor of the archive by key (a state dict), for the model readers. */
export function readPtAll(bytes: Uint8Array, file: string): Map<string, Tensor> {
  const a = openArchive(bytes, file);
  return new Map([...a.tensors].map(([name, t]) => [name, materialize(a, name, t)]));
}

function pick(a: Archive, key: string | undefined): [Archive, string, TensorRef] {
  const keys = [...a.tensors.keys()];
  if (key === undefined) {
    if (a.tensors.size !== 1) {
      throw new InputError(
        a.file,
        `holds ${a.tensors.size} tensors; name one as ${a.file}:KEY (keys: ${keys.join(', ')})`,
        'bad-parameter',
      );
    }
    return [a, keys[0], a.tensors.get(keys[0])!];
  }
  const t = a.tensors.get(key);
  if (!t) throw new InputError(a.file, `no tensor '${key}' (keys: ${keys.join(', ')})`, 'not-found');
  return [a, key, t];
}

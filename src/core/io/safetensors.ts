/**
 * Hugging Face .safetensors: an 8-byte little-endian header length, a JSON header mapping names to
 * {dtype, shape, data_offsets} (plus an optional `__metadata__` of strings), then the raw little-endian
 * bytes.
 */
import { InputError } from '../errors';
import { decodeElements, dtypeItemSize, MAX_ELEMENTS } from './elements';
import { sizeOf, type DType, type Tensor, type TensorInfo } from './tensor';

const ST_DTYPES: Record<string, DType | undefined> = {
  F16: 'float16',
  BF16: 'bfloat16',
  F32: 'float32',
  F64: 'float64',
  I8: 'int8',
  I16: 'int16',
  I32: 'int32',
  I64: 'int64',
  U8: 'uint8',
  U16: 'uint16',
  U32: 'uint32',
  U64: 'uint64',
  BOOL: 'bool',
};

/** The JSON header may not exceed 100 MB (the limit of the reference implementation). */
const MAX_HEADER = 100_000_000;

interface Entry extends TensorInfo {
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  entries: Entry[];
  metadata: Record<string, string>;
  dataStart: number;
}

export function parseSafetensorsHeader(bytes: Uint8Array, file: string): SafetensorsHeader {
  if (bytes.length < 8) throw new InputError(file, 'truncated .safetensors header', 'truncated');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = v.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) throw new InputError(file, `header length ${n} is implausible`, 'bad-header');
  const headerLen = Number(n);
  if (8 + headerLen > bytes.length) throw new InputError(file, 'truncated .safetensors header', 'truncated');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch {
    throw new InputError(file, 'the .safetensors header is not valid JSON', 'bad-header');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InputError(file, 'the .safetensors header is not a JSON object', 'bad-header');
  }
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const entries: Entry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw === 'object' && raw !== null) {
        metadata = Object.fromEntries(
          Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === 'string'),
        );
      }
      continue;
    }
    const bad = (why: string) => new InputError(file, `tensor '${name}': ${why}`, 'bad-header');
    if (typeof raw !== 'object' || raw === null) throw bad('entry is not an object');
    const { dtype: st, shape, data_offsets: offs } = raw as Record<string, unknown>;
    const dtype = typeof st === 'string' && Object.hasOwn(ST_DTYPES, st) ? ST_DTYPES[st] : undefined;
    if (!dtype)
      throw new InputError(file, `tensor '${name}': unsupported dtype ${String(st)}`, 'unsupported-dtype');
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw bad('bad shape');
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw bad('bad data_offsets');
    }
    const [begin, end] = offs as number[];
    const count = sizeOf(shape as number[]);
    if (end < begin || end - begin !== count * dtypeItemSize(dtype)) {
      throw bad(`data_offsets [${begin}, ${end}] do not match shape (${shape.join(', ')}) of ${dtype}`);
    }
    if (end > dataLen)
      throw new InputError(file, `tensor '${name}': data runs past the end of the file`, 'truncated');
    entries.push({ name, shape: shape as number[], dtype, begin, end });
  }
  return { entries, metadata, dataStart };
}

export function listSafetensors(bytes: Uint8Array, file: string): TensorInfo[] {
  return parseSafetensorsHeader(bytes, file).entries.map(({ name, shape, dtype }) => ({
    name,
    shape,
    dtype,
  }));
}

/** One tensor by name; without a name the file must hold exactly one. */
export function readSafetensors(bytes: Uint8Array, file: string, key?: string): Tensor {
  const h = parseSafetensorsHeader(bytes, file);
  const names = h.entries.map((e) => e.name).join(', ');
  let e: Entry | undefined;
  if (key === undefined) {
    if (h.entries.length !== 1) {
      throw new InputError(
        file,
        `holds ${h.entries.length} tensors; name one as ${file}:KEY (keys: ${names})`,
        'bad-parameter',
      );
    }
    e = h.entries[0];
  } else {
    e = h.entries.find((x) => x.name === key);
    if (!e) throw new InputError(file, `no tensor '${key}' (keys: ${names})`, 'not-found');
  }
  const count = sizeOf(e.shape);
  if (count > MAX_ELEMENTS)
    throw new InputError(file, `tensor '${e.name}' is too large to load`, 'too-large');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = decodeElements(v, h.dataStart + e.begin, count, {
    dtype: e.dtype,
    itemSize: dtypeItemSize(e.dtype),
    littleEndian: true,
  });
  return { dtype: e.dtype, shape: e.shape, data };
}

const DTYPE_NAMES = Object.fromEntries(Object.entries(ST_DTYPES).map(([k, v]) => [v, k])) as Record<
  DType,
  string
>;

/** Writes named tensors as .safetensors (header padded with spaces to 8 bytes, as the reference does). */
export function encodeSafetensors(
  tensors: Map<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, t] of tensors) {
    if (t.dtype === 'float16' || t.dtype === 'bfloat16') {
      throw new InputError(
        name,
        'float16/bfloat16 tensors are held widened; write them as float32',
        'unsupported-dtype',
      );
    }
    header[name] = {
      dtype: DTYPE_NAMES[t.dtype],
      shape: t.shape,
      data_offsets: [offset, offset + t.data.byteLength],
    };
    offset += t.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const head = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  head.set(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/**
 * NumPy .npy reader (format versions 1.0–3.0). Hand-written: the npm readers (npyjs) mishandle big-endian
 * and Fortran-order files, and the format is small enough to read exactly.
 */
import { InputError } from '../errors';
import { sizeOf, type DType, type Tensor, type TensorData } from './tensor';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** Refuse headers that claim more elements than could ever be allocated, before allocating. */
export const MAX_ELEMENTS = 2 ** 31 - 1;

interface Descr {
  dtype: DType;
  itemSize: number;
  littleEndian: boolean;
}

function parseDescr(file: string, descr: string): Descr {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (!m) throw new InputError(file, `unsupported dtype '${descr}'`, 'unsupported-dtype');
  const [, order, kind, sizeStr] = m;
  const itemSize = Number(sizeStr);
  const table: Record<string, DType | undefined> = {
    f2: 'float16',
    f4: 'float32',
    f8: 'float64',
    i1: 'int8',
    i2: 'int16',
    i4: 'int32',
    i8: 'int64',
    u1: 'uint8',
    u2: 'uint16',
    u4: 'uint32',
    u8: 'uint64',
    b1: 'bool',
  };
  const dtype = table[kind + sizeStr];
  if (!dtype) throw new InputError(file, `unsupported dtype '${descr}'`, 'unsupported-dtype');
  return { dtype, itemSize, littleEndian: order !== '>' };
}

/** Parses the Python-literal header dict: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } */
function parseHeader(file: string, text: string): { descr: Descr; fortran: boolean; shape: number[] } {
  const descrM = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortranM = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shapeM = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descrM || !fortranM || !shapeM) {
    throw new InputError(file, 'malformed .npy header (needs descr, fortran_order and shape)', 'bad-header');
  }
  const shape = shapeM[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      if (!/^\d+L?$/.test(s)) throw new InputError(file, `bad shape entry '${s}' in .npy header`, 'bad-header');
      return Number(s.replace('L', ''));
    });
  return { descr: parseDescr(file, descrM[1]), fortran: fortranM[1] === 'True', shape };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Decodes `count` elements of `descr` from `view` at `offset` into a fresh typed array (row order as stored). */
export function decodeElements(view: DataView, offset: number, count: number, d: Descr): TensorData {
  const le = d.littleEndian;
  const aligned = (view.byteOffset + offset) % d.itemSize === 0;
  const buf = view.buffer;
  const start = view.byteOffset + offset;
  // Zero-copy view when the bytes are little-endian and aligned (the common case on x86/ARM hosts).
  if (le && aligned && d.dtype !== 'float16' && d.dtype !== 'bfloat16') {
    switch (d.dtype) {
      case 'float32':
        return new Float32Array(buf, start, count);
      case 'float64':
        return new Float64Array(buf, start, count);
      case 'int8':
        return new Int8Array(buf, start, count);
      case 'int16':
        return new Int16Array(buf, start, count);
      case 'int32':
        return new Int32Array(buf, start, count);
      case 'int64':
        return new BigInt64Array(buf, start, count);
      case 'uint8':
      case 'bool':
        return new Uint8Array(buf, start, count);
      case 'uint16':
        return new Uint16Array(buf, start, count);
      case 'uint32':
        return new Uint32Array(buf, start, count);
      case 'uint64':
        return new BigUint64Array(buf, start, count);
    }
  }
  const n = d.itemSize;
  const read = <T extends TensorData>(out: T, get: (o: number) => number | bigint): T => {
    for (let i = 0; i < count; i++) out[i] = get(offset + i * n) as never;
    return out;
  };
  switch (d.dtype) {
    case 'float16':
      return read(new Float32Array(count), (o) => halfToFloat(view.getUint16(o, le)));
    case 'bfloat16':
      return read(new Float32Array(count), (o) => {
        const tmp = new DataView(new ArrayBuffer(4));
        tmp.setUint16(0, view.getUint16(o, le), false);
        return tmp.getFloat32(0, false);
      });
    case 'float32':
      return read(new Float32Array(count), (o) => view.getFloat32(o, le));
    case 'float64':
      return read(new Float64Array(count), (o) => view.getFloat64(o, le));
    case 'int8':
      return read(new Int8Array(count), (o) => view.getInt8(o));
    case 'int16':
      return read(new Int16Array(count), (o) => view.getInt16(o, le));
    case 'int32':
      return read(new Int32Array(count), (o) => view.getInt32(o, le));
    case 'int64':
      return read(new BigInt64Array(count), (o) => view.getBigInt64(o, le));
    case 'uint8':
    case 'bool':
      return read(new Uint8Array(count), (o) => view.getUint8(o));
    case 'uint16':
      return read(new Uint16Array(count), (o) => view.getUint16(o, le));
    case 'uint32':
      return read(new Uint32Array(count), (o) => view.getUint32(o, le));
    case 'uint64':
      return read(new BigUint64Array(count), (o) => view.getBigUint64(o, le));
  }
}

/** Reorders a Fortran-order (column-major) array into row-major order. */
function fortranToC<T extends TensorData>(src: T, shape: number[]): T {
  if (shape.length < 2) return src;
  const out = new (src.constructor as new (n: number) => T)(src.length);
  const nd = shape.length;
  const cStride = new Array<number>(nd);
  const fStride = new Array<number>(nd);
  cStride[nd - 1] = 1;
  for (let k = nd - 2; k >= 0; k--) cStride[k] = cStride[k + 1] * shape[k + 1];
  fStride[0] = 1;
  for (let k = 1; k < nd; k++) fStride[k] = fStride[k - 1] * shape[k - 1];
  const idx = new Array<number>(nd).fill(0);
  for (let c = 0; c < src.length; c++) {
    let f = 0;
    for (let k = 0; k < nd; k++) f += idx[k] * fStride[k];
    out[c] = src[f];
    for (let k = nd - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** Reads a whole .npy file held in memory. `file` names it in errors. */
export function parseNpy(bytes: Uint8Array, file = ''): Tensor {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new InputError(file, 'not a .npy file (bad magic)', 'bad-header');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new InputError(file, 'truncated .npy header', 'truncated');
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new InputError(file, `unsupported .npy version ${major}`, 'bad-header');
  }
  if (headerStart + headerLen > bytes.length) throw new InputError(file, 'truncated .npy header', 'truncated');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, headerStart + headerLen),
  );
  const { descr, fortran, shape } = parseHeader(file, header);
  const count = sizeOf(shape);
  if (!Number.isSafeInteger(count) || count > MAX_ELEMENTS) {
    throw new InputError(file, `header claims ${count} elements, more than can be loaded`, 'too-large');
  }
  const dataStart = headerStart + headerLen;
  const need = count * descr.itemSize;
  if (bytes.length - dataStart < need) {
    throw new InputError(
      file,
      `truncated data: shape (${shape.join(', ')}) needs ${need} bytes, file has ${bytes.length - dataStart}`,
      'truncated',
    );
  }
  let data = decodeElements(view, dataStart, count, descr);
  if (fortran) data = fortranToC(data, shape);
  return { dtype: descr.dtype, shape, data };
}

/**
 * NumPy .npy reader and writer (format versions 1.0–3.0). Hand-written: the npm readers (npyjs) mishandle
 * big-endian and Fortran-order files, and the format is small enough to read exactly.
 */
import { InputError } from '../errors';
import { decodeElements, dtypeItemSize, MAX_ELEMENTS, type Descr } from './elements';
import { sizeOf, type DType, type Tensor, type TensorData, type TensorInfo } from './tensor';

export { decodeElements, MAX_ELEMENTS };

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

const NPY_DTYPES: Record<string, DType | undefined> = {
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

function parseDescr(file: string, descr: string): Descr {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  const dtype = m ? NPY_DTYPES[m[2] + m[3]] : undefined;
  if (!m || !dtype) throw new InputError(file, `unsupported dtype '${descr}'`, 'unsupported-dtype');
  return { dtype, itemSize: dtypeItemSize(dtype), littleEndian: m[1] !== '>' };
}

/** Parses the Python-literal header dict: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } */
function parseHeaderDict(file: string, text: string): { descr: Descr; fortran: boolean; shape: number[] } {
  if (/'descr'\s*:\s*\[/.test(text)) {
    throw new InputError(file, 'structured (record) arrays are not supported', 'unsupported-dtype');
  }
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
      if (!/^\d{1,15}L?$/.test(s))
        throw new InputError(file, `bad shape entry '${s}' in .npy header`, 'bad-header');
      return Number(s.replace('L', ''));
    });
  return { descr: parseDescr(file, descrM[1]), fortran: fortranM[1] === 'True', shape };
}

export interface NpyHeader {
  descr: Descr;
  fortran: boolean;
  shape: number[];
  /** Byte offset of the first element. */
  dataStart: number;
}

/** Reads and checks the header only (listing .npz members needs no data). */
export function parseNpyHeader(bytes: Uint8Array, file = ''): NpyHeader {
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
  if (headerStart + headerLen > bytes.length)
    throw new InputError(file, 'truncated .npy header', 'truncated');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, headerStart + headerLen),
  );
  return { ...parseHeaderDict(file, header), dataStart: headerStart + headerLen };
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

/** Shape and dtype of a .npy held in memory, without decoding its data. */
export function describeNpy(bytes: Uint8Array, file: string, name: string): TensorInfo {
  const h = parseNpyHeader(bytes, file);
  checkSize(h, bytes.length, file);
  return { name, shape: h.shape, dtype: h.descr.dtype };
}

function checkSize(h: NpyHeader, available: number, file: string): number {
  const count = sizeOf(h.shape);
  const need = count * h.descr.itemSize;
  if (available - h.dataStart < need) {
    throw new InputError(
      file,
      `truncated data: shape (${h.shape.join(', ')}) needs ${need} bytes, file has ${Math.max(0, available - h.dataStart)}`,
      'truncated',
    );
  }
  if (count > MAX_ELEMENTS) {
    throw new InputError(file, `header claims ${count} elements, more than can be loaded`, 'too-large');
  }
  return count;
}

/** Reads a whole .npy file held in memory. `file` names it in errors. */
export function parseNpy(bytes: Uint8Array, file = ''): Tensor {
  const h = parseNpyHeader(bytes, file);
  const count = checkSize(h, bytes.length, file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let data = decodeElements(view, h.dataStart, count, h.descr);
  if (h.fortran) data = fortranToC(data, h.shape);
  return { dtype: h.descr.dtype, shape: h.shape, data };
}

const NPY_DESCR: Record<DType, string> = {
  float16: '<f2',
  bfloat16: '<f4',
  float32: '<f4',
  float64: '<f8',
  int8: '|i1',
  int16: '<i2',
  int32: '<i4',
  int64: '<i8',
  uint8: '|u1',
  uint16: '<u2',
  uint32: '<u4',
  uint64: '<u8',
  bool: '|b1',
};

/**
 * Encodes a tensor as a version 1.0 .npy (version 2.0 when the header needs it). float16/bfloat16 data is
 * held widened in memory and written as float32.
 */
export function encodeNpy(t: Tensor): Uint8Array {
  const dtype = t.dtype === 'float16' || t.dtype === 'bfloat16' ? 'float32' : t.dtype;
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  const dict = `{'descr': '${NPY_DESCR[dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  let prefix = 10;
  if (dict.length + 11 > 0xffff) prefix = 12;
  // Total header length is padded to a multiple of 64 so the data is aligned for zero-copy reads.
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const header = dict + ' '.repeat(total - prefix - dict.length - 1) + '\n';
  const body = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Uint8Array(total + body.length);
  out.set(MAGIC);
  out[6] = prefix === 10 ? 1 : 2;
  out[7] = 0;
  const v = new DataView(out.buffer);
  if (prefix === 10) v.setUint16(8, header.length, true);
  else v.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.set(body, total);
  return out;
}

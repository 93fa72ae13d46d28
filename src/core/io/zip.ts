/**
 * A strict reader of ZIP archives (.npz, PyTorch .pt). The central directory is parsed here, with every
 * count, size and offset checked against the file before anything is allocated, so hostile archives end in
 * an InputError; fflate only inflates the members asked for.
 */
import { inflateSync } from 'fflate';
import { InputError } from '../errors';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  /** Offset of the member's local header. */
  headerOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** Deflate cannot expand more than about 1032:1; a larger claimed ratio is a corrupt or hostile header. */
const MAX_DEFLATE_RATIO = 1032;

export function isZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
  );
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function u64(v: DataView, o: number, file: string): number {
  const x = v.getBigUint64(o, true);
  if (x > BigInt(Number.MAX_SAFE_INTEGER))
    throw new InputError(file, 'zip64 field out of range', 'bad-header');
  return Number(x);
}

/** Lists the members of a ZIP archive from its central directory. */
export function listZip(bytes: Uint8Array, file: string): ZipEntry[] {
  const v = view(bytes);
  let eocd = -1;
  // The end record sits in the last 22 + 65535 (comment) bytes.
  for (let o = bytes.length - 22; o >= 0 && o >= bytes.length - 22 - 0xffff; o--) {
    if (v.getUint32(o, true) === EOCD) {
      eocd = o;
      break;
    }
  }
  if (eocd < 0)
    throw new InputError(file, 'not a complete ZIP archive (no end of central directory)', 'truncated');
  let count = v.getUint16(eocd + 10, true);
  let dirSize = v.getUint32(eocd + 12, true);
  let dirOffset = v.getUint32(eocd + 16, true);
  if (eocd >= 20 && v.getUint32(eocd - 20, true) === EOCD64_LOCATOR) {
    const at = u64(v, eocd - 12, file);
    if (at + 56 > bytes.length || v.getUint32(at, true) !== EOCD64) {
      throw new InputError(file, 'bad zip64 end of central directory', 'bad-header');
    }
    count = u64(v, at + 32, file);
    dirSize = u64(v, at + 40, file);
    dirOffset = u64(v, at + 48, file);
  }
  if (dirOffset + dirSize > bytes.length || count * 46 > dirSize) {
    throw new InputError(file, 'ZIP central directory lies outside the file', 'truncated');
  }
  const entries: ZipEntry[] = [];
  let o = dirOffset;
  const end = dirOffset + dirSize;
  for (let i = 0; i < count; i++) {
    if (o + 46 > end || v.getUint32(o, true) !== CENTRAL) {
      throw new InputError(file, `bad ZIP central directory entry ${i}`, 'bad-header');
    }
    const method = v.getUint16(o + 10, true);
    let compressedSize = v.getUint32(o + 20, true);
    let size = v.getUint32(o + 24, true);
    const nameLen = v.getUint16(o + 28, true);
    const extraLen = v.getUint16(o + 30, true);
    const commentLen = v.getUint16(o + 32, true);
    let headerOffset = v.getUint32(o + 42, true);
    if (o + 46 + nameLen + extraLen + commentLen > end) {
      throw new InputError(file, `bad ZIP central directory entry ${i}`, 'bad-header');
    }
    const name = new TextDecoder().decode(bytes.subarray(o + 46, o + 46 + nameLen));
    // A zip64 extra field (id 1) holds, in order, whichever of size, compressed size, offset overflowed.
    for (let e = o + 46 + nameLen; e + 4 <= o + 46 + nameLen + extraLen;) {
      const id = v.getUint16(e, true);
      const len = v.getUint16(e + 2, true);
      if (id === 1) {
        let p = e + 4;
        const take = (): number => {
          if (p + 8 > e + 4 + len) throw new InputError(file, `bad zip64 field in '${name}'`, 'bad-header');
          const x = u64(v, p, file);
          p += 8;
          return x;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (headerOffset === 0xffffffff) headerOffset = take();
      }
      e += 4 + len;
    }
    entries.push({ name, method, compressedSize, size, headerOffset });
    o += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** The bytes of one member, inflated if needed. Stored members are returned as views (no copy). */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, file: string): Uint8Array {
  const v = view(bytes);
  const h = entry.headerOffset;
  if (h + 30 > bytes.length || v.getUint32(h, true) !== LOCAL) {
    throw new InputError(file, `bad ZIP local header for '${entry.name}'`, 'bad-header');
  }
  const start = h + 30 + v.getUint16(h + 26, true) + v.getUint16(h + 28, true);
  if (start + entry.compressedSize > bytes.length) {
    throw new InputError(file, `ZIP member '${entry.name}' is truncated`, 'truncated');
  }
  const raw = bytes.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) {
    if (entry.size !== entry.compressedSize) {
      throw new InputError(file, `stored ZIP member '${entry.name}' has inconsistent sizes`, 'bad-header');
    }
    return raw;
  }
  if (entry.method !== 8) {
    throw new InputError(
      file,
      `ZIP member '${entry.name}' uses unsupported compression ${entry.method}`,
      'unsupported-format',
    );
  }
  if (entry.size > MAX_DEFLATE_RATIO * entry.compressedSize + 1024) {
    throw new InputError(file, `ZIP member '${entry.name}' claims an impossible size`, 'bad-header');
  }
  let out: Uint8Array;
  try {
    // One spare byte: a stream longer than its stated size fills it and is refused below.
    out = inflateSync(raw, { out: new Uint8Array(entry.size + 1) });
  } catch (e) {
    throw new InputError(
      file,
      `ZIP member '${entry.name}' is corrupt (${(e as Error).message})`,
      'bad-header',
    );
  }
  if (out.length !== entry.size) {
    throw new InputError(
      file,
      `ZIP member '${entry.name}' inflates to ${out.length > entry.size ? 'more than' : out.length} bytes, not ${entry.size}`,
      out.length > entry.size ? 'bad-header' : 'truncated',
    );
  }
  return out;
}

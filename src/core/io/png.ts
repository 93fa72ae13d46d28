/**
 * PNG encoding (sample galleries render .npy images with it) and decoding (galleries, `info` on images):
 * zlib via fflate, CRC-32 here. Decoding covers every non-interlaced PNG: grey, RGB, palette, with alpha,
 * at 1–16 bits (16-bit samples keep their high byte).
 */
import { unzlibSync, zlibSync } from 'fflate';
import { InputError } from '../errors';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Decoded images larger than this are refused before inflating (a 16k × 16k RGBA image). */
const MAX_PIXELS = 2 ** 28;

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320), as PNG chunks use it. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const COLOR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

/** PNG of 8-bit pixels, row-major, `channels` samples per pixel (grey, RGB or RGBA). */
export function encodePng(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3 | 4,
): Uint8Array {
  if (pixels.length !== width * height * channels) {
    throw new RangeError(`encodePng: ${pixels.length} bytes for ${width}×${height}×${channels}`);
  }
  const stride = width * channels;
  // Filter type 0 (none) on every row: small images, and deflate does the work.
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++)
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const ihdr = new Uint8Array(13);
  const hv = new DataView(ihdr.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = COLOR_TYPE[channels === 1 ? 1 : channels === 3 ? 3 : 4];
  const chunks = [
    chunk('IHDR', ihdr),
    chunk('IDAT', zlibSync(raw, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(8 + chunks.reduce((a, c) => a + c.length, 0));
  out.set(SIGNATURE);
  let at = 8;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export interface DecodedImage {
  width: number;
  height: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  pixels: Uint8Array;
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

interface Header {
  width: number;
  height: number;
  depth: number;
  colorType: number;
}

const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function readHeader(bytes: Uint8Array, file: string): Header {
  if (!isPng(bytes)) throw new InputError(file, 'not a PNG file (bad signature)', 'bad-header');
  if (bytes.length < 33) throw new InputError(file, 'truncated PNG header', 'truncated');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') {
    throw new InputError(file, 'PNG does not start with IHDR', 'bad-header');
  }
  const h = { width: v.getUint32(16), height: v.getUint32(20), depth: bytes[24], colorType: bytes[25] };
  const okDepth =
    SAMPLES[h.colorType] !== undefined &&
    (h.colorType === 0 ? [1, 2, 4, 8, 16] : h.colorType === 3 ? [1, 2, 4, 8] : [8, 16]).includes(h.depth);
  if (!okDepth) {
    throw new InputError(
      file,
      `unsupported PNG colour type ${h.colorType} at ${h.depth} bits`,
      'unsupported-dtype',
    );
  }
  if (bytes[28] !== 0) throw new InputError(file, 'interlaced PNGs are not supported', 'unsupported-format');
  if (h.width === 0 || h.height === 0)
    throw new InputError(file, 'PNG has zero width or height', 'bad-header');
  if (h.width * h.height > MAX_PIXELS)
    throw new InputError(file, `PNG of ${h.width}×${h.height} is too large`, 'too-large');
  return h;
}

/** Width, height and channels without decoding the pixels. */
export function describePng(
  bytes: Uint8Array,
  file: string,
): { width: number; height: number; channels: number } {
  const h = readHeader(bytes, file);
  const samples = SAMPLES[h.colorType];
  return { width: h.width, height: h.height, channels: h.colorType === 3 ? 3 : samples };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export function decodePng(bytes: Uint8Array, file: string): DecodedImage {
  const h = readHeader(bytes, file);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let palette: Uint8Array | undefined;
  let alphaTable: Uint8Array | undefined;
  let pos = 8;
  for (;;) {
    if (pos + 12 > bytes.length) throw new InputError(file, 'truncated PNG (no IEND)', 'truncated');
    const len = v.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (pos + 12 + len > bytes.length) throw new InputError(file, `truncated PNG chunk ${type}`, 'truncated');
    const data = bytes.subarray(pos + 8, pos + 8 + len);
    if (crc32(bytes.subarray(pos + 4, pos + 8 + len)) !== v.getUint32(pos + 8 + len)) {
      throw new InputError(file, `PNG chunk ${type} fails its CRC check`, 'bad-header');
    }
    if (type === 'IDAT') idat.push(data);
    else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') alphaTable = data;
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const samples = SAMPLES[h.colorType];
  const bitsPerPixel = samples * h.depth;
  const stride = Math.ceil((h.width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const expected = h.height * (stride + 1);
  const joined = new Uint8Array(idat.reduce((a, c) => a + c.length, 0));
  idat.reduce((at, c) => (joined.set(c, at), at + c.length), 0);
  let raw: Uint8Array;
  try {
    raw = unzlibSync(joined, { out: new Uint8Array(expected) });
  } catch (e) {
    throw new InputError(file, `corrupt PNG image data (${(e as Error).message})`, 'bad-header');
  }
  if (raw.length !== expected) throw new InputError(file, 'PNG image data is truncated', 'truncated');
  // Undo the per-row filters in place: Sub, Up, Average, Paeth predict from left (a), up (b), up-left (c).
  for (let y = 0; y < h.height; y++) {
    const row = y * (stride + 1) + 1;
    const prev = row - stride - 1;
    const filter = raw[row - 1];
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? raw[row + i - bpp] : 0;
      const b = y > 0 ? raw[prev + i] : 0;
      const c = y > 0 && i >= bpp ? raw[prev + i - bpp] : 0;
      if (filter === 1) raw[row + i] += a;
      else if (filter === 2) raw[row + i] += b;
      else if (filter === 3) raw[row + i] += (a + b) >> 1;
      else if (filter === 4) raw[row + i] += paeth(a, b, c);
      else if (filter !== 0)
        throw new InputError(file, `bad PNG filter type ${filter} on row ${y}`, 'bad-header');
    }
  }
  return expand(h, raw, stride, file, palette, alphaTable);
}

/** Unpacks samples to 8 bits per channel and applies the palette. */
function expand(
  h: Header,
  raw: Uint8Array,
  stride: number,
  file: string,
  palette?: Uint8Array,
  trns?: Uint8Array,
): DecodedImage {
  const samples = SAMPLES[h.colorType];
  const n = h.width * h.height;
  const sample = (y: number, x: number, s: number): number => {
    const row = y * (stride + 1) + 1;
    if (h.depth === 8) return raw[row + x * samples + s];
    if (h.depth === 16) return raw[row + 2 * (x * samples + s)];
    const bit = x * h.depth;
    const v = (raw[row + (bit >> 3)] >> (8 - h.depth - (bit & 7))) & ((1 << h.depth) - 1);
    // Low-depth grey is scaled to 0–255; palette indices are not.
    return h.colorType === 0 ? Math.round((v * 255) / ((1 << h.depth) - 1)) : v;
  };
  if (h.colorType === 3) {
    if (!palette || palette.length % 3)
      throw new InputError(file, 'palette PNG without a valid PLTE chunk', 'bad-header');
    const channels = trns ? 4 : 3;
    const out = new Uint8Array(n * channels);
    for (let y = 0; y < h.height; y++) {
      for (let x = 0; x < h.width; x++) {
        const idx = sample(y, x, 0);
        if (idx * 3 >= palette.length)
          throw new InputError(file, `palette index ${idx} out of range`, 'bad-header');
        const o = (y * h.width + x) * channels;
        out.set(palette.subarray(idx * 3, idx * 3 + 3), o);
        if (trns) out[o + 3] = idx < trns.length ? trns[idx] : 255;
      }
    }
    return { width: h.width, height: h.height, channels, pixels: out };
  }
  const out = new Uint8Array(n * samples);
  for (let y = 0; y < h.height; y++) {
    for (let x = 0; x < h.width; x++) {
      for (let s = 0; s < samples; s++) out[(y * h.width + x) * samples + s] = sample(y, x, s);
    }
  }
  return { width: h.width, height: h.height, channels: samples as 1 | 2 | 3 | 4, pixels: out };
}

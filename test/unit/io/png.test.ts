import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { zlibSync } from 'fflate';
import fc from 'fast-check';
import { crc32, decodePng, encodePng } from '../../../src/core/io/png';
import { parseNpy } from '../../../src/core/io/npy';
import { InputError } from '../../../src/core/errors';
import { shared } from './helpers';

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

test('the digits sample PNGs decode to the pixels of test_images.npy', () => {
  const images = parseNpy(readFileSync(path.join(shared, 'digits/test_images.npy')));
  for (const i of [0, 1, 1999]) {
    const file = path.join(shared, `digits/samples/test_${String(i).padStart(4, '0')}.png`);
    const img = decodePng(readFileSync(file), file);
    assert.deepEqual([img.width, img.height, img.channels], [28, 28, 1]);
    for (let p = 0; p < 784; p++) {
      assert.ok(
        Math.abs(img.pixels[p] - Math.round((images.data[i * 784 + p] as number) * 255)) <= 1,
        `pixel ${p}`,
      );
    }
  }
});

test('encodePng → decodePng round-trips grey, RGB and RGBA (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 9 }),
      fc.constantFrom(1, 3, 4) as fc.Arbitrary<1 | 3 | 4>,
      fc.integer({ min: 0, max: 1e6 }),
      (w, h, c, seed) => {
        const px = new Uint8Array(w * h * c).map((_, i) => (seed + i * 131) & 0xff);
        const img = decodePng(encodePng(px, w, h, c), 'x.png');
        assert.deepEqual([img.width, img.height, img.channels], [w, h, c]);
        assert.deepEqual(img.pixels, px);
      },
    ),
    { numRuns: 100, seed: 2 },
  );
});

/** A PNG with the given IHDR fields and raw (already filtered) scanlines. */
function handMade(
  w: number,
  h: number,
  depth: number,
  colorType: number,
  raw: Uint8Array,
  extra: [string, Uint8Array][] = [],
) {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, data.length);
    for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
    out.set(data, 8);
    v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, w);
  new DataView(ihdr.buffer).setUint32(4, h);
  ihdr[8] = depth;
  ihdr[9] = colorType;
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk('IHDR', ihdr),
    ...extra.map(([t, d]) => chunk(t, d)),
    chunk('IDAT', zlibSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

test('Sub, Up, Average and Paeth filters, 1-bit grey, palettes with transparency, 16-bit', () => {
  // 3×1 grey rows: Sub on row 0, Up on row 1, Average on row 2, Paeth on row 3.
  const raw = Uint8Array.of(1, 10, 5, 5, 2, 1, 1, 1, 3, 2, 2, 2, 4, 0, 0, 0);
  const img = decodePng(handMade(3, 4, 8, 0, raw), 'f.png');
  assert.deepEqual([...img.pixels], [10, 15, 20, 11, 16, 21, 7, 13, 19, 7, 13, 19]);
  const bits = decodePng(handMade(3, 1, 1, 0, Uint8Array.of(0, 0b10100000)), 'b.png');
  assert.deepEqual([...bits.pixels], [255, 0, 255]);
  const pal = decodePng(
    handMade(2, 1, 8, 3, Uint8Array.of(0, 1, 0), [
      ['PLTE', Uint8Array.of(1, 2, 3, 4, 5, 6)],
      ['tRNS', Uint8Array.of(128)],
    ]),
    'p.png',
  );
  assert.deepEqual([pal.channels, ...pal.pixels], [4, 4, 5, 6, 255, 1, 2, 3, 128]);
  const deep = decodePng(handMade(1, 1, 16, 2, Uint8Array.of(0, 1, 2, 3, 4, 5, 6)), 'd.png');
  assert.deepEqual([...deep.pixels], [1, 3, 5]);
});

test('a bad CRC, a truncated file and a huge claimed size are typed errors', () => {
  const good = encodePng(new Uint8Array(16), 4, 4, 1);
  const flipped = Uint8Array.from(good);
  flipped[good.length - 20] ^= 0xff;
  assert.throws(
    () => decodePng(flipped, 'c.png'),
    (e: unknown) => e instanceof InputError,
  );
  assert.throws(
    () => decodePng(good.subarray(0, 40), 't.png'),
    (e: unknown) => e instanceof InputError && e.code === 'truncated',
  );
  const huge = handMade(100000, 100000, 8, 0, new Uint8Array(1));
  assert.throws(
    () => decodePng(huge, 'h.png'),
    (e: unknown) => e instanceof InputError && e.code === 'too-large',
  );
});

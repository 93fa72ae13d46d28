import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { InputError } from '../../src/core/errors';
import { decodeTensor } from '../../src/core/io/read';
import { encodeNpy } from '../../src/core/io/npy';
import { crc32, encodePng } from '../../src/core/io/png';
import { randomInt } from '../../src/core/random';
import { fuzzReader, GENERIC, type Mutation } from './mutate';

const shared = path.resolve(__dirname, '../../../shared/fixtures');
const local = path.resolve(__dirname, '../unit/io/fixtures');
const read = (p: string) => new Uint8Array(readFileSync(p));
const text = (s: string) => new TextEncoder().encode(s);
const budget = { timeout: 20_000 };

/** Replaces the first occurrence of `from` (as latin1 text) in the bytes; computed once per input. */
const replaceText = (from: string, to: string): Mutation => {
  const done = new WeakMap<Uint8Array, Uint8Array>();
  return (b) => {
    const cached = done.get(b);
    if (cached) return cached;
    const s = new TextDecoder('latin1').decode(b);
    const at = s.indexOf(from);
    const out =
      at < 0
        ? b
        : Uint8Array.from(s.slice(0, at) + to + s.slice(at + from.length), (c) => c.charCodeAt(0) & 0xff);
    done.set(b, out);
    return out;
  };
};

function report(name: string, r: { refused: number; read: number }): void {
  // Both outcomes must occur, or the mutations are not reaching the reader.
  assert.ok(r.refused > 0, `${name}: no variant was refused`);
  process.stdout.write(`# ${name}: ${r.refused} refused, ${r.read} read\n`);
}

test('npy: 2000 variants of a real file, including shapes claiming 10^12 elements', budget, () => {
  const absurd = [
    replaceText('(2000,)', '(1000000000000,)'),
    replaceText('(2000,)', '(1000000, 1000000)'),
    replaceText('(2000,)', '(99999999999999999999,)'),
    replaceText("'<i8'", "'<f16'"),
  ];
  report(
    'npy',
    fuzzReader(read(path.join(shared, 'digits/test_labels.npy')), 'x.npy', 2000, 1, [...GENERIC, ...absurd]),
  );
});

test('npz: 1400 variants of stored and deflated archives', budget, () => {
  report('npz stored', fuzzReader(read(path.join(local, 'stored.npz')), 'x.npz', 700, 2));
  report('npz deflated', fuzzReader(read(path.join(local, 'deflated.npz')), 'x.npz', 700, 3));
});

test('safetensors: 1500 variants, including absurd header lengths and offsets', budget, () => {
  const absurd = [
    replaceText('[0, 6]', '[0, 99999999999]'),
    replaceText('"shape": [3, 4]', '"shape": [1000000000, 1000000000]'),
  ];
  report(
    'safetensors',
    fuzzReader(read(path.join(local, 'mixed.safetensors')), 'x.safetensors', 1500, 4, [
      ...GENERIC,
      ...absurd,
    ]),
  );
  const huge = read(path.join(local, 'mixed.safetensors'));
  new DataView(huge.buffer).setBigUint64(0, 2n ** 62n, true);
  assert.throws(
    () => decodeTensor(huge, 'x.safetensors', 'w'),
    (e: unknown) => e instanceof InputError,
  );
});

test('pt: 1400 variants of real and torch-layout archives, none executes or escapes', budget, () => {
  report('pt spirals', fuzzReader(read(path.join(shared, 'spirals/model_state_dict.pt')), 'x.pt', 700, 5));
  report('pt views', fuzzReader(read(path.join(local, 'checkpoint_p4.pt')), 'x.pt', 700, 6));
});

test('zip headers claiming huge members or counts are refused before allocating', () => {
  const zip = zipSync(
    { 'a.npy': encodeNpy({ dtype: 'float32', shape: [4], data: new Float32Array(4) }) },
    { level: 6 },
  );
  const v = new DataView(zip.buffer);
  const eocd = zip.length - 22;
  const central = v.getUint32(eocd + 16, true);
  const size = Uint8Array.from(zip);
  new DataView(size.buffer).setUint32(central + 24, 0xfffffff0, true);
  assert.throws(
    () => decodeTensor(size, 'x.npz'),
    (e: unknown) => e instanceof InputError && /impossible size/.test(e.reason),
  );
  const count = Uint8Array.from(zip);
  new DataView(count.buffer).setUint16(eocd + 10, 0xffff, true);
  assert.throws(
    () => decodeTensor(count, 'x.npz'),
    (e: unknown) => e instanceof InputError,
  );
});

test('csv: 600 variants of the first 40 rows of a real table; json: 1500 variants', budget, () => {
  const csv = text(
    new TextDecoder()
      .decode(read(path.join(shared, 'spirals/test.csv')))
      .split('\n')
      .slice(0, 41)
      .join('\n'),
  );
  report('csv', fuzzReader(csv, 'x.csv', 600, 7));
  const json = text(
    JSON.stringify({
      data: [
        [1, 2],
        [3, 4.5],
      ],
      shape: [2, 2],
      meta: { box: [0, 1, 2, 3] },
    }),
  );
  report('json', fuzzReader(json, 'x.json', 1500, 8));
});

/** Flips bits inside PNG chunk data and rewrites the CRCs, so the corruption reaches the decoder. */
const flipPngChunkData: Mutation = function flipPngChunkData(b, rng) {
  const out = b.slice();
  const v = new DataView(out.buffer);
  for (let pos = 8; pos + 12 <= out.length;) {
    const len = v.getUint32(pos);
    if (pos + 12 + len > out.length) break;
    if (len > 0 && rng() < 0.7) out[pos + 8 + randomInt(rng, len)] ^= 1 << randomInt(rng, 8);
    v.setUint32(pos + 8 + len, crc32(out.subarray(pos + 4, pos + 8 + len)));
    pos += 12 + len;
  }
  return out;
};

test('png: 1600 variants of a real sample and of an RGBA image', budget, () => {
  const mutations = [...GENERIC, flipPngChunkData, flipPngChunkData, flipPngChunkData];
  report(
    'png gray',
    fuzzReader(read(path.join(shared, 'digits/samples/test_0000.png')), 'x.png', 800, 9, mutations),
  );
  const rgba = encodePng(
    new Uint8Array(16 * 16 * 4).map((_, i) => i * 7),
    16,
    16,
    4,
  );
  report('png rgba', fuzzReader(rgba, 'x.png', 800, 10, mutations));
});

test('random bytes of every size are refused by every reader', budget, () => {
  let state = 11;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0);
  for (const ext of ['npy', 'npz', 'safetensors', 'csv', 'tsv', 'json', 'pt', 'png']) {
    for (let n = 0; n < 300; n++) {
      const bytes = new Uint8Array(n % 97).map(() => next() & 0xff);
      try {
        decodeTensor(bytes, `r.${ext}`);
      } catch (e) {
        if (!(e instanceof InputError)) {
          throw new Error(`${ext} length ${bytes.length}: ${(e as Error).stack}`, { cause: e });
        }
      }
    }
  }
  assert.ok(process.memoryUsage().arrayBuffers < 2 ** 30, 'no huge allocation survived');
});

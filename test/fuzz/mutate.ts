/**
 * Seeded mutations of real files for the reader fuzz tests: truncations, bit flips, overwritten bytes,
 * and format-specific absurd headers. Every case must end in a typed InputError or a consistent tensor.
 */
import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors';
import { decodeTensor, describeTensors } from '../../src/core/io/read';
import { sizeOf } from '../../src/core/io/tensor';
import { mulberry32, randomInt } from '../../src/core/random';

export type Mutation = (bytes: Uint8Array, rng: () => number) => Uint8Array;

export const truncate: Mutation = (b, rng) => b.slice(0, randomInt(rng, b.length));

export const flipBits: Mutation = (b, rng) => {
  const out = b.slice();
  const flips = 1 + randomInt(rng, 8);
  // Half the flips land in the first 256 bytes, where headers live.
  for (let i = 0; i < flips; i++) {
    const at = rng() < 0.5 ? randomInt(rng, Math.min(256, out.length)) : randomInt(rng, out.length);
    out[at] ^= 1 << randomInt(rng, 8);
  }
  return out;
};

export const overwrite: Mutation = (b, rng) => {
  const out = b.slice();
  const at = randomInt(rng, out.length);
  const len = 1 + randomInt(rng, 16);
  for (let i = at; i < Math.min(out.length, at + len); i++) out[i] = randomInt(rng, 256);
  return out;
};

/** Writes a 32-bit little-endian value (0xffffffff, 2^31, or random) at a random offset. */
export const absurdWord: Mutation = (b, rng) => {
  const out = b.slice();
  if (out.length < 4) return out;
  const at = randomInt(rng, out.length - 3);
  const values = [0xffffffff, 0x80000000, 0x7fffffff, randomInt(rng, 2 ** 32)];
  new DataView(out.buffer).setUint32(at, values[randomInt(rng, values.length)], true);
  return out;
};

export const GENERIC: Mutation[] = [truncate, flipBits, overwrite, absurdWord];

/** Reads one variant like the app does: list, then decode every listed tensor. */
function readAll(bytes: Uint8Array, file: string): void {
  const listed = describeTensors(bytes, file);
  for (const info of listed) {
    assert.ok(
      info.shape.every((d) => Number.isSafeInteger(d) && d >= 0),
      `bad shape ${info.shape}`,
    );
  }
  let refusal: InputError | undefined;
  let decoded = 0;
  for (const key of [undefined, ...listed.map((t) => t.name)]) {
    let t;
    try {
      t = decodeTensor(bytes, file, key);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      refusal ??= e;
      continue;
    }
    decoded++;
    assert.equal(t.data.length, sizeOf(t.shape), 'data length equals the product of the shape');
  }
  // A variant counts as read when some tensor in it decodes.
  if (decoded === 0 && refusal) throw refusal;
}

/**
 * Runs `count` seeded variants of `original`; any error that is not an InputError fails with the seed and
 * mutation that reproduce it. Returns how many variants were refused and how many read.
 */
export function fuzzReader(
  original: Uint8Array,
  file: string,
  count: number,
  seed: number,
  mutations: Mutation[] = GENERIC,
): { refused: number; read: number } {
  const rng = mulberry32(seed);
  let refused = 0;
  let read = 0;
  for (let i = 0; i < count; i++) {
    const m = mutations[i % mutations.length];
    const variant = m(original, rng);
    try {
      readAll(variant, file);
      read++;
    } catch (e) {
      if (e instanceof InputError) {
        refused++;
        continue;
      }
      throw new Error(`case ${i} (seed ${seed}, ${m.name}) escaped: ${(e as Error).stack}`, { cause: e });
    }
  }
  return { refused, read };
}

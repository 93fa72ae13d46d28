import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { InputError } from '../../src/core/errors';
import { unpickle } from '../../src/core/io/pickle';
import { parseSpec } from '../../src/core/spec/spec';
import { mulberry32, randomInt } from '../../src/core/random';
import { flipBits, overwrite, truncate } from './mutate';

const local = path.resolve(__dirname, '../unit/io/fixtures');

/** Every opcode byte the unpickler knows, plus a few it does not. */
const OPCODES = [
  0x80, 0x95, 0x2e, 0x28, 0x30, 0x31, 0x32, 0x4e, 0x88, 0x89, 0x4a, 0x4b, 0x4d, 0x8a, 0x8b, 0x49, 0x4c, 0x47,
  0x46, 0x58, 0x8c, 0x8d, 0x56, 0x54, 0x55, 0x53, 0x42, 0x43, 0x8e, 0x96, 0x5d, 0x6c, 0x61, 0x65, 0x29, 0x74,
  0x85, 0x86, 0x87, 0x7d, 0x64, 0x73, 0x75, 0x8f, 0x90, 0x91, 0x63, 0x93, 0x69, 0x6f, 0x52, 0x81, 0x92, 0x62,
  0x50, 0x51, 0x70, 0x71, 0x72, 0x94, 0x67, 0x68, 0x6a, 0x82, 0x97, 0x00, 0xff,
];

const options = {
  file: 'fuzz.pkl',
  findGlobal: (m: string, n: string) => ({ qualifiedName: `${m}.${n}`, call: (args: unknown[]) => args }),
  persistentLoad: (pid: unknown) => pid,
};

test(
  '4000 random opcode streams: a value or an InputError, never a hang or another error',
  { timeout: 20_000 },
  () => {
    const rng = mulberry32(21);
    let values = 0;
    for (let i = 0; i < 4000; i++) {
      const n = 1 + randomInt(rng, 40);
      const bytes = new Uint8Array(n);
      for (let k = 0; k < n; k++) {
        // Mostly opcodes, some argument bytes (small, 0xff, newline) so arguments parse both ways.
        const r = rng();
        bytes[k] =
          r < 0.6
            ? OPCODES[randomInt(rng, OPCODES.length)]
            : r < 0.8
              ? randomInt(rng, 4)
              : r < 0.9
                ? 0x0a
                : 0xff;
      }
      try {
        unpickle(bytes, options);
        values++;
      } catch (e) {
        if (!(e instanceof InputError)) throw new Error(`case ${i}: ${(e as Error).stack}`, { cause: e });
      }
    }
    assert.ok(values < 4000);
  },
);

test('2000 mutations of CPython pickles (protocols 0–5)', { timeout: 20_000 }, () => {
  const rng = mulberry32(22);
  const originals = [0, 1, 2, 3, 4, 5].map(
    (p) => new Uint8Array(readFileSync(path.join(local, `plain_p${p}.pkl`))),
  );
  for (let i = 0; i < 2000; i++) {
    const m = [truncate, flipBits, overwrite][i % 3];
    const bytes = m(originals[i % 6], rng);
    try {
      unpickle(bytes, options);
    } catch (e) {
      if (!(e instanceof InputError)) throw new Error(`case ${i}: ${(e as Error).stack}`, { cause: e });
    }
  }
});

test(
  '2000 mutations of a spec: a validated spec or a bad-spec error with a field path',
  { timeout: 20_000 },
  () => {
    const spec = JSON.stringify({
      name: 'n',
      classes: ['a', 'b'],
      labels: 'y.npy',
      sets: [{ name: 'clean', epsilon: 0, activations: 'a.npy', predictions: 'p.npy' }],
      mapper: { intervals: 20, overlap: 0.3, eps: 'auto', minSamples: 5, lens: 'l2norm' },
      model: 'm.onnx',
      inputs: 'x.npz:images',
      attack: { kind: 'fgsm', epsilons: [0, 0.1], clip: [0, 1] },
    });
    const rng = mulberry32(23);
    const original = new TextEncoder().encode(spec);
    let valid = 0;
    for (let i = 0; i < 2000; i++) {
      const text = new TextDecoder().decode([truncate, flipBits, overwrite][i % 3](original, rng));
      try {
        parseSpec(text, '/w/s.toposcope.json');
        valid++;
      } catch (e) {
        if (!(e instanceof InputError) || e.code !== 'bad-spec') {
          throw new Error(`case ${i}: ${(e as Error).stack}`, { cause: e });
        }
      }
    }
    assert.ok(valid > 0 && valid < 2000, `${valid} valid`);
  },
);

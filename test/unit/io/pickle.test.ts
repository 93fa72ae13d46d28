import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { unpickle } from '../../../src/core/io/pickle';
import { InputError } from '../../../src/core/errors';
import { bytesOf, local } from './helpers';

const refuseAll = {
  findGlobal: (m: string, n: string): never => {
    throw new InputError('x', `global ${m}.${n}`, 'unsafe-pickle');
  },
  persistentLoad: (): never => {
    throw new InputError('x', 'no persistent ids here', 'bad-header');
  },
};

/** The object make_fixtures.py pickles, as the unpickler returns it (tuples as arrays, dicts as Maps). */
const want = new Map<unknown, unknown>([
  [
    'ints',
    [0, 1, -1, 255, 256, 65535, 65536, -(2 ** 31), 2 ** 31 - 1, 2 ** 40, -(2 ** 40), 2n ** 70n, -(2n ** 70n)],
  ],
  ['floats', [0.5, -1e300, 3.141592653589793]],
  ['text', ['', 'ascii', 'ünïcödé', 'Ωmega 😀', 'x'.repeat(300)]],
  ['flags', [true, false, null]],
  [
    'nested',
    new Map<unknown, unknown>([
      ['a', [1, [2, [3]]]],
      ['b', [4, 5]],
      ['c', []],
      ['d', [6]],
      ['e', [7, 8, 9]],
      ['f', [1, 2, 3, 4]],
    ]),
  ],
]);

for (let proto = 0; proto <= 5; proto++) {
  test(`CPython pickle protocol ${proto}: every plain value comes back`, () => {
    const got = unpickle(bytesOf(path.join(local, `plain_p${proto}.pkl`)), {
      file: 'x',
      ...refuseAll,
    }) as Map<unknown, unknown>;
    for (const [k, v] of want) assert.deepEqual(got.get(k), v, `${k}`);
    if (proto >= 3) {
      assert.deepEqual([...(got.get('bytes') as Uint8Array)], [0, 1, ...new TextEncoder().encode('binary')]);
    }
    // The memo makes the shared list one object.
    const shared = got.get('shared') as unknown[][];
    assert.equal(shared[0], shared[1]);
  });
}

test('protocol 2 bytes go through codecs.encode, which is refused as unsafe', () => {
  const bytes = new Uint8Array([0x80, 2, 0x63, ...new TextEncoder().encode('_codecs\nencode\n'), 0x2e]);
  assert.throws(
    () => unpickle(bytes, { file: 'x', ...refuseAll }),
    (e: unknown) => e instanceof InputError && e.code === 'unsafe-pickle' && /_codecs\.encode/.test(e.reason),
  );
});

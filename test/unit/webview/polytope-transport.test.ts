import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { packTyped, unpackTyped } from '../../../webview/polytope/typed-transport';

test('typed arrays survive a JSON round trip exactly, nested anywhere, views included', () => {
  fc.assert(
    fc.property(
      fc.float64Array({ maxLength: 200 }),
      fc.int32Array({ maxLength: 200 }),
      fc.array(fc.nat(), { maxLength: 50 }),
      (f, i, u) => {
        const big = Uint32Array.from([7, ...u, 9]);
        const msg = { type: 'x', data: { f, list: [i, { u: big.subarray(1, 1 + u.length) }], n: 3, s: 'a' } };
        const back = unpackTyped(JSON.parse(JSON.stringify(packTyped(msg)))) as typeof msg;
        assert.ok(back.data.f instanceof Float64Array);
        assert.deepEqual(
          Array.from(back.data.f, (x) => (Object.is(x, -0) ? '-0' : x)),
          Array.from(f, (x) => (Object.is(x, -0) ? '-0' : x)),
        );
        assert.ok(back.data.list[0] instanceof Int32Array);
        assert.deepEqual(Array.from(back.data.list[0] as Int32Array), Array.from(i));
        assert.deepEqual(Array.from((back.data.list[1] as { u: Uint32Array }).u), u);
        assert.equal(back.data.n, 3);
        assert.equal(back.data.s, 'a');
      },
    ),
    { numRuns: 100 },
  );
});

test('malformed packed values stay as they are (the validators then refuse them)', () => {
  const bad = [
    { $typed: 'Float64Array', base64: '!!!' },
    { $typed: 'Float64Array', base64: btoa('abc') },
    { $typed: 'Function', base64: '' },
  ];
  for (const b of bad) assert.deepEqual(unpackTyped(b), b);
  assert.throws(() => packTyped(new BigInt64Array(1)), /BigInt64Array/);
});

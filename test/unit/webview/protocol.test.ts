import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseHostMessage, parseViewMessage, type GraphView } from '../../../webview/shared/protocol';
import {
  SchemaError,
  array,
  int,
  nullable,
  numbers,
  object,
  optional,
  str,
} from '../../../webview/shared/schema';

const graph: GraphView = {
  parameters: {
    lens: 'l2norm',
    cover: 'uniform',
    intervals: 20,
    overlap: 0.3,
    clusterer: 'dbscan',
    eps: 3.8,
    epsAuto: false,
    epsQuantile: 0.9,
    minSamples: 5,
    metric: 'euclidean',
    noise: 'drop',
  },
  summary: {
    points: 10,
    nodes: 2,
    edges: 1,
    pointsInGraph: 9,
    pointsDropped: 1,
    droppedByReason: { noise: 1, smallPreimage: 0 },
    weightedPurity: 0.8,
    meanAccuracy: null,
    seconds: 0.01,
  },
  nodes: [
    {
      id: 0,
      interval: 0,
      size: 5,
      members: [0, 1, 2, 3, 4],
      lensMean: 1,
      purity: 1,
      accuracy: null,
      labelCounts: [5, 0],
      noise: false,
      predictionCounts: null,
      confusions: [],
    },
    {
      id: 1,
      interval: 1,
      size: 5,
      members: [4, 5, 6, 7, 8],
      lensMean: 2,
      purity: 0.5,
      accuracy: 0.4,
      labelCounts: [2, 3],
      noise: false,
      predictionCounts: [3, 2],
      confusions: [{ label: 1, prediction: 0, count: 3 }],
    },
  ],
  edges: [{ source: 0, target: 1, weight: 1 }],
};

test('a well-formed mapper message passes and keeps its fields', () => {
  const msg = parseHostMessage({
    type: 'mapper',
    data: { title: 't', graph, classes: ['a', 'b'], live: true, hasSamples: false },
  });
  assert.equal(msg.type, 'mapper');
  if (msg.type === 'mapper') assert.equal(msg.data.graph.nodes[1].accuracy, 0.4);
});

test('typed arrays are accepted where lists of numbers are expected', () => {
  const g = { ...graph, nodes: [{ ...graph.nodes[0], members: new Int32Array([0, 1, 2, 3, 4]) }] };
  const msg = parseHostMessage({
    type: 'mapper',
    data: { title: 't', graph: g, classes: [], live: false, hasSamples: false },
  });
  assert.ok(msg.type === 'mapper');
});

test('a wrong field is refused with the path that failed', () => {
  const bad = { ...graph, nodes: [{ ...graph.nodes[0], size: 'five' }] };
  assert.throws(
    () =>
      parseHostMessage({
        type: 'mapper',
        data: { title: 't', graph: bad, classes: [], live: true, hasSamples: true },
      }),
    (e: unknown) => e instanceof SchemaError && e.at === 'data.graph.nodes[0].size',
  );
});

test('unknown message types and non-objects are refused on both sides', () => {
  for (const v of [
    null,
    3,
    'ready',
    {},
    { type: 'exec', cmd: 'rm' },
    { type: 'constructor' },
    { type: '__proto__' },
  ]) {
    assert.throws(() => parseViewMessage(v), SchemaError);
    assert.throws(() => parseHostMessage(v), SchemaError);
  }
});

test('view messages: openSample needs an integer index, save a known format and encoding', () => {
  assert.deepEqual(parseViewMessage({ type: 'openSample', index: 3 }), { type: 'openSample', index: 3 });
  assert.throws(() => parseViewMessage({ type: 'openSample', index: '../../etc/passwd' }), SchemaError);
  assert.throws(() => parseViewMessage({ type: 'openSample', index: 1.5 }), SchemaError);
  assert.throws(
    () => parseViewMessage({ type: 'save', name: 'x', format: 'exe', encoding: 'utf8', data: '' }),
    SchemaError,
  );
  assert.throws(
    () => parseViewMessage({ type: 'nodeSamples', nodeId: 1, members: new Array(2001).fill(0) }),
    SchemaError,
  );
});

test('optional fields may be absent but not of the wrong type', () => {
  const v = object({ a: int, b: optional(str), c: nullable(numbers()) });
  assert.deepEqual(v({ a: 1, c: null }), { a: 1, c: null });
  assert.throws(() => v({ a: 1, b: 2, c: null }), SchemaError);
  assert.throws(() => v({ a: 1 }), SchemaError);
});

test('property: numbers() accepts exactly the lists of finite numbers', () => {
  const check = numbers();
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null))), (xs) => {
      const ok = xs.every((x) => typeof x === 'number' && Number.isFinite(x));
      let passed = true;
      try {
        check(xs);
      } catch {
        passed = false;
      }
      assert.equal(passed, ok);
    }),
  );
});

test('property: array() validates every item and reports its index', () => {
  const check = array(int);
  fc.assert(
    fc.property(fc.array(fc.integer(), { minLength: 1 }), fc.nat(), (xs, at) => {
      const i = at % xs.length;
      const bad: unknown[] = [...xs];
      bad[i] = 'x';
      assert.throws(
        () => check(bad, 'rows'),
        (e: unknown) => e instanceof SchemaError && e.at === `rows[${i}]`,
      );
    }),
  );
});

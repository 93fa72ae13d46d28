import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parsePolytopeHostMessage,
  parsePolytopeViewMessage,
  polytopeUiState,
  type RegionData,
} from '../../../webview/polytope/protocol';
import { COLOUR_MODES, fiedlerColour, hashPattern, patternColour } from '../../../webview/polytope/colour';
import { describeRegion, regionFills } from '../../../webview/polytope/fills';
import { requestKey } from '../../../webview/polytope/view-state';
import { anchorsOf, parseAnchorsText } from '../../../webview/polytope/anchors';

/** Two triangles splitting the unit square along its diagonal, with opposite Fiedler signs. */
function twoTriangles(): RegionData {
  return {
    label: 'two',
    box: [0, 1, 0, 1],
    offsets: Uint32Array.from([0, 3, 6]),
    coords: Float64Array.from([0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1]),
    patterns: ['10', '01'],
    areas: Float64Array.from([0.5, 0.5]),
    predictions: Int32Array.from([0, 1]),
    pointCounts: Int32Array.from([3, 0]),
    fiedlerUnweighted: Float64Array.from([0.7, -0.7]),
    fiedlerWeighted: Float64Array.from([0.2, -0.9]),
    dualEdges: Uint32Array.from([0, 1]),
    centroids: Float64Array.from([2 / 3, 1 / 3, 1 / 3, 2 / 3]),
    fVector: [4, 5, 2],
    euler: 1,
    dualEdgeCounts: { facet: 1, hamming1: 0 },
    metrics: { unweighted: null, weighted: null },
    betti: null,
    points: null,
    anchors: null,
    inputDim: 2,
    trainFile: null,
    seconds: 0.01,
  };
}

test('a regions message keeps its typed arrays and passes validation', () => {
  const data = twoTriangles();
  const msg = parsePolytopeHostMessage({ type: 'regions', key: 'k', checkpoint: null, data });
  assert.equal(msg.type, 'regions');
  assert.ok(msg.type === 'regions' && msg.data.coords === data.coords);
});

test('malformed host messages are refused', () => {
  const bad = (patch: Partial<RegionData>) => ({
    type: 'regions',
    key: 'k',
    checkpoint: null,
    data: { ...twoTriangles(), ...patch },
  });
  assert.throws(
    () => parsePolytopeHostMessage(bad({ coords: [0, 0, 1] as unknown as Float64Array })),
    /coords/,
  );
  assert.throws(() => parsePolytopeHostMessage(bad({ areas: Float64Array.from([NaN, 1]) })), /areas\[0\]/);
  assert.throws(() => parsePolytopeHostMessage(bad({ box: [1, 0, 0, 1] })), /box/);
  assert.throws(() => parsePolytopeHostMessage({ type: 'nope' }), /type/);
});

test('view messages: compute, anchors and saves are checked field by field', () => {
  assert.deepEqual(
    parsePolytopeViewMessage({ type: 'compute', key: 'a', box: [0, 1, 0, 2], checkpoint: 3, anchors: null }),
    {
      type: 'compute',
      key: 'a',
      box: [0, 1, 0, 2],
      checkpoint: 3,
      anchors: null,
    },
  );
  assert.throws(() =>
    parsePolytopeViewMessage({ type: 'compute', key: 'a', box: null, checkpoint: 1.5, anchors: null }),
  );
  assert.throws(() =>
    parsePolytopeViewMessage({ type: 'compute', key: 'a', box: null, checkpoint: null, anchors: [1, 1, 2] }),
  );
  assert.throws(() =>
    parsePolytopeViewMessage({ type: 'save', name: 'x.png', format: 'exe', encoding: 'utf8', data: '' }),
  );
  assert.throws(() =>
    parsePolytopeViewMessage({ type: 'save', name: 'x.png', format: 'png', encoding: 'utf8' }),
  );
});

test('UI state round-trips through JSON and rejects unknown colour modes', () => {
  const ui = {
    target: { kind: 'folder', path: '/w/checkpoints', train: '/w/train.csv' },
    box: null,
    colour: 'fiedler-weighted',
    showPoints: true,
    showDual: false,
    checkpoint: 7,
  };
  assert.deepEqual(polytopeUiState(JSON.parse(JSON.stringify(ui))), ui);
  assert.throws(() => polytopeUiState({ ...ui, colour: 'rainbow' }), /colour/);
  assert.throws(() => polytopeUiState({ ...ui, target: { kind: 'file', path: 'x' } }), /kind/);
});

test('every colour mode gives one colour per face; Fiedler signs get different colours', () => {
  const d = twoTriangles();
  for (const mode of COLOUR_MODES) assert.equal(regionFills(d, mode).length, 2);
  const [pos, neg] = regionFills(d, 'fiedler-unweighted');
  assert.notEqual(pos, neg);
  assert.notDeepEqual(regionFills(d, 'prediction'), regionFills(d, 'fiedler-weighted'));
  assert.equal(fiedlerColour(0, 1), 'rgb(128, 128, 128)');
  assert.equal(fiedlerColour(1, 0), 'rgb(128, 128, 128)');
});

test('pattern colours are a function of the pattern only, and spread over hues', () => {
  assert.equal(patternColour('0110'), patternColour('0110'));
  const hues = new Set(Array.from({ length: 64 }, (_, i) => patternColour(i.toString(2).padStart(6, '0'))));
  assert.ok(hues.size >= 60, `${hues.size} distinct colours for 64 patterns`);
  assert.notEqual(hashPattern('01'), hashPattern('10'));
});

test('hover lines name the pattern, area, points and prediction of the face', () => {
  const lines = describeRegion(twoTriangles(), 0);
  assert.ok(lines.includes('pattern 10'));
  assert.ok(lines.includes('area 0.5000'));
  assert.ok(lines.includes('training points 3'));
  assert.ok(lines.includes('prediction 0'));
});

test('request keys separate checkpoints, boxes and anchors', () => {
  const keys = new Set([
    requestKey(null, null, null),
    requestKey(0, null, null),
    requestKey(1, null, null),
    requestKey(null, [0, 1, 0, 1], null),
    requestKey(null, null, [0, 1, 2]),
  ]);
  assert.equal(keys.size, 5);
  assert.equal(requestKey(2, [0, 1, 0, 1], null), requestKey(2, [0, 1, 0, 1], null));
});

test('anchor text: three different non-negative integers', () => {
  assert.deepEqual(parseAnchorsText('0, 1, 2'), [0, 1, 2]);
  assert.deepEqual(parseAnchorsText(' 10 20,30 '), [10, 20, 30]);
  assert.equal(parseAnchorsText('1,1,2'), undefined);
  assert.equal(parseAnchorsText('1,2'), undefined);
  assert.equal(parseAnchorsText('-1,2,3'), undefined);
  assert.equal(parseAnchorsText('1.5,2,3'), undefined);
  assert.deepEqual(anchorsOf([284, 21, 662]), [284, 21, 662]);
  assert.equal(anchorsOf([4, 4, 5]), undefined);
  assert.equal(anchorsOf([1, 2]), undefined);
});

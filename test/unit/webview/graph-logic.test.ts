import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { adjacency, component, shortestPath } from '../../../webview/shared/graph-select';
import { forceLayout, lensLayout } from '../../../webview/shared/layout';
import type { ViewNode } from '../../../webview/shared/protocol';

const arbGraph = fc
  .integer({ min: 1, max: 25 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 40 }),
    }),
  )
  .map(({ n, edges }) => ({
    ids: Array.from({ length: n }, (_, i) => i),
    edges: edges.filter(([a, b]) => a !== b).map(([source, target]) => ({ source, target })),
  }));

/** Brute-force distances by Floyd–Warshall. */
function allPairs(n: number, edges: { source: number; target: number }[]): number[][] {
  const d = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 0 : Infinity)),
  );
  for (const e of edges) d[e.source][e.target] = d[e.target][e.source] = 1;
  for (let k = 0; k < n; k++)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i][j] = Math.min(d[i][j], d[i][k] + d[k][j]);
  return d;
}

test('property: shortest paths are valid walks of brute-force length; components are the finite-distance sets', () => {
  fc.assert(
    fc.property(arbGraph, fc.nat(), fc.nat(), (g, a, b) => {
      const n = g.ids.length;
      const [from, to] = [a % n, b % n];
      const adj = adjacency(g.ids, g.edges);
      const d = allPairs(n, g.edges);
      const path = shortestPath(adj, from, to);
      if (d[from][to] === Infinity) assert.equal(path, null);
      else {
        assert.ok(path);
        assert.equal(path.length - 1, d[from][to]);
        assert.equal(path[0], from);
        assert.equal(path[path.length - 1], to);
        for (let i = 1; i < path.length; i++) assert.ok(adj.get(path[i - 1])!.includes(path[i]));
      }
      const comp = component(adj, from);
      assert.deepEqual(
        [...comp].sort((x, y) => x - y),
        g.ids.filter((j) => d[from][j] < Infinity),
      );
    }),
  );
});

const node = (id: number, size: number, accuracy: number | null, members: number[] = []): ViewNode => ({
  id,
  interval: id,
  size,
  members,
  lensMean: id,
  purity: 1,
  accuracy,
  labelCounts: [size],
  noise: false,
  predictionCounts: null,
  confusions: [],
});

test('force layout is deterministic and finite; the lens layout orders x by lens mean', () => {
  const nodes = Array.from({ length: 30 }, (_, i) => node(i, 1 + (i % 7), 1));
  const edges = nodes.slice(1).map((n) => ({ source: n.id - 1, target: n.id }));
  const a = forceLayout(nodes, edges, 120, 3);
  const b = forceLayout(nodes, edges, 120, 3);
  assert.deepEqual(a, b);
  assert.ok(a.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y)));
  const lens = lensLayout(nodes.map((n) => ({ ...n, lensMean: 30 - n.id })));
  for (let i = 1; i < lens.length; i++) assert.ok(lens[i].x < lens[i - 1].x);
});

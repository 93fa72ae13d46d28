import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseNpy } from '../../../src/core/io/npy';
import { toFloat32, toLabels } from '../../../src/core/io/tensor';
import { buildCover, lensOrder } from '../../../src/core/mapper/cover';
import { l2normLens } from '../../../src/core/mapper/lens';
import { buildMapper } from '../../../src/core/mapper/mapper';

const digits = path.resolve(__dirname, '../../../../shared/fixtures/digits');
const npy = (name: string) => parseNpy(readFileSync(path.join(digits, name)));

interface Reference {
  eps: number;
  nodes: number;
  edges: number;
  points_in_graph: number;
  weighted_purity: number;
  graph: {
    nodes: { interval: number; members: number[]; purity: number; accuracy: number }[];
    edges: [number, number][];
  };
}

test('reproduces expected_mapper_adv_eps0.00.json: nodes by core membership, edges, weighted purity', () => {
  const ref = JSON.parse(
    readFileSync(path.join(digits, 'expected_mapper_adv_eps0.00.json'), 'utf8'),
  ) as Reference;
  const act = npy('act_adv_linf_0.1_eps0.00.npy');
  const [n, d] = act.shape;
  const x = toFloat32(act);
  const labels = toLabels(npy('test_labels.npy'));
  const predictions = toLabels(npy('pred_adv_linf_0.1_eps0.00.npy'));
  const g = buildMapper(
    { x, n, d, labels, predictions },
    { eps: ref.eps, minSamples: 5, intervals: 20, overlap: 0.3 },
  );

  // core points of each interval's preimage, by brute force: ≥ 5 rows (itself included) within eps
  const lens = l2normLens(x, n, d);
  const cover = buildCover('uniform', lens, lensOrder(lens), 20, 0.3);
  const coreOf = cover.preimages.map((pre) => {
    const core = new Set<number>();
    for (const i of pre) {
      let count = 0;
      for (const j of pre) {
        let s = 0;
        for (let k = 0; k < d; k++) s += (x[i * d + k] - x[j * d + k]) ** 2;
        if (Math.sqrt(s) <= ref.eps) count++;
      }
      if (count >= 5) core.add(i);
    }
    return core;
  });
  const coreKey = (interval: number, members: number[]) =>
    `${interval}:${members.filter((i) => coreOf[interval].has(i)).join(',')}`;
  const mine = g.nodes.map((v) => coreKey(v.interval, v.members));
  const theirs = ref.graph.nodes.map((v) => coreKey(v.interval, v.members));
  assert.equal(g.summary.nodes, ref.nodes);
  assert.deepEqual([...mine].sort(), [...theirs].sort());

  // edges, mapped through the core-membership correspondence of the nodes
  const toMine = theirs.map((key) => mine.indexOf(key));
  const edgeKey = (a: number, b: number) => `${Math.min(a, b)}-${Math.max(a, b)}`;
  assert.deepEqual(
    g.edges.map((e) => edgeKey(e.source, e.target)).sort(),
    ref.graph.edges.map(([a, b]) => edgeKey(toMine[a], toMine[b])).sort(),
  );
  assert.equal(g.summary.edges, ref.edges);
  assert.equal(g.summary.pointsInGraph, ref.points_in_graph);
  assert.ok(Math.abs(g.summary.weightedPurity! - ref.weighted_purity) <= 1e-9);
  // per node purity and accuracy
  ref.graph.nodes.forEach((r, i) => {
    const v = g.nodes[toMine[i]];
    assert.ok(Math.abs(v.purity! - r.purity) <= 1e-9);
    assert.ok(Math.abs(v.accuracy! - r.accuracy) <= 1e-12);
  });
  assert.equal(g.summary.pointsDropped, n - ref.points_in_graph);
  assert.equal(
    g.summary.droppedByReason.noise + g.summary.droppedByReason.smallPreimage,
    g.summary.pointsDropped,
  );
});

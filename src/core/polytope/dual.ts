/**
 * Dual graphs of a cell complex (DESIGN.md §7): `facet` joins two faces that share an edge of positive
 * length (one dual edge per face pair); `hamming1` joins faces whose patterns differ in exactly one bit,
 * found by flipping each bit and looking the pattern up (O(f2·h)).
 */
import { PatternTable } from './pattern-table';
import type { CellComplex, CsrGraph, DualGraph, DualKind } from './types';

function fromPairs(kind: DualKind, nodes: number, keys: number[]): DualGraph {
  keys.sort((a, b) => a - b);
  const source: number[] = [];
  const target: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && keys[i] === keys[i - 1]) continue;
    source.push(Math.floor(keys[i] / nodes));
    target.push(keys[i] % nodes);
  }
  return { kind, nodes, source: Uint32Array.from(source), target: Uint32Array.from(target) };
}

/** Faces sharing an edge; pairs joined by several collinear edges count once. */
export function facetDual(c: CellComplex): DualGraph {
  const F = c.faceArea.length;
  const keys: number[] = [];
  for (let e = 0; e < c.edgeFaces.length; e += 2) {
    const a = c.edgeFaces[e];
    const b = c.edgeFaces[e + 1];
    if (a < 0 || b < 0 || a === b) continue;
    keys.push(a < b ? a * F + b : b * F + a);
  }
  return fromPairs('facet', F, keys);
}

/** A table of the face patterns; entry i is face i when patterns are unique (the complex's invariant). */
export function facePatternTable(c: CellComplex): { table: PatternTable; faceOf: Int32Array } {
  const F = c.faceArea.length;
  const table = new PatternTable(c.hidden, F);
  const faceOf = new Int32Array(F).fill(-1);
  for (let f = 0; f < F; f++) {
    const id = table.add(c.facePatterns, f * c.words);
    if (faceOf[id] < 0) faceOf[id] = f;
  }
  return { table, faceOf: faceOf.subarray(0, table.count) };
}

/** Faces whose patterns differ in exactly one neuron. */
export function hamming1Dual(c: CellComplex): DualGraph {
  const F = c.faceArea.length;
  const { table, faceOf } = facePatternTable(c);
  const keys: number[] = [];
  for (let id = 0; id < table.count; id++) {
    for (let k = 0; k < c.hidden; k++) {
      const other = table.neighbour(id, k);
      if (other > id) {
        const a = faceOf[id];
        const b = faceOf[other];
        keys.push(a < b ? a * F + b : b * F + a);
      }
    }
  }
  return fromPairs('hamming1', F, keys);
}

export function dualGraph(c: CellComplex, kind: DualKind): DualGraph {
  return kind === 'facet' ? facetDual(c) : hamming1Dual(c);
}

/** The dual graph as CSR with unit edge weights (W_E = I). */
export function toCsr(g: DualGraph): CsrGraph {
  const n = g.nodes;
  const deg = new Uint32Array(n + 1);
  for (let k = 0; k < g.source.length; k++) {
    deg[g.source[k] + 1]++;
    deg[g.target[k] + 1]++;
  }
  for (let i = 0; i < n; i++) deg[i + 1] += deg[i];
  const offsets = deg.slice();
  const fill = deg.slice(0, n);
  const adjacency = new Uint32Array(2 * g.source.length);
  for (let k = 0; k < g.source.length; k++) {
    const a = g.source[k];
    const b = g.target[k];
    adjacency[fill[a]++] = b;
    adjacency[fill[b]++] = a;
  }
  return { n, offsets, adjacency, weights: new Float64Array(adjacency.length).fill(1) };
}

/**
 * The activation-pattern graph of real samples, for any input dimension (DESIGN.md §7): distinct binary
 * patterns with counts and label statistics, and Hamming-1 edges found by flipping each bit and looking the
 * result up in a hash (O(N·h)).
 */
import { forwardReluMlp, hiddenCount, type ReluMlp } from '../model/relu-mlp';
import { UnionFind } from '../topology/union-find';
import { packPatterns, PatternTable } from './pattern-table';
import type { PatternGraph } from './types';

/** Rows per forward-pass chunk, so progress and cancellation are checked between chunks. */
const CHUNK = 512;

export function patternGraph(
  mlp: ReluMlp,
  inputs: Float64Array,
  n: number,
  labels: Int32Array | null,
  onChunk?: (done: number, total: number) => void,
): PatternGraph {
  const d = mlp.widths[0];
  const h = hiddenCount(mlp);
  const table = new PatternTable(h, n);
  const patternOf = new Int32Array(n);
  for (let s = 0; s < n; s += CHUNK) {
    const m = Math.min(CHUNK, n - s);
    const pre = new Float64Array(m * h);
    forwardReluMlp(mlp, inputs.subarray(s * d, (s + m) * d), m, pre);
    const packed = packPatterns(pre, m, h);
    for (let i = 0; i < m; i++) patternOf[s + i] = table.add(packed, i * table.words);
    onChunk?.(s + m, n);
  }
  const P = table.count;
  const classes = labels ? labels.reduce((m, l) => Math.max(m, l + 1), 0) : 0; // no spread: N may be large
  const counts = new Int32Array(P);
  const labelCounts = new Int32Array(P * classes);
  for (let i = 0; i < n; i++) {
    counts[patternOf[i]]++;
    if (classes) labelCounts[patternOf[i] * classes + labels![i]]++;
  }
  const source: number[] = [];
  const target: number[] = [];
  const flipped: number[] = [];
  const uf = new UnionFind(P);
  for (let id = 0; id < P; id++) {
    for (let k = 0; k < h; k++) {
      const other = table.neighbour(id, k);
      if (other > id) {
        source.push(id);
        target.push(other);
        flipped.push(k);
        uf.union(id, other);
      }
    }
  }
  const componentOf = new Int32Array(P);
  const compPatterns = new Map<number, number>();
  const compSamples = new Map<number, number>();
  for (let id = 0; id < P; id++) {
    const r = uf.find(id);
    componentOf[id] = r;
    compPatterns.set(r, (compPatterns.get(r) ?? 0) + 1);
    compSamples.set(r, (compSamples.get(r) ?? 0) + counts[id]);
  }
  let best = { id: -1, patterns: 0, samples: 0 };
  for (const [r, np] of compPatterns) {
    const ns = compSamples.get(r)!;
    if (np > best.patterns || (np === best.patterns && ns > best.samples))
      best = { id: r, patterns: np, samples: ns };
  }
  return {
    samples: n,
    hidden: h,
    words: table.words,
    patternOf,
    patterns: table.patterns.slice(0, P * table.words),
    counts,
    classes,
    labelCounts,
    source: Uint32Array.from(source),
    target: Uint32Array.from(target),
    flippedNeuron: Uint32Array.from(flipped),
    componentOf,
    largestComponent: best,
  };
}

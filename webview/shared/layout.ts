/**
 * Graph layouts that do not move under the user's eyes: a force layout run for a fixed number of ticks
 * off-screen with a seeded random source (same graph → same picture, every time and in the report), and
 * MIAT's "sorted by lens" layout. DOM-free, so the tests run them in Node.
 */
import {
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  type SimulationLinkDatum,
  type SimulationNodeDatum,
} from 'd3-force';
import { mulberry32 } from '../../src/core/random';

interface SimNode extends SimulationNodeDatum {
  id: number;
  r: number;
  x: number;
  y: number;
}

export interface LayoutNode {
  id: number;
  size: number;
  lensMean: number;
  interval: number;
}
export interface LayoutEdge {
  source: number;
  target: number;
}
export interface Point {
  x: number;
  y: number;
}

/** Node radius in layout units: area proportional to member count, r = 4 + 14·√(size / max size). */
export function nodeRadius(size: number, maxSize: number): number {
  return 4 + 14 * Math.sqrt(size / Math.max(1, maxSize));
}

/** Force-directed positions after `ticks` steps; identical for identical input and seed. */
export function forceLayout(nodes: LayoutNode[], edges: LayoutEdge[], ticks = 120, seed = 0): Point[] {
  const maxSize = nodes.reduce((m, n) => Math.max(m, n.size), 1);
  const sim: SimNode[] = nodes.map((n) => ({ id: n.id, r: nodeRadius(n.size, maxSize), x: 0, y: 0 }));
  const byId = new Map(sim.map((s, i) => [s.id, i]));
  const links = edges
    .filter((e) => byId.has(e.source) && byId.has(e.target))
    .map((e): SimulationLinkDatum<SimNode> => ({ source: byId.get(e.source)!, target: byId.get(e.target)! }));
  // d3-force's jiggle draws from this seeded source, so the same seed gives the same picture.
  const random = mulberry32(seed);
  // Initial spiral placement like d3's own, but seeded, so the outcome never depends on call history.
  sim.forEach((s, i) => {
    const radius = 10 * Math.sqrt(0.5 + i);
    const angle = i * Math.PI * (3 - Math.sqrt(5));
    s.x = radius * Math.cos(angle);
    s.y = radius * Math.sin(angle);
  });
  const simulation = forceSimulation(sim)
    .randomSource(random)
    // The cooling schedule fits the tick budget: alpha falls from 1 to d3's alphaMin 0.001 in `ticks` steps.
    .alphaDecay(1 - Math.pow(0.001, 1 / ticks))
    .force(
      'link',
      forceLink<SimNode, SimulationLinkDatum<SimNode>>(links)
        .id((_, i) => i)
        .distance((l) => (l.source as SimNode).r + (l.target as SimNode).r + 12),
    )
    .force('charge', forceManyBody().strength(-60).distanceMax(400))
    .force(
      'collide',
      forceCollide<SimNode>((d) => d.r + 2),
    )
    .force('x', forceX(0).strength(0.04))
    .force('y', forceY(0).strength(0.04))
    .stop();
  simulation.tick(ticks);
  return sim.map((s) => ({ x: s.x, y: s.y }));
}

/**
 * "Sorted by lens": x follows the node's mean lens value (left = low), nodes of one interval stack
 * vertically in lens order, so the cover's structure reads left to right.
 */
export function lensLayout(nodes: LayoutNode[], width = 1000, height = 600): Point[] {
  if (nodes.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const n of nodes) {
    lo = Math.min(lo, n.lensMean);
    hi = Math.max(hi, n.lensMean);
  }
  const span = hi - lo || 1;
  const columns = new Map<number, number[]>();
  nodes.forEach((n, i) => {
    const col = columns.get(n.interval) ?? [];
    col.push(i);
    columns.set(n.interval, col);
  });
  const out: Point[] = new Array(nodes.length);
  for (const col of columns.values()) {
    col.sort((a, b) => nodes[a].lensMean - nodes[b].lensMean || nodes[a].id - nodes[b].id);
    col.forEach((i, j) => {
      out[i] = {
        x: ((nodes[i].lensMean - lo) / span) * width,
        y: col.length === 1 ? height / 2 : (j / (col.length - 1)) * height,
      };
    });
  }
  return out;
}

/**
 * The mapper graph drawn in SVG with D3: nodes as label pies or coloured by a statistic, area by member
 * count; zoom, pan and drag; a tooltip; keyboard focus and activation on every node; selection of a node,
 * its component, or a shortest path; label search and a size filter. Used by the mapper and comparison
 * views and by the static report.
 */
import { drag } from 'd3-drag';
import { select, type Selection } from 'd3-selection';
import { arc, pie, type PieArcDatum } from 'd3-shape';
import { zoom, zoomIdentity, type ZoomBehavior } from 'd3-zoom';
import { MISSING_COLOR, goodBadColor, labelColor, sequentialColor } from './colors';
import { activateOnKey, fmt, h } from './dom';
import { adjacency, component, shortestPath, type Adjacency } from './graph-select';
import { forceLayout, lensLayout, nodeRadius, type Point } from './layout';
import type { GraphView, ViewNode } from './protocol';

export type ColorBy = 'pie' | 'accuracy' | 'purity' | 'size' | 'lens' | `label:${number}`;
export type LayoutKind = 'force' | 'lens';
export type SelectMode = 'node' | 'component' | 'path';

export interface GraphRendererOptions {
  classes: string[];
  colorBy?: ColorBy;
  layout?: LayoutKind;
  minSize?: number;
  selectMode?: SelectMode;
  onSelect?: (ids: number[], primary: number | null) => void;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const LAYOUT_W = 1000;
const LAYOUT_H = 600;

interface Link {
  s: DrawnNode;
  t: DrawnNode;
  w: number;
}

interface DrawnNode {
  node: ViewNode;
  r: number;
  x: number;
  y: number;
}

export class GraphRenderer {
  readonly svg: SVGSVGElement;
  private readonly root: SVGGElement;
  private readonly tooltip: HTMLElement;
  private readonly zoomer: ZoomBehavior<SVGSVGElement, unknown>;
  private graph: GraphView | null = null;
  private drawn: DrawnNode[] = [];
  private byId = new Map<number, DrawnNode>();
  private adj: Adjacency = new Map();
  private readonly layoutCache = new Map<LayoutKind, Point[]>();
  private selected = new Set<number>();
  private primary: number | null = null;
  private matches: Set<number> | null = null;
  private nodeSel: Selection<SVGGElement, DrawnNode, SVGGElement, unknown> | null = null;
  private edgeSel: Selection<SVGLineElement, Link, SVGGElement, unknown> | null = null;

  constructor(
    readonly container: HTMLElement,
    private opts: GraphRendererOptions,
  ) {
    this.svg = document.createElementNS(SVG_NS, 'svg');
    this.svg.setAttribute('role', 'group');
    this.svg.setAttribute('aria-label', 'Mapper graph');
    this.root = document.createElementNS(SVG_NS, 'g');
    this.svg.append(this.root);
    this.tooltip = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });
    container.append(this.svg, this.tooltip);
    this.zoomer = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.05, 20])
      .on('zoom', (ev: { transform: { toString(): string } }) => {
        this.root.setAttribute('transform', ev.transform.toString());
      });
    select(this.svg).call(this.zoomer).on('dblclick.zoom', null);
  }

  get options(): Readonly<GraphRendererOptions> {
    return this.opts;
  }

  setGraph(graph: GraphView): void {
    this.graph = graph;
    this.layoutCache.clear();
    this.adj = adjacency(
      graph.nodes.map((n) => n.id),
      graph.edges,
    );
    const live = new Set(graph.nodes.map((n) => n.id));
    this.selected = new Set([...this.selected].filter((id) => live.has(id)));
    if (this.primary !== null && !live.has(this.primary)) this.primary = null;
    this.draw();
    this.fit();
    // The panel may not have its final size yet on first paint: fit again once laid out.
    requestAnimationFrame(() => this.fit());
  }

  update(opts: Partial<GraphRendererOptions>): void {
    const relayout = opts.layout !== undefined && opts.layout !== this.opts.layout;
    this.opts = { ...this.opts, ...opts };
    if (!this.graph) return;
    this.draw();
    if (relayout) this.fit();
  }

  /** Highlights the nodes holding label `k` (null clears); returns how many matched. */
  searchLabel(k: number | null): number {
    this.matches =
      k === null || !this.graph
        ? null
        : new Set(this.graph.nodes.filter((n) => (n.labelCounts?.[k] ?? 0) > 0).map((n) => n.id));
    this.restyle();
    return this.matches?.size ?? 0;
  }

  /** Selects per the selection mode, as a click on `id` does. */
  activate(id: number): void {
    const mode = this.opts.selectMode ?? 'node';
    let ids: number[] = [id];
    if (mode === 'component') ids = [...component(this.adj, id)];
    else if (mode === 'path' && this.primary !== null && this.primary !== id) {
      ids = shortestPath(this.adj, this.primary, id) ?? [id];
    }
    this.setSelection(ids, id);
    this.opts.onSelect?.(ids, id);
  }

  setSelection(ids: number[], primary: number | null): void {
    this.selected = new Set(ids);
    this.primary = primary;
    this.restyle();
  }

  /** Selects a node and pans it to the centre (weak-region table clicks). */
  focusNode(id: number): void {
    const d = this.byId.get(id);
    if (!d) return;
    this.setSelection([id], id);
    const { width, height } = this.svg.getBoundingClientRect();
    const k = 1.5;
    select(this.svg).call(
      this.zoomer.transform,
      zoomIdentity
        .translate(width / 2, height / 2)
        .scale(k)
        .translate(-d.x, -d.y),
    );
    this.svg.querySelector<SVGGElement>(`[data-node="${id}"]`)?.focus();
  }

  /** Zooms so every visible node fits the panel. */
  fit(): void {
    const visible = this.drawn.filter((d) => this.isVisible(d.node));
    if (visible.length === 0) return;
    const { width, height } = this.svg.getBoundingClientRect();
    const w = width || LAYOUT_W;
    const hgt = height || LAYOUT_H;
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const d of visible) {
      x0 = Math.min(x0, d.x - d.r);
      y0 = Math.min(y0, d.y - d.r);
      x1 = Math.max(x1, d.x + d.r);
      y1 = Math.max(y1, d.y + d.r);
    }
    const k = Math.min(4, 0.92 * Math.min(w / Math.max(1, x1 - x0), hgt / Math.max(1, y1 - y0)));
    select(this.svg).call(
      this.zoomer.transform,
      zoomIdentity
        .translate(w / 2, hgt / 2)
        .scale(k)
        .translate(-(x0 + x1) / 2, -(y0 + y1) / 2),
    );
  }

  private positions(): Point[] {
    const kind = this.opts.layout ?? 'force';
    let p = this.layoutCache.get(kind);
    if (!p && this.graph) {
      const nodes = this.graph.nodes;
      p = kind === 'lens' ? lensLayout(nodes, LAYOUT_W, LAYOUT_H) : forceLayout(nodes, this.graph.edges);
      this.layoutCache.set(kind, p);
    }
    return p ?? [];
  }

  private isVisible(n: ViewNode): boolean {
    return n.size >= (this.opts.minSize ?? 0);
  }

  private draw(): void {
    const graph = this.graph;
    if (!graph) return;
    const pos = this.positions();
    const maxSize = graph.nodes.reduce((m, n) => Math.max(m, n.size), 1);
    this.drawn = graph.nodes.map((node, i) => ({
      node,
      r: nodeRadius(node.size, maxSize),
      x: pos[i]?.x ?? 0,
      y: pos[i]?.y ?? 0,
    }));
    this.byId = new Map(this.drawn.map((d) => [d.node.id, d]));
    const root = select(this.root);
    root.selectAll('*').remove();
    const links = graph.edges
      .map((e) => ({ s: this.byId.get(e.source)!, t: this.byId.get(e.target)!, w: e.weight }))
      .filter((l) => l.s && l.t);
    const maxW = links.reduce((m, l) => Math.max(m, l.w), 1);
    this.edgeSel = root
      .append('g')
      .attr('class', 'edges')
      .selectAll<SVGLineElement, Link>('line')
      .data(links)
      .join('line')
      .attr('class', 'edge')
      .attr('stroke-width', (l) => 1 + 3 * Math.sqrt(l.w / maxW));
    this.nodeSel = root
      .append('g')
      .attr('class', 'nodes')
      .selectAll<SVGGElement, DrawnNode>('g')
      .data(this.drawn)
      .join('g')
      .attr('class', 'node')
      .attr('data-node', (d) => d.node.id)
      .attr('tabindex', 0)
      .attr('role', 'button')
      .attr('aria-label', (d) => this.ariaLabel(d.node));
    this.nodeSel.each((d, i, els) => this.drawNodeBody(els[i], d));
    this.nodeSel
      .on('click', (_ev, d) => this.activate(d.node.id))
      .on('mouseenter', (ev: MouseEvent, d) => this.showTooltip(d, ev))
      .on('mousemove', (ev: MouseEvent, d) => this.showTooltip(d, ev))
      .on('mouseleave', () => this.hideTooltip())
      .on('focus', (_ev, d) => this.showTooltip(d))
      .on('blur', () => this.hideTooltip())
      .each((d, i, els) => activateOnKey(els[i], () => this.activate(d.node.id)));
    this.nodeSel.call(
      drag<SVGGElement, DrawnNode>()
        .clickDistance(4)
        .on('drag', (ev: { x: number; y: number }, d) => {
          d.x = ev.x;
          d.y = ev.y;
          this.place();
        }),
    );
    this.place();
    this.restyle();
  }

  private drawNodeBody(el: SVGGElement, d: DrawnNode): void {
    const g = select(el);
    const colorBy = this.opts.colorBy ?? 'pie';
    const counts = d.node.labelCounts;
    if (colorBy === 'pie' && counts && counts.some((c) => c > 0)) {
      const K = this.opts.classes.length || counts.length;
      const slices = pie<number>()
        .sort(null)
        .value((c) => c)(counts);
      const a = arc<PieArcDatum<number>>().innerRadius(0).outerRadius(d.r);
      g.selectAll('path')
        .data(slices.filter((s) => s.value > 0))
        .join('path')
        .attr('d', a)
        .attr('fill', (s) => labelColor(s.index, K));
    } else {
      g.append('circle').attr('r', d.r).attr('fill', this.fillOf(d.node));
    }
    g.append('circle').attr('class', 'ring').attr('r', d.r);
  }

  private fillOf(n: ViewNode): string {
    const graph = this.graph!;
    const colorBy = this.opts.colorBy ?? 'pie';
    if (colorBy === 'accuracy') return n.accuracy === null ? MISSING_COLOR : goodBadColor(n.accuracy);
    if (colorBy === 'purity' || colorBy === 'pie')
      return n.purity === null ? MISSING_COLOR : goodBadColor(n.purity);
    if (colorBy === 'size') {
      const max = graph.nodes.reduce((m, x) => Math.max(m, x.size), 1);
      return sequentialColor(Math.sqrt(n.size / max));
    }
    if (colorBy === 'lens') {
      const lo = Math.min(...graph.nodes.map((x) => x.lensMean));
      const hi = Math.max(...graph.nodes.map((x) => x.lensMean));
      return sequentialColor((n.lensMean - lo) / (hi - lo || 1));
    }
    const k = Number(colorBy.slice('label:'.length));
    const c = n.labelCounts;
    return c ? sequentialColor((c[k] ?? 0) / Math.max(1, n.size)) : MISSING_COLOR;
  }

  private place(): void {
    this.nodeSel?.attr('transform', (d) => `translate(${d.x},${d.y})`);
    this.edgeSel
      ?.attr('x1', (l) => l.s.x)
      .attr('y1', (l) => l.s.y)
      .attr('x2', (l) => l.t.x)
      .attr('y2', (l) => l.t.y);
  }

  private restyle(): void {
    const sel = this.selected;
    const m = this.matches;
    this.nodeSel
      ?.classed('selected', (d) => sel.has(d.node.id))
      .classed('match', (d) => m !== null && m.has(d.node.id))
      .classed('dim', (d) => m !== null && !m.has(d.node.id))
      .style('display', (d) => (this.isVisible(d.node) ? null : 'none'))
      .attr('aria-pressed', (d) => String(sel.has(d.node.id)));
    this.edgeSel
      ?.classed('selected', (l) => sel.has(l.s.node.id) && sel.has(l.t.node.id))
      .style('display', (l) => (this.isVisible(l.s.node) && this.isVisible(l.t.node) ? null : 'none'));
  }

  private ariaLabel(n: ViewNode): string {
    return `node ${n.id}, ${n.size} points, purity ${fmt(n.purity, 2)}, accuracy ${fmt(n.accuracy, 2)}`;
  }

  private showTooltip(d: DrawnNode, ev?: MouseEvent): void {
    const n = d.node;
    const name = (k: number) => this.opts.classes[k] ?? String(k);
    const conf = (n.confusions ?? [])
      .slice(0, 3)
      .map((c) => `${name(c.label)}→${name(c.prediction)} ×${c.count}`)
      .join(', ');
    this.tooltip.replaceChildren(
      h('div', {}, h('strong', {}, `Node ${n.id}`), ` · interval ${n.interval}`),
      h('div', {}, `size ${n.size} · purity ${fmt(n.purity)} · accuracy ${fmt(n.accuracy)}`),
      h('div', {}, `lens mean ${fmt(n.lensMean)}`),
      h('div', {}, conf ? `confusions: ${conf}` : ''),
    );
    this.tooltip.hidden = false;
    const box = this.container.getBoundingClientRect();
    let x: number;
    let y: number;
    if (ev) {
      x = ev.clientX - box.left + 12;
      y = ev.clientY - box.top + 12;
    } else {
      const r = (
        this.svg.querySelector(`[data-node="${n.id}"]`) as SVGGElement | null
      )?.getBoundingClientRect();
      x = r ? r.right - box.left + 6 : 8;
      y = r ? r.top - box.top : 8;
    }
    this.tooltip.style.left = `${Math.min(x, box.width - 200)}px`;
    this.tooltip.style.top = `${Math.min(y, box.height - 60)}px`;
  }

  private hideTooltip(): void {
    this.tooltip.hidden = true;
  }
}

/** The colourings every graph view offers, with their menu labels (the mapper adds one per class). */
export const NODE_COLOR_OPTIONS: readonly [ColorBy, string][] = [
  ['pie', 'label pie'],
  ['accuracy', 'accuracy'],
  ['purity', 'purity'],
  ['size', 'size'],
  ['lens', 'lens mean'],
];

/** Legend entries for the current colouring: class swatches for pies, a scale description otherwise. */
export function legendFor(colorBy: ColorBy, classes: string[]): HTMLElement {
  const box = h('div', { class: 'legend', 'aria-label': 'Legend' });
  const swatch = (color: string) => {
    const s = h('span', { class: 'swatch' });
    s.style.background = color;
    return s;
  };
  if (colorBy === 'pie') {
    classes.forEach((c, k) => box.append(h('span', {}, swatch(labelColor(k, classes.length)), c)));
  } else if (colorBy === 'accuracy' || colorBy === 'purity') {
    box.append(
      h('span', {}, swatch(goodBadColor(0)), `${colorBy} 0`),
      h('span', {}, swatch(goodBadColor(0.5)), '0.5'),
      h('span', {}, swatch(goodBadColor(1)), '1'),
      h('span', {}, swatch(MISSING_COLOR), 'n/a'),
    );
  } else {
    const what = colorBy.startsWith('label:')
      ? `share of ${classes[Number(colorBy.slice(6))] ?? ''}`
      : colorBy;
    box.append(
      h('span', {}, swatch(sequentialColor(0)), `${what}: low`),
      h('span', {}, swatch(sequentialColor(1)), 'high'),
    );
  }
  box.append(h('span', { class: 'muted' }, 'area ∝ members'));
  return box;
}

/**
 * A small SVG line chart (k-distance curve, purity and accuracy against ε): axes, one or more series, an
 * optional draggable horizontal marker (to pick ε on the k-distance curve).
 */
import { axisBottom, axisLeft } from 'd3-axis';
import { drag } from 'd3-drag';
import { scaleLinear } from 'd3-scale';
import { select } from 'd3-selection';
import { line } from 'd3-shape';
import { h } from './dom';

export interface Series {
  name: string;
  color: string;
  x: number[];
  y: number[];
}

export interface ChartOptions {
  width?: number;
  height?: number;
  xLabel: string;
  yLabel: string;
  yDomain?: [number, number];
  /** A horizontal marker at this y; dragging it calls onMarker with the new y. */
  marker?: number;
  onMarker?: (y: number) => void;
  /** Draw points at the data (few x values, e.g. ε levels). */
  dots?: boolean;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function lineChart(series: Series[], o: ChartOptions): SVGSVGElement {
  const W = o.width ?? 320;
  const H = o.height ?? 160;
  const m = { l: 44, r: 10, t: 18, b: 32 };
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('width', String(W));
  svg.setAttribute('height', String(H));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${o.yLabel} against ${o.xLabel}`);
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => s.y).filter((v) => Number.isFinite(v));
  const xDomain: [number, number] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  if (xDomain[0] === xDomain[1]) xDomain[1] = xDomain[0] + 1;
  const yDomain =
    o.yDomain ?? (ys.length ? ([Math.min(...ys), Math.max(...ys)] as [number, number]) : [0, 1]);
  const x = scaleLinear()
    .domain(xDomain)
    .range([m.l, W - m.r]);
  const y = scaleLinear()
    .domain(yDomain)
    .nice()
    .range([H - m.b, m.t]);
  const s = select(svg);
  s.append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${H - m.b})`)
    .call(axisBottom(x).ticks(5));
  s.append('g').attr('class', 'axis').attr('transform', `translate(${m.l},0)`).call(axisLeft(y).ticks(4));
  s.append('text')
    .attr('x', W / 2)
    .attr('y', H - 2)
    .attr('text-anchor', 'middle')
    .attr('font-size', 11)
    .text(o.xLabel);
  s.append('text').attr('x', 4).attr('y', 11).attr('font-size', 11).text(o.yLabel);
  const path = line<[number, number]>()
    .defined((d) => Number.isFinite(d[1]))
    .x((d) => x(d[0]))
    .y((d) => y(d[1]));
  series.forEach((ser, i) => {
    const pts = ser.x.map((xv, j) => [xv, ser.y[j]] as [number, number]);
    s.append('path')
      .attr('d', path(pts))
      .attr('fill', 'none')
      .attr('stroke-width', 2)
      .style('stroke', ser.color);
    if (o.dots) {
      s.append('g')
        .selectAll('circle')
        .data(pts.filter((p) => Number.isFinite(p[1])))
        .join('circle')
        .attr('cx', (p) => x(p[0]))
        .attr('cy', (p) => y(p[1]))
        .attr('r', 3)
        .style('fill', ser.color);
    }
    if (series.length > 1) {
      s.append('text')
        .attr('x', W - m.r - 4)
        .attr('y', m.t + 12 * i + 2)
        .attr('text-anchor', 'end')
        .attr('font-size', 11)
        .style('fill', ser.color)
        .text(ser.name);
    }
  });
  if (o.marker !== undefined) {
    const g = s.append('g').attr('class', 'marker').attr('cursor', 'ns-resize');
    const ln = g
      .append('line')
      .attr('x1', m.l)
      .attr('x2', W - m.r)
      .attr('stroke', 'currentColor')
      .attr('stroke-dasharray', '4 3');
    const label = g
      .append('text')
      .attr('x', m.l + 4)
      .attr('font-size', 11);
    const at = (v: number) => {
      ln.attr('y1', y(v)).attr('y2', y(v));
      label.attr('y', y(v) - 3).text(`ε = ${v.toPrecision(4)}`);
    };
    at(o.marker);
    g.call(
      drag<SVGGElement, unknown>()
        .on('drag', (ev: { y: number }) => at(y.invert(Math.min(H - m.b, Math.max(m.t, ev.y)))))
        .on('end', (ev: { y: number }) => o.onMarker?.(y.invert(Math.min(H - m.b, Math.max(m.t, ev.y))))),
    );
  }
  return svg;
}

/** A chart with a heading, in a figure element. */
export function chartFigure(title: string, svg: SVGSVGElement): HTMLElement {
  return h('figure', { class: 'chart' }, h('figcaption', { class: 'muted' }, title), svg);
}

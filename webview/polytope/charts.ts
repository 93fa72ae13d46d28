/**
 * The panel's D3 charts as self-contained SVG (colours resolved from the theme at draw time, so an exported
 * SVG looks like the panel): line charts with an optional second y axis, and heat maps with an overlaid line.
 */
import {
  axisBottom,
  axisLeft,
  axisRight,
  interpolateViridis,
  line,
  scaleBand,
  scaleLinear,
  scaleLog,
  scaleSequential,
  select,
  type ScaleContinuousNumeric,
  type Selection,
} from 'd3';
import { themeColor } from '../shared/theme';

export interface Series {
  name: string;
  x: number[];
  y: number[];
  colour: string;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Drawn against a right-hand axis (the training loss). */
  secondary?: Series & { label: string; log: boolean };
  logX?: boolean;
}

export interface HeatmapSpec {
  title: string;
  rowLabels: string[];
  /** values[row][column]; rows are drawn left to right, columns bottom to top. */
  values: number[][];
  columns: number[];
  columnLabel: string;
  overlay?: { label: string; values: (number | null)[]; log: boolean };
}

const W = 420;
const H = 240;
const M = { top: 26, right: 52, bottom: 38, left: 52 };

type Svg = Selection<SVGSVGElement, unknown, null, undefined>;

function frame(parent: HTMLElement, title: string, testId: string): Svg {
  parent.replaceChildren();
  const svg = select(parent)
    .append('svg')
    .attr('xmlns', 'http://www.w3.org/2000/svg')
    .attr('viewBox', `0 0 ${W} ${H}`)
    .attr('width', W)
    .attr('height', H)
    .attr('role', 'img')
    .attr('aria-label', title)
    .attr('data-testid', testId)
    .attr('font-family', themeColor('--vscode-font-family', 'sans-serif'))
    .attr('font-size', 10);
  svg
    .append('rect')
    .attr('width', W)
    .attr('height', H)
    .attr('fill', themeColor('--vscode-editor-background', '#fff'));
  svg
    .append('text')
    .attr('x', W / 2)
    .attr('y', 14)
    .attr('text-anchor', 'middle')
    .attr('font-weight', 'bold')
    .attr('fill', themeColor('--vscode-foreground', '#333'))
    .text(title);
  return svg;
}

function styleAxis(g: Selection<SVGGElement, unknown, null, undefined>): void {
  const fg = themeColor('--vscode-foreground', '#333');
  g.selectAll('path, line').attr('stroke', fg);
  g.selectAll('text').attr('fill', fg);
}

function axisLabel(svg: Svg, text: string, x: number, y: number, rotate = 0): void {
  svg
    .append('text')
    .attr('transform', `translate(${x},${y}) rotate(${rotate})`)
    .attr('text-anchor', 'middle')
    .attr('fill', themeColor('--vscode-descriptionForeground', '#666'))
    .text(text);
}

function extent(values: number[], log: boolean): [number, number] {
  const v = values.filter((x) => Number.isFinite(x) && (!log || x > 0));
  if (v.length === 0) return log ? [1e-3, 1] : [0, 1];
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return lo === hi ? (log ? [lo / 2, hi * 2] : [lo - 1, hi + 1]) : [lo, hi];
}

export function lineChart(parent: HTMLElement, spec: LineChartSpec, testId: string): SVGSVGElement {
  const svg = frame(parent, spec.title, testId);
  const xs = spec.series.flatMap((s) => s.x).concat(spec.secondary?.x ?? []);
  const ys = spec.series.flatMap((s) => s.y);
  const x: ScaleContinuousNumeric<number, number> = spec.logX
    ? scaleLog().domain(extent(xs, true))
    : scaleLinear().domain(extent(xs, false));
  x.range([M.left, W - M.right]);
  const y = scaleLinear()
    .domain([Math.min(0, ...ys), Math.max(1e-9, ...ys)])
    .nice()
    .range([H - M.bottom, M.top]);
  styleAxis(
    svg
      .append('g')
      .attr('transform', `translate(0,${H - M.bottom})`)
      .call(axisBottom(x).ticks(6, spec.logX ? '~s' : undefined)),
  );
  styleAxis(svg.append('g').attr('transform', `translate(${M.left},0)`).call(axisLeft(y).ticks(5)));
  axisLabel(svg, spec.xLabel, (M.left + W - M.right) / 2, H - 6);
  axisLabel(svg, spec.yLabel, 14, (M.top + H - M.bottom) / 2, -90);
  const plot = (s: Series, ys2: (v: number) => number, dashed: boolean) => {
    const pts = s.x
      .map((xv, i) => [x(xv), ys2(s.y[i])] as [number, number])
      .filter((p) => p.every(Number.isFinite));
    svg
      .append('path')
      .attr('d', line()(pts) ?? '')
      .attr('fill', 'none')
      .attr('stroke', s.colour)
      .attr('stroke-width', 1.8)
      .attr('stroke-dasharray', dashed ? '5,3' : null)
      .attr('data-series', s.name);
  };
  for (const s of spec.series) plot(s, y, false);
  const legend = [...spec.series];
  if (spec.secondary) {
    const sec = spec.secondary;
    const y2 = (sec.log ? scaleLog() : scaleLinear())
      .domain(extent(sec.y, sec.log))
      .range([H - M.bottom, M.top]);
    styleAxis(
      svg
        .append('g')
        .attr('transform', `translate(${W - M.right},0)`)
        .call(axisRight(y2).ticks(4, sec.log ? '~g' : undefined)),
    );
    axisLabel(svg, sec.label, W - 10, (M.top + H - M.bottom) / 2, 90);
    plot(sec, y2, true);
    legend.push(sec);
  }
  legend.forEach((s, i) => {
    const g = svg.append('g').attr('transform', `translate(${M.left + 8 + i * 78},${M.top + 4})`);
    g.append('rect').attr('width', 10).attr('height', 3).attr('y', 3).attr('fill', s.colour);
    g.append('text')
      .attr('x', 14)
      .attr('y', 8)
      .attr('fill', themeColor('--vscode-foreground', '#333'))
      .text(s.name);
  });
  return svg.node() as SVGSVGElement;
}

export function heatmap(parent: HTMLElement, spec: HeatmapSpec, testId: string): SVGSVGElement {
  const svg = frame(parent, spec.title, testId);
  const rows = spec.values.length;
  const cols = spec.columns.length;
  const x = scaleBand<number>()
    .domain([...Array(rows).keys()])
    .range([M.left, W - M.right]);
  const y = scaleLinear()
    .domain([0, spec.columns[cols - 1] ?? 1])
    .range([H - M.bottom, M.top]);
  const max = Math.max(1e-9, ...spec.values.flat());
  const colour = scaleSequential(interpolateViridis).domain([0, max]);
  const cellH = (H - M.bottom - M.top) / Math.max(1, cols);
  const g = svg.append('g').attr('data-testid', `${testId}-cells`);
  spec.values.forEach((row, r) =>
    row.forEach((v, c) =>
      g
        .append('rect')
        .attr('x', x(r) ?? 0)
        .attr('y', y(spec.columns[c]) - cellH)
        .attr('width', x.bandwidth() + 0.5)
        .attr('height', cellH + 0.5)
        .attr('fill', colour(v)),
    ),
  );
  styleAxis(
    svg
      .append('g')
      .attr('transform', `translate(0,${H - M.bottom})`)
      .call(
        axisBottom(x)
          .tickFormat((i) => spec.rowLabels[i] ?? '')
          .tickValues(x.domain().filter((_, i) => rows <= 12 || i % Math.ceil(rows / 12) === 0)),
      ),
  );
  styleAxis(svg.append('g').attr('transform', `translate(${M.left},0)`).call(axisLeft(y).ticks(5)));
  axisLabel(svg, 'checkpoint (epoch)', (M.left + W - M.right) / 2, H - 6);
  axisLabel(svg, spec.columnLabel, 14, (M.top + H - M.bottom) / 2, -90);
  if (spec.overlay) {
    const ov = spec.overlay;
    const known = ov.values.filter((v): v is number => v !== null);
    const y2 = (ov.log ? scaleLog() : scaleLinear())
      .domain(extent(known, ov.log))
      .range([H - M.bottom, M.top]);
    const pts = ov.values
      .map((v, r) => (v === null ? null : ([(x(r) ?? 0) + x.bandwidth() / 2, y2(v)] as [number, number])))
      .filter((p): p is [number, number] => p !== null && p.every(Number.isFinite));
    styleAxis(
      svg
        .append('g')
        .attr('transform', `translate(${W - M.right},0)`)
        .call(axisRight(y2).ticks(4, ov.log ? '~g' : undefined)),
    );
    axisLabel(svg, ov.label, W - 10, (M.top + H - M.bottom) / 2, 90);
    const stroke = themeColor('--vscode-charts-red', '#f14c4c');
    svg
      .append('path')
      .attr('d', line()(pts) ?? '')
      .attr('fill', 'none')
      .attr('stroke', stroke)
      .attr('stroke-width', 2)
      .attr('data-series', ov.label);
    for (const [px, py] of pts)
      svg.append('circle').attr('cx', px).attr('cy', py).attr('r', 2.5).attr('fill', stroke);
  }
  return svg.node() as SVGSVGElement;
}

/**
 * The polytope panel: the regions of a ReLU MLP's 2-D input domain on a canvas, coloured by prediction,
 * pattern, Fiedler sign or training-point count; side panels with the f-vector, Fiedler metrics and Betti
 * curves; for a folder of checkpoints, an epoch slider and the sweep's heat maps against the loss.
 */
import { appRoot, fmt, h, markReady, showError } from '../shared/dom';
import { bytesToBase64, serializeSvg, svgToPng } from '../shared/export';
import { installTheme } from '../shared/theme';
import { parseAnchorsText } from './anchors';
import { connectPolytopeChannel } from './channel';
import { COLOUR_MODE_LABELS, COLOUR_MODES, classColour } from './colour';
import { describeRegion, regionFills } from './fills';
import { heatmap, lineChart } from './charts';
import { RegionCanvas } from './region-canvas';
import { polytopeUiState, type Box, type PolytopeUiState, type RegionData, type SweepData } from './protocol';
import {
  polytopeReportState,
  regionDataFromJson,
  sweepFromJson,
  type PolytopeReportState,
} from './report-state';
import { requestKey, sweepLossSeries } from './view-state';

const CSS = `
.polytope .main { display: flex; }
.region-canvas { width: 100%; height: 100%; display: block; cursor: crosshair; }
.region-canvas:focus-visible { outline: 2px solid var(--ts-focus); outline-offset: -2px; }
.polytope .side { width: 450px; }
.polytope table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
.polytope td, .polytope th { padding: 1px 6px; text-align: right; }
.polytope th:first-child, .polytope td:first-child { text-align: left; }
.polytope .chart-head { display: flex; justify-content: space-between; align-items: center; gap: 6px; }
.polytope .sweep-bar input[type=range] { width: 260px; }
.polytope [hidden] { display: none !important; }
.polytope .busy { font-style: italic; }
`;

installTheme(CSS);
const channel = connectPolytopeChannel();
const app = appRoot();
app.classList.add('polytope');

/** Results by request key: moving the slider back, or switching boxes back, is instant. */
const cache = new Map<string, RegionData>();
let current: RegionData | null = null;
let sweep: SweepData | null = null;
let wantedKey = '';

const report = channel.standalone ? readReport(channel.initialState) : undefined;
const restored = report?.ui ?? tryState(channel.getState()) ?? tryState(channel.initialState);
if (!restored) {
  showError('This panel has nothing to show: open it with "TopoScope: Show Polytopes".');
  throw new Error('no polytope target');
}
const ui: PolytopeUiState = restored;

// toolbar
const colourSelect = h(
  'select',
  { 'data-testid': 'colour-mode', 'aria-label': 'Colour regions by' },
  ...COLOUR_MODES.map((m) => h('option', { value: m }, COLOUR_MODE_LABELS[m])),
);
colourSelect.value = ui.colour;
const pointsToggle = h('input', { type: 'checkbox', 'data-testid': 'show-points' });
pointsToggle.checked = ui.showPoints;
const dualToggle = h('input', { type: 'checkbox', 'data-testid': 'show-dual' });
dualToggle.checked = ui.showDual;
const boxInputs = (['x0', 'x1', 'y0', 'y1'] as const).map((n) =>
  h('input', { type: 'number', step: 'any', 'aria-label': n, 'data-testid': `box-${n}` }),
);
const applyBox = h(
  'button',
  { 'data-testid': 'apply-box', title: 'Recompute the regions on this box' },
  'Apply box',
);
const resetBox = h('button', { title: 'Back to the default box (training points + 5 %)' }, 'Default box');
const resetZoom = h('button', { title: 'Reset zoom and pan' }, 'Reset view');
const trainButton = h(
  'button',
  { title: 'Choose the training points (CSV x0,x1,label)' },
  'Training points…',
);
const regionCount = h('span', { class: 'stat', 'data-testid': 'region-count' });
const busyLine = h('span', { class: 'muted busy', 'data-testid': 'busy' });
const anchorInputs = [0, 1, 2].map((i) =>
  h('input', {
    type: 'number',
    min: 0,
    step: 1,
    'aria-label': `anchor ${i + 1}`,
    'data-testid': `anchor-${i}`,
  }),
);
const applyAnchors = h('button', { title: 'Recompute the slice through these three samples' }, 'Apply slice');
const pickAnchors = h('button', { title: 'Pick three samples from the data set' }, 'Pick samples…');
const sliceGroup = h(
  'span',
  { class: 'group', hidden: true },
  'slice through',
  ...anchorInputs,
  applyAnchors,
  pickAnchors,
);
const pngButton = h('button', { title: 'Save the regions as PNG' }, 'PNG');
const jsonButton = h('button', { title: 'Save the complex, metrics and sweep as JSON' }, 'JSON');

const toolbar = h(
  'div',
  { class: 'toolbar' },
  h('label', {}, 'Colour', colourSelect),
  h('label', {}, pointsToggle, 'points'),
  h('label', {}, dualToggle, 'dual graph'),
  h('span', { class: 'group' }, 'box', ...boxInputs, applyBox, resetBox),
  sliceGroup,
  h('span', { class: 'group' }, resetZoom, trainButton, pngButton, jsonButton),
  h('span', { class: 'group' }, 'regions', regionCount),
  busyLine,
);

// sweep bar
const slider = h('input', {
  type: 'range',
  min: 0,
  max: 0,
  step: 1,
  value: 0,
  'data-testid': 'epoch-slider',
  'aria-label': 'Checkpoint',
});
const epochLabel = h('span', { class: 'stat', 'data-testid': 'epoch-label' });
const sweepBar = h(
  'div',
  { class: 'toolbar sweep-bar', hidden: true },
  h('label', {}, 'checkpoint', slider),
  epochLabel,
);

// main + side
const tooltip = h('div', { class: 'tooltip', hidden: true, 'data-testid': 'region-tooltip' });
const mainPane = h('div', { class: 'main' }, tooltip);
const side = h('div', { class: 'side' });
app.append(toolbar, sweepBar, h('div', { class: 'split' }, mainPane, side));

const canvas = new RegionCanvas(mainPane, (face, x, y) => {
  if (face < 0 || !current) {
    tooltip.hidden = true;
    return;
  }
  tooltip.replaceChildren(
    ...describeRegion(current, face).map((l) => h('div', {}, l)),
    h('div', { class: 'muted' }, `(${fmt(x)}, ${fmt(y)})`),
  );
  tooltip.hidden = false;
});
canvas.canvas.addEventListener('mousemove', (e) => {
  tooltip.style.left = `${e.offsetX + 14}px`;
  tooltip.style.top = `${e.offsetY + 14}px`;
});

const fSection = section('f-vector', 'fvector', false);
const fiedlerSection = section('Fiedler partitions', 'fiedler', false);
const bettiSection = section('Betti curves (random filtration)', 'betti');
const sweepSections = {
  beta0: section('β₀ across checkpoints', 'heat-beta0'),
  beta1: section('β₁ across checkpoints', 'heat-beta1'),
  fvec: section('f-vector against the loss', 'fvector-loss'),
  corr: section('Correlations with the training loss', 'correlations', false),
};
for (const s of Object.values(sweepSections)) s.root.hidden = true;

interface Section {
  root: HTMLElement;
  body: HTMLElement;
  svg: SVGSVGElement | null;
}

function section(title: string, id: string, chart = true): Section {
  const body = h('div', { class: 'chart', 'data-testid': `section-${id}` });
  const s: Section = { root: h('section', {}), body, svg: null };
  side.append(s.root);
  if (!chart) {
    s.root.append(h('h2', {}, title), body);
    return s;
  }
  const png = h('button', { title: `Save ${title} as PNG` }, 'PNG');
  const svgButton = h('button', { title: `Save ${title} as SVG` }, 'SVG');
  png.addEventListener('click', () => void saveChartPng(s, id));
  svgButton.addEventListener('click', () => {
    if (s.svg) save(`${id}.svg`, 'svg', 'utf8', serializeSvg(s.svg));
  });
  s.root.append(
    h('div', { class: 'chart-head' }, h('h2', {}, title), h('span', { class: 'group' }, png, svgButton)),
    body,
  );
  return s;
}

async function saveChartPng(s: Section, id: string): Promise<void> {
  if (!s.svg) return;
  const { width, height } = s.svg.getBoundingClientRect();
  const png = await svgToPng(serializeSvg(s.svg), Math.max(1, width), Math.max(1, height));
  save(`${id}.png`, 'png', 'base64', bytesToBase64(png));
}

function save(name: string, format: 'png' | 'svg' | 'json', encoding: 'utf8' | 'base64', data: string): void {
  channel.post({ type: 'save', name, format, encoding, data });
}

// state and requests
function persist(): void {
  channel.setState(ui);
}

function request(): void {
  const checkpoint = ui.target.kind === 'folder' ? ui.checkpoint : null;
  const anchors = ui.target.anchors ?? null;
  wantedKey = requestKey(checkpoint, ui.box, anchors);
  const hit = cache.get(wantedKey);
  if (hit) {
    draw(hit);
    return;
  }
  if (channel.standalone) return;
  busyLine.textContent = 'computing…';
  channel.post({ type: 'compute', key: wantedKey, box: ui.box, checkpoint, anchors });
}

function draw(d: RegionData): void {
  const refit = current === null || current.box.some((v, i) => v !== d.box[i]);
  current = d;
  canvas.setData(d, regionFills(d, ui.colour));
  canvas.setOverlays({ points: ui.showPoints, dual: ui.showDual });
  if (refit) canvas.resetZoom();
  regionCount.textContent = String(d.fVector[2]);
  boxInputs.forEach((el, i) => (el.value = String(+d.box[i].toPrecision(4))));
  sliceGroup.hidden = d.inputDim <= 2;
  if (ui.target.anchors) anchorInputs.forEach((el, i) => (el.value = String(ui.target.anchors?.[i] ?? '')));
  busyLine.textContent = '';
  showError('');
  drawFVector(d);
  drawFiedler(d);
  drawBetti(d);
  if (sweep) epochLabel.textContent = epochText(sweep, ui.checkpoint);
  // wait for the canvas frame so tests and screenshots see the drawn regions
  requestAnimationFrame(() => requestAnimationFrame(() => markReady()));
}

function drawFVector(d: RegionData): void {
  fSection.body.replaceChildren(
    h(
      'table',
      { 'data-testid': 'fvector-table' },
      h(
        'tr',
        {},
        h('th', {}, ''),
        h('th', {}, 'f₀ vertices'),
        h('th', {}, 'f₁ edges'),
        h('th', {}, 'f₂ regions'),
      ),
      h('tr', {}, h('td', {}, d.label), ...d.fVector.map((v) => h('td', {}, String(v)))),
    ),
    h(
      'div',
      { class: 'muted' },
      `Euler characteristic ${d.euler}; dual edges: shared facet ${d.dualEdgeCounts.facet}, Hamming-1 ${d.dualEdgeCounts.hamming1}; ${fmt(d.seconds)} s`,
    ),
    h('div', { class: 'muted' }, d.trainFile ? `training points: ${d.trainFile}` : 'no training points'),
  );
}

function drawFiedler(d: RegionData): void {
  const row = (name: string, m: RegionData['metrics']['unweighted']) =>
    h(
      'tr',
      {},
      h('td', {}, name),
      ...(m
        ? [
            fmt(m.misclassifiedPct, 1),
            fmt(m.l2Error),
            m.lambda2 === null ? '—' : m.lambda2.toPrecision(3),
            fmt(m.gapRatio),
            String(m.components),
          ]
        : ['—', '—', '—', '—', '—']
      ).map((v) => h('td', {}, v)),
    );
  fiedlerSection.body.replaceChildren(
    h(
      'table',
      { 'data-testid': 'fiedler-table' },
      h(
        'tr',
        {},
        ...['Laplacian', 'misclassified %', 'L2 error', 'λ₂', 'λ₃/λ₂', 'parts'].map((t) => h('th', {}, t)),
      ),
      row('unweighted', d.metrics.unweighted),
      row('weighted', d.metrics.weighted),
    ),
    h(
      'div',
      { class: 'muted' },
      [d.metrics.unweighted, d.metrics.weighted].some((m) => m?.gapRatio != null && m.gapRatio < 1.2)
        ? 'λ₃/λ₂ is close to 1 for one Laplacian: that partition is ill-determined.'
        : 'Metrics over the regions holding training points (mean label vs Fiedler sign).',
    ),
  );
}

function drawBetti(d: RegionData): void {
  if (!d.betti) {
    bettiSection.body.replaceChildren(h('div', { class: 'muted' }, 'not computed'));
    bettiSection.svg = null;
    return;
  }
  const b = d.betti;
  bettiSection.svg = lineChart(
    bettiSection.body,
    {
      title: `Averaged Betti curves (${b.trials} trials)`,
      xLabel: 'fraction of cells added',
      yLabel: 'Betti number',
      series: [
        { name: 'β₀', x: b.fraction, y: b.beta0, colour: classColour(0) },
        { name: 'β₁', x: b.fraction, y: b.beta1, colour: classColour(1) },
      ],
    },
    'betti-chart',
  );
}

function epochText(s: SweepData, i: number): string {
  const c = s.checkpoints[i];
  if (!c) return '';
  return `epoch ${c.epoch} (${i + 1}/${s.checkpoints.length})${c.loss !== null ? `, loss ${fmt(c.loss, 4)}` : ''}`;
}

function drawSweep(s: SweepData): void {
  sweep = s;
  sweepBar.hidden = false;
  slider.max = String(s.checkpoints.length - 1);
  ui.checkpoint = Math.min(ui.checkpoint, s.checkpoints.length - 1);
  slider.value = String(ui.checkpoint);
  epochLabel.textContent = epochText(s, ui.checkpoint);
  // a sweep is what a folder was opened for: its figures go first in the side panel
  side.prepend(...Object.values(sweepSections).map((sec) => sec.root));
  for (const sec of Object.values(sweepSections)) sec.root.hidden = false;
  const rows = s.checkpoints.map((c) => String(c.epoch));
  const loss = sweepLossSeries(s);
  const overlay = loss.some((v) => v !== null)
    ? { label: 'training loss', values: loss, log: true }
    : undefined;
  sweepSections.beta0.svg = heatmap(
    sweepSections.beta0.body,
    {
      title: 'β₀ (Fig. 5)',
      rowLabels: rows,
      values: s.heatmap.beta0,
      columns: s.heatmap.columns,
      columnLabel: 'cells added ÷ max cells',
      overlay,
    },
    'heatmap-beta0',
  );
  sweepSections.beta1.svg = heatmap(
    sweepSections.beta1.body,
    {
      title: 'β₁ (Fig. 5)',
      rowLabels: rows,
      values: s.heatmap.beta1,
      columns: s.heatmap.columns,
      columnLabel: 'cells added ÷ max cells',
      overlay,
    },
    'heatmap-beta1',
  );
  const epochs = s.checkpoints.map((c) => Math.max(c.epoch, 1));
  const lossPoints = s.checkpoints.filter((c) => c.loss !== null);
  sweepSections.fvec.svg = lineChart(
    sweepSections.fvec.body,
    {
      title: 'f-vector and training loss (Fig. 6)',
      xLabel: 'epoch (log)',
      yLabel: 'count',
      logX: true,
      series: (['f₀', 'f₁', 'f₂'] as const).map((name, k) => ({
        name,
        x: epochs,
        y: s.checkpoints.map((c) => c.fVector[k]),
        colour: classColour(k),
      })),
      secondary:
        lossPoints.length > 0
          ? {
              name: 'loss',
              label: 'training loss (log)',
              log: true,
              x: lossPoints.map((c) => Math.max(c.epoch, 1)),
              y: lossPoints.map((c) => c.loss as number),
              colour: classColour(4),
            }
          : undefined,
    },
    'fvector-loss-chart',
  );
  sweepSections.corr.body.replaceChildren(
    h(
      'table',
      { 'data-testid': 'correlation-table' },
      h('tr', {}, h('th', {}, 'loss vs'), h('th', {}, 'Pearson'), h('th', {}, 'Spearman')),
      ...s.correlations.map((c) =>
        h('tr', {}, h('td', {}, c.name), h('td', {}, fmt(c.pearson)), h('td', {}, fmt(c.spearman))),
      ),
    ),
    h(
      'div',
      { class: 'muted' },
      s.lossFile ? `loss: ${s.lossFile}; ${s.trials} trials per checkpoint` : 'no loss.csv found',
    ),
  );
}

// events
colourSelect.addEventListener('change', () => {
  ui.colour = polytopeUiState({ ...ui, colour: colourSelect.value }).colour;
  if (current) canvas.setFills(regionFills(current, ui.colour));
  persist();
});
pointsToggle.addEventListener('change', () => {
  ui.showPoints = pointsToggle.checked;
  canvas.setOverlays({ points: ui.showPoints, dual: ui.showDual });
  persist();
});
dualToggle.addEventListener('change', () => {
  ui.showDual = dualToggle.checked;
  canvas.setOverlays({ points: ui.showPoints, dual: ui.showDual });
  persist();
});
applyBox.addEventListener('click', () => {
  const b = boxInputs.map((el) => Number(el.value)) as Box;
  if (!(b.every(Number.isFinite) && b[0] < b[1] && b[2] < b[3])) {
    showError('The box needs x0 < x1 and y0 < y1.');
    return;
  }
  ui.box = b;
  persist();
  request();
});
resetBox.addEventListener('click', () => {
  ui.box = null;
  persist();
  request();
});
resetZoom.addEventListener('click', () => canvas.resetZoom());
trainButton.addEventListener('click', () => channel.post({ type: 'chooseTrain' }));
pickAnchors.addEventListener('click', () => channel.post({ type: 'pickAnchors' }));
applyAnchors.addEventListener('click', () => {
  const a = parseAnchorsText(anchorInputs.map((el) => el.value).join(','));
  if (!a) {
    showError('The slice needs three different sample indices.');
    return;
  }
  ui.target = { ...ui.target, anchors: a };
  persist();
  request();
});
slider.addEventListener('input', () => {
  ui.checkpoint = Number(slider.value);
  if (sweep) epochLabel.textContent = epochText(sweep, ui.checkpoint);
  persist();
  request();
});
pngButton.addEventListener('click', () => {
  const url = canvas.toPng();
  save(`${fileStem()}-regions.png`, 'png', 'base64', url.slice(url.indexOf(',') + 1));
});
jsonButton.addEventListener('click', () => {
  if (!current) return;
  save(`${fileStem()}-polytopes.json`, 'json', 'utf8', JSON.stringify(regionJson(current, sweep)));
});

function fileStem(): string {
  return (current?.label ?? 'polytopes').replace(/[^\w.-]+/g, '_');
}

/** Plain JSON of what is shown (typed arrays as lists). */
function regionJson(d: RegionData, s: SweepData | null): unknown {
  const plain = (x: unknown): unknown => (ArrayBuffer.isView(x) ? Array.from(x as Float64Array) : x);
  return {
    regions: Object.fromEntries(Object.entries(d).map(([k, v]) => [k, plain(v)])),
    points: d.points ? { coords: Array.from(d.points.coords), labels: Array.from(d.points.labels) } : null,
    sweep: s,
  };
}

channel.onMessage((msg) => {
  switch (msg.type) {
    case 'regions':
      cache.set(msg.key, msg.data);
      if (msg.key === wantedKey) draw(msg.data);
      break;
    case 'sweep':
      drawSweep(msg.data);
      break;
    case 'target':
      ui.target = msg.target;
      cache.clear();
      persist();
      request();
      break;
    case 'busy':
      busyLine.textContent = msg.busy ? (msg.message ?? 'computing…') : '';
      break;
    case 'error':
      busyLine.textContent = '';
      showError(msg.message);
      break;
  }
});

/** The static report's embedded state: every precomputed complex goes into the cache. */
function readReport(x: unknown): PolytopeReportState | undefined {
  try {
    const state = polytopeReportState((x as { data?: unknown } | null)?.data);
    for (const [key, d] of Object.entries(state.regions)) cache.set(key, regionDataFromJson(d));
    return state;
  } catch (err) {
    showError(`The report's polytope data is unreadable: ${(err as Error).message}`);
    return undefined;
  }
}

function tryState(x: unknown): PolytopeUiState | undefined {
  try {
    return polytopeUiState(x);
  } catch {
    return undefined;
  }
}

// charts bake the theme's colours in (so exports match): redraw them when the editor's theme changes
new MutationObserver(() => {
  if (current) {
    drawBetti(current);
    canvas.setFills(regionFills(current, ui.colour));
  }
  if (sweep) drawSweep(sweep);
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

if (report) {
  const s = sweepFromJson(report.sweep);
  if (s) drawSweep(s);
  for (const b of [applyBox, resetBox, trainButton, applyAnchors, pickAnchors]) b.disabled = true;
  if (report.notes.length)
    side.prepend(h('section', { class: 'muted' }, ...report.notes.map((n) => h('div', {}, n))));
}
persist();
channel.post({ type: 'ready' });
request();

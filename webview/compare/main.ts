/**
 * The ε comparison: the mapper graphs of the clean set and each attacked set, computed with one set of
 * resolved parameters, side by side or one at a time behind an ε slider; and weighted purity and mean
 * accuracy against ε (the paper's Fig. 7).
 */
import { chartFigure, lineChart } from '../shared/chart';
import { appRoot, fmt, h, markReady, showError } from '../shared/dom';
import { exportButtons } from '../shared/export';
import { GraphRenderer, legendFor, NODE_COLOR_OPTIONS, type ColorBy } from '../shared/graph-view';
import { connectHost } from '../shared/host';
import { saveAnalysisButton, showHostStatus, startView } from '../shared/panel';
import { compareData, type CompareData, type CompareSet, type ViewSummary } from '../shared/protocol';
import { installTheme } from '../shared/theme';

interface UiState {
  mode: 'grid' | 'slider';
  colorBy: ColorBy;
  current: number;
}
interface PersistedState {
  ui: UiState;
  restore?: unknown;
}

installTheme();
const host = connectHost();
const initial = (host.initialState ?? {}) as { data?: unknown; ui?: Partial<UiState>; restore?: unknown };
const persisted = host.getState<PersistedState>();
const ui: UiState = { mode: 'grid', colorBy: 'pie', current: 0, ...initial.ui, ...persisted?.ui };
const restore = persisted?.restore ?? initial.restore;
let renderers: GraphRenderer[] = [];

const app = appRoot();
const bar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Comparison' });
const status = h('span', { class: 'muted', 'aria-live': 'polite' });
const charts = h('div', { class: 'toolbar', 'data-testid': 'compare-charts' });
const body = h('div', { class: 'grid-sets', 'data-testid': 'compare-sets' });
const legendBox = h('div');
app.append(bar, charts, body, legendBox);

function persist(): void {
  host.setState({ ui, restore } satisfies PersistedState);
}

function setCard(
  set: CompareSet,
  d: CompareData,
  large: boolean,
): { card: HTMLElement; renderer: GraphRenderer } {
  const s = set.graph.summary;
  const graphBox = h('div', { class: 'graph' });
  const card = h(
    'article',
    { class: 'set-card', 'data-testid': 'set-card', 'data-epsilon': set.epsilon, 'aria-label': set.name },
    h(
      'header',
      {},
      h('strong', {}, set.name),
      h(
        'span',
        { class: 'stat' },
        'nodes ',
        h('strong', { 'data-testid': 'set-node-count' }, String(s.nodes)),
        ` · edges ${s.edges} · purity ${fmt(s.weightedPurity)} · acc. ${fmt(s.meanAccuracy)}`,
      ),
    ),
    graphBox,
  );
  if (large) card.style.height = '100%';
  const renderer = new GraphRenderer(graphBox, { classes: d.classes, colorBy: ui.colorBy });
  return { card, renderer };
}

function buildCharts(d: CompareData): void {
  const sets = [...d.sets].sort((a, b) => a.epsilon - b.epsilon);
  const eps = sets.map((s) => s.epsilon);
  // a summary score in [0, 1] against ε; a set without labels has none (drawn as a gap)
  const againstEps = (name: string, yLabel: string, color: string, y: (s: ViewSummary) => number | null) =>
    lineChart([{ name, color, x: eps, y: sets.map((s) => y(s.graph.summary) ?? NaN) }], {
      xLabel: 'ε',
      yLabel,
      dots: true,
      yDomain: [0, 1],
    });
  const purity = againstEps(
    'weighted purity',
    'weighted purity P̄',
    'var(--ts-accent)',
    (s) => s.weightedPurity,
  );
  const accuracy = againstEps(
    'mean node accuracy',
    'mean node accuracy',
    'var(--ts-pred)',
    (s) => s.meanAccuracy,
  );
  const table = sets.map((s) => ({
    name: s.name,
    epsilon: s.epsilon,
    nodes: s.graph.summary.nodes,
    edges: s.graph.summary.edges,
    weightedPurity: s.graph.summary.weightedPurity,
    meanAccuracy: s.graph.summary.meanAccuracy,
    pointsDropped: s.graph.summary.pointsDropped,
  }));
  charts.replaceChildren(
    h(
      'div',
      {},
      chartFigure('Weighted purity against ε', purity),
      exportButtons(
        () => purity,
        () => table,
        'purity-vs-eps',
      ),
    ),
    h(
      'div',
      {},
      chartFigure('Mean node accuracy against ε', accuracy),
      exportButtons(
        () => accuracy,
        () => table,
        'accuracy-vs-eps',
      ),
    ),
  );
}

function buildBody(d: CompareData): void {
  body.replaceChildren();
  renderers = [];
  const sets = [...d.sets].sort((a, b) => a.epsilon - b.epsilon);
  if (ui.mode === 'grid') {
    body.className = 'grid-sets';
    for (const set of sets) {
      const { card, renderer } = setCard(set, d, false);
      body.append(card);
      renderer.setGraph(set.graph);
      renderers.push(renderer);
    }
    return;
  }
  body.className = 'main';
  const i = Math.min(ui.current, sets.length - 1);
  const { card, renderer } = setCard(sets[i], d, true);
  body.append(card);
  renderer.setGraph(sets[i].graph);
  renderers.push(renderer);
}

function buildBar(d: CompareData): void {
  const sets = [...d.sets].sort((a, b) => a.epsilon - b.epsilon);
  const mode = h('select', { 'aria-label': 'Arrangement' });
  mode.append(
    h('option', { value: 'grid', selected: ui.mode === 'grid' }, 'side by side'),
    h('option', { value: 'slider', selected: ui.mode === 'slider' }, 'one at a time (ε slider)'),
  );
  const slider = h('input', {
    type: 'range',
    min: 0,
    max: sets.length - 1,
    step: 1,
    value: Math.min(ui.current, sets.length - 1),
    'aria-label': 'ε',
    disabled: ui.mode !== 'slider',
  });
  const epsText = h('span', { class: 'stat' }, sets[Math.min(ui.current, sets.length - 1)]?.name ?? '');
  mode.addEventListener('change', () => {
    ui.mode = mode.value as UiState['mode'];
    slider.disabled = ui.mode !== 'slider';
    persist();
    buildBody(d);
  });
  slider.addEventListener('input', () => {
    ui.current = Number(slider.value);
    epsText.textContent = sets[ui.current].name;
    persist();
    buildBody(d);
  });
  const color = h('select', { 'aria-label': 'Colour' });
  for (const [v, t] of NODE_COLOR_OPTIONS)
    color.append(h('option', { value: v, selected: v === ui.colorBy }, t));
  color.addEventListener('change', () => {
    ui.colorBy = color.value as ColorBy;
    for (const r of renderers) r.update({ colorBy: ui.colorBy });
    legendBox.replaceChildren(legendFor(ui.colorBy, d.classes));
    persist();
  });
  const p = d.sets[0]?.graph.parameters;
  bar.replaceChildren(
    h('strong', {}, d.title),
    h('span', { 'data-testid': 'set-count' }, `${d.sets.length} sets`),
    h('label', {}, 'Show', mode),
    h('label', {}, 'ε', slider, epsText),
    h('label', {}, 'Colour', color),
    h(
      'span',
      { class: 'muted' },
      p
        ? `${p.lens} · ${p.intervals} intervals · overlap ${p.overlap} · DBSCAN ε ${fmt(p.eps, 4)} · minSamples ${p.minSamples}`
        : '',
    ),
    saveAnalysisButton(d.live, 'comparison'),
    status,
  );
}

function render(d: CompareData): void {
  showError('');
  status.textContent = '';
  buildBar(d);
  buildCharts(d);
  buildBody(d);
  legendBox.replaceChildren(legendFor(ui.colorBy, d.classes));
  markReady();
}

host.onMessage((msg) => {
  if (msg.type === 'compare') render(msg.data);
  else showHostStatus(status, msg);
});

startView(initial.data, compareData, render, status);

/**
 * The Mapper panel: the graph explorer with live parameters, node details with a sample gallery, and the
 * weak-region table with refinement-set export. Runs in a VS Code webview or, read-only, in the report.
 */
import { chartFigure, lineChart } from '../shared/chart';
import { debounce, fmt, h, markReady, showError, appRoot } from '../shared/dom';
import { exportButtons, exportCsv } from '../shared/export';
import {
  GraphRenderer,
  legendFor,
  NODE_COLOR_OPTIONS,
  type ColorBy,
  type LayoutKind,
  type SelectMode,
} from '../shared/graph-view';
import { connectHost } from '../shared/host';
import { saveAnalysisButton, showHostStatus, startView } from '../shared/panel';
import type { MapperData, ParamsChange, Sample, ViewNode } from '../shared/protocol';
import { mapperData } from '../shared/protocol';
import { installTheme } from '../shared/theme';
import { VirtualTable } from '../shared/vtable';
import { rankWeakRegions } from '../../src/core/mapper/weak-regions';
import { refinementSet } from '../../src/core/mapper/refinement';
import type { WeakRegion } from '../../src/core/mapper/types';

interface UiState {
  layout: LayoutKind;
  colorBy: ColorBy;
  minSize: number;
  selectMode: SelectMode;
  threshold: number;
  fraction: number;
  trainSize?: number;
  selected: number[];
}

interface PersistedState {
  ui: UiState;
  /** Parameter changes made in this panel (the host reapplies them after a reload). */
  params?: ParamsChange;
  /** Whatever the host needs to reopen this panel (opaque here). */
  restore?: unknown;
}

const DEFAULT_UI: UiState = {
  layout: 'force',
  colorBy: 'pie',
  minSize: 0,
  selectMode: 'node',
  threshold: 0.9,
  fraction: 0.2,
  selected: [],
};

installTheme();
const host = connectHost();
const initial = (host.initialState ?? {}) as { data?: unknown; ui?: Partial<UiState>; restore?: unknown };
const persisted = host.getState<PersistedState>();
const ui: UiState = { ...DEFAULT_UI, ...initial.ui, ...persisted?.ui };
const restore = persisted?.restore ?? initial.restore;
let data: MapperData | null = null;
let lastRequest = 0;

const app = appRoot();
const busy = h('span', { class: 'muted', 'aria-live': 'polite' });
const paramBar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Mapper parameters' });
const viewBar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'View' });
const stats = h('div', { class: 'toolbar stat', 'aria-live': 'polite' });
const graphBox = h('div', { class: 'main graph' });
const legendBox = h('div');
const kdistBox = h('section', {}, h('h2', {}, 'ε from the k-distance curve'));
const detailBox = h(
  'section',
  { 'data-testid': 'node-details' },
  h('h2', {}, 'Node'),
  h('p', { class: 'muted' }, 'Select a node.'),
);
const weakBox = h('section', { class: 'weak' });
app.append(
  paramBar,
  viewBar,
  stats,
  h(
    'div',
    { class: 'split' },
    h('div', { class: 'main' }, graphBox),
    h('aside', { class: 'side', 'aria-label': 'Details' }, kdistBox, detailBox, weakBox),
  ),
  legendBox,
);
graphBox.style.position = 'absolute';
graphBox.style.inset = '0';

const renderer = new GraphRenderer(graphBox, {
  classes: [],
  colorBy: ui.colorBy,
  layout: ui.layout,
  minSize: ui.minSize,
  selectMode: ui.selectMode,
  onSelect: (ids, primary) => {
    ui.selected = ids;
    persist();
    showDetails(primary);
  },
});

const weakTable = new VirtualTable<WeakRegion>(
  [
    { key: 'id', title: 'Node', width: '3.5em', value: (n) => n.node },
    { key: 'size', title: 'Size', width: '3.5em', value: (n) => n.size },
    {
      key: 'accuracy',
      title: 'Acc.',
      width: '4em',
      value: (n) => n.accuracy ?? -1,
      format: (n) => fmt(n.accuracy),
    },
    {
      key: 'purity',
      title: 'Purity',
      width: '4em',
      value: (n) => n.purity ?? -1,
      format: (n) => fmt(n.purity),
    },
    { key: 'conf', title: 'Top confusion', width: '1fr', value: (n) => confusionText(n) },
  ],
  (r) => {
    const n = { id: r.node };
    renderer.focusNode(n.id);
    ui.selected = [n.id];
    persist();
    showDetails(n.id);
  },
  'weak-table',
);

function persist(): void {
  host.setState({ ui, restore, params: pending } satisfies PersistedState);
}

function className(k: number): string {
  return data?.classes[k] ?? String(k);
}

function confusionText(n: { confusions: ViewNode['confusions'] }): string {
  const c = n.confusions?.[0];
  return c ? `${className(c.label)}→${className(c.prediction)} ×${c.count}` : '';
}

function numberInput(
  label: string,
  value: number,
  attrs: Record<string, string | number>,
  on: (v: number) => void,
) {
  const input = h('input', { type: 'number', value, 'aria-label': label, ...attrs });
  input.addEventListener('change', () => {
    const v = Number(input.value);
    if (Number.isFinite(v)) on(v);
  });
  return h('label', {}, label, input);
}

function selectInput<T extends string>(label: string, options: [T, string][], value: T, on: (v: T) => void) {
  const sel = h('select', { 'aria-label': label });
  for (const [v, text] of options) sel.append(h('option', { value: v, selected: v === value }, text));
  sel.addEventListener('change', () => on(sel.value as T));
  return h('label', {}, label, sel);
}

const pending: ParamsChange = { ...persisted?.params };
const sendParams = debounce(() => {
  lastRequest++;
  busy.textContent = 'computing…';
  persist();
  host.post({ type: 'params', params: { ...pending }, requestId: lastRequest });
}, 300);

function change(p: ParamsChange): void {
  Object.assign(pending, p);
  sendParams();
}

function buildParamBar(d: MapperData): void {
  const p = d.graph.parameters;
  // A fixed ε stays fixed when other parameters change; only the "auto" box returns to the quantile rule.
  if (!p.epsAuto && pending.eps === undefined) pending.eps = p.eps;
  paramBar.replaceChildren();
  if (!d.live) {
    paramBar.append(
      h(
        'span',
        { class: 'muted' },
        `lens ${p.lens} · ${p.cover} cover, ${p.intervals} intervals, overlap ${p.overlap} · ` +
          `DBSCAN ε ${fmt(p.eps)} (${p.epsAuto ? `auto, q=${p.epsQuantile}` : 'fixed'}), minSamples ${p.minSamples} · ${p.metric}`,
      ),
    );
    return;
  }
  const eps = h('input', {
    type: 'number',
    value: p.eps.toPrecision(4),
    step: 'any',
    min: 0,
    'aria-label': 'DBSCAN ε',
  });
  const auto = h('input', { type: 'checkbox', checked: p.epsAuto, 'aria-label': 'ε automatic' });
  eps.disabled = p.epsAuto;
  eps.addEventListener('change', () => {
    const v = Number(eps.value);
    if (v > 0) change({ eps: v });
  });
  auto.addEventListener('change', () => {
    eps.disabled = auto.checked;
    if (auto.checked) {
      delete pending.eps;
      change({ epsQuantile: p.epsQuantile });
    } else change({ eps: Number(eps.value) });
  });
  const overlap = h('input', {
    type: 'range',
    min: 0,
    max: 0.9,
    step: 0.05,
    value: p.overlap,
    'aria-label': 'Overlap',
  });
  const overlapText = h('span', { class: 'stat' }, `${Math.round(p.overlap * 100)}%`);
  overlap.addEventListener('input', () => {
    overlapText.textContent = `${Math.round(Number(overlap.value) * 100)}%`;
    change({ overlap: Number(overlap.value) });
  });
  paramBar.append(
    selectInput(
      'Lens',
      ['l2norm', 'linf', 'mean', 'pca1', 'density', 'eccentricity'].map((v) => [v, v] as [string, string]),
      p.lens,
      (v) => change({ lens: v }),
    ),
    selectInput<'uniform' | 'balanced' | 'keplermapper'>(
      'Cover',
      [
        ['uniform', 'uniform'],
        ['balanced', 'balanced'],
        ['keplermapper', 'KeplerMapper'],
      ],
      p.cover,
      (v) => change({ cover: v }),
    ),
    numberInput('Intervals', p.intervals, { min: 1, max: 200, step: 1 }, (v) =>
      change({ intervals: Math.round(v) }),
    ),
    h(
      'label',
      { title: 'Neighbouring intervals share this fraction of their length' },
      'Overlap',
      overlap,
      overlapText,
    ),
    h('label', {}, 'ε', eps),
    h('label', { title: `ε = the ${p.epsQuantile} quantile of the k-distance curve` }, auto, 'auto'),
    numberInput('Quantile', p.epsQuantile, { min: 0.01, max: 1, step: 0.05 }, (v) =>
      change({ epsQuantile: v }),
    ),
    numberInput('minSamples', p.minSamples, { min: 1, max: 500, step: 1 }, (v) =>
      change({ minSamples: Math.round(v) }),
    ),
    selectInput<'euclidean' | 'cosine'>(
      'Metric',
      [
        ['euclidean', 'euclidean'],
        ['cosine', 'cosine'],
      ],
      p.metric,
      (v) => change({ metric: v }),
    ),
    busy,
  );
}

function buildViewBar(d: MapperData): void {
  const colorOptions: [ColorBy, string][] = [
    ...NODE_COLOR_OPTIONS,
    ...d.classes.map((c, k) => [`label:${k}`, `label ${c}`] as [ColorBy, string]),
  ];
  const maxSize = d.graph.nodes.reduce((m, n) => Math.max(m, n.size), 1);
  const minSize = h('input', {
    type: 'range',
    min: 0,
    max: maxSize,
    step: 1,
    value: ui.minSize,
    'aria-label': 'Hide nodes smaller than',
  });
  const minText = h('span', { class: 'stat' }, String(ui.minSize));
  minSize.addEventListener('input', () => {
    ui.minSize = Number(minSize.value);
    minText.textContent = String(ui.minSize);
    renderer.update({ minSize: ui.minSize });
    persist();
  });
  const matchText = h('span', { class: 'muted' });
  const search = selectInput<string>(
    'Find label',
    [['', '—'], ...d.classes.map((c, k) => [String(k), c] as [string, string])],
    '',
    (v) => {
      const n = renderer.searchLabel(v === '' ? null : Number(v));
      matchText.textContent = v === '' ? '' : `${n} nodes`;
    },
  );
  viewBar.replaceChildren(
    selectInput<LayoutKind>(
      'Layout',
      [
        ['force', 'force'],
        ['lens', 'sorted by lens'],
      ],
      ui.layout,
      (v) => {
        ui.layout = v;
        renderer.update({ layout: v });
        persist();
      },
    ),
    selectInput<ColorBy>('Colour', colorOptions, ui.colorBy, (v) => {
      ui.colorBy = v;
      renderer.update({ colorBy: v });
      legendBox.replaceChildren(legendFor(v, d.classes));
      persist();
    }),
    selectInput<SelectMode>(
      'Select',
      [
        ['node', 'node'],
        ['component', 'component'],
        ['path', 'shortest path'],
      ],
      ui.selectMode,
      (v) => {
        ui.selectMode = v;
        renderer.update({ selectMode: v });
        persist();
      },
    ),
    search,
    matchText,
    h('label', {}, 'Min size', minSize, minText),
    exportButtons(
      () => renderer.svg,
      () => data?.graph,
      'mapper-graph',
    ),
    saveAnalysisButton(d.live, 'analysis'),
  );
}

function buildStats(d: MapperData): void {
  const s = d.graph.summary;
  const dropped = s.droppedByReason
    ? Object.entries(s.droppedByReason)
        .map(([k, v]) => `${v} ${k === 'smallPreimage' ? 'small preimage' : k}`)
        .join(', ')
    : '';
  stats.replaceChildren(
    h('strong', {}, d.title),
    h('span', {}, 'Nodes ', h('strong', { 'data-testid': 'node-count' }, String(s.nodes))),
    h('span', {}, 'Edges ', h('strong', { 'data-testid': 'edge-count' }, String(s.edges))),
    h('span', {}, `Points in graph ${s.pointsInGraph} / ${s.points}`),
    h(
      'span',
      { 'data-testid': 'dropped-count', title: 'Points in no node' },
      `Dropped ${s.pointsDropped}${dropped ? ` (${dropped})` : ''}`,
    ),
    h('span', {}, `Weighted purity ${fmt(s.weightedPurity)}`),
    h('span', {}, `Mean accuracy ${fmt(s.meanAccuracy)}`),
    h('span', {}, `ε ${fmt(d.graph.parameters.eps, 4)}`),
    h('span', { class: 'muted' }, `${fmt(s.seconds, 2)} s`),
  );
}

function buildKDistance(d: MapperData): void {
  const kd = d.graph.kDistance;
  kdistBox.replaceChildren(h('h2', {}, 'ε from the k-distance curve'));
  if (!kd || kd.values.length === 0) {
    kdistBox.append(h('p', { class: 'muted' }, 'Shown when ε is chosen automatically.'));
    return;
  }
  const n = kd.values.length;
  const svg = lineChart(
    [
      {
        name: `${kd.k}-distance`,
        color: 'var(--ts-accent)',
        x: kd.values.map((_, i) => i / Math.max(1, n - 1)),
        y: kd.values,
      },
    ],
    {
      width: 320,
      height: 150,
      xLabel: 'fraction of sampled points',
      yLabel: `distance to ${kd.k}-th neighbour`,
      marker: d.graph.parameters.eps,
      onMarker: d.live ? (v) => change({ eps: v }) : undefined,
    },
  );
  kdistBox.append(
    chartFigure(d.live ? 'Drag the dashed line to set ε.' : `ε = the ${kd.quantile} quantile`, svg),
    exportButtons(
      () => svg,
      () => kd,
      'k-distance',
    ),
  );
}

function rowsFor(members: number[], node: number): { index: number; node: number }[] {
  return members.map((index) => ({ index, node }));
}

/** Exports (index, node) rows: through the host (which adds files), or as a local CSV in the report. */
function exportRows(name: string, rows: { index: number; node: number }[], format: 'csv' | 'npy'): void {
  if (!host.standalone) {
    host.post({ type: 'exportRows', name, format, rows });
    return;
  }
  const lab = data?.labels;
  const pred = data?.predictions;
  exportCsv(
    ['index', 'file', 'label', 'prediction', 'node'],
    rows.map((r) => [
      r.index,
      data?.sampleSrcs?.[r.index] ?? '',
      lab?.[r.index] ?? '',
      pred?.[r.index] ?? '',
      r.node,
    ]),
    name,
  );
}

function showDetails(id: number | null): void {
  const n = id === null ? undefined : data?.graph.nodes.find((x) => x.id === id);
  detailBox.replaceChildren(h('h2', {}, n ? `Node ${n.id}` : 'Node'));
  if (!n || !data) {
    detailBox.append(h('p', { class: 'muted' }, 'Select a node.'));
    return;
  }
  const conf = (n.confusions ?? []).map((c) =>
    h('li', {}, `${className(c.label)} → ${className(c.prediction)}: ${c.count}`),
  );
  const labelList = (n.labelCounts ?? [])
    .map((c, k) => [k, c] as const)
    .filter(([, c]) => c > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, c]) => `${className(k)} ${c}`)
    .join(', ');
  const exportBtn = h('button', { title: 'Save the members as CSV' }, 'Export members');
  exportBtn.addEventListener('click', () =>
    exportRows(`node-${n.id}-members`, rowsFor(n.members, n.id), 'csv'),
  );
  const sliceBtn = host.standalone || n.size < 3 ? null : polytopeSliceButton(n.members);
  detailBox.append(
    h('div', { class: 'stat' }, `size ${n.size} · interval ${n.interval} · lens mean ${fmt(n.lensMean)}`),
    h('div', { class: 'stat' }, `purity ${fmt(n.purity)} · accuracy ${fmt(n.accuracy)}`),
    h('div', {}, labelList ? `labels: ${labelList}` : ''),
    h(
      'div',
      {},
      conf.length ? 'confusions (true → predicted):' : '',
      conf.length ? h('ul', {}, ...conf) : null,
    ),
    h(
      'div',
      { class: 'toolbar' },
      exportBtn,
      sliceBtn,
      h(
        'span',
        { class: 'muted' },
        'true label',
        ' ',
        h('span', { class: 'tag-true' }, '■'),
        ' prediction ',
        h('span', { class: 'tag-pred' }, '■'),
      ),
    ),
  );
  const gallery = h('div', { class: 'gallery', 'data-testid': 'gallery', 'data-node': n.id });
  detailBox.append(gallery);
  if (data.hasSamples && !host.standalone) {
    gallery.append(h('span', { class: 'muted' }, 'loading samples…'));
    host.post({ type: 'nodeSamples', nodeId: n.id, members: n.members.slice(0, 200) });
  } else {
    showSamples(
      n.id,
      n.size,
      n.members.slice(0, 200).map((i) => ({
        index: i,
        label: data?.labels?.[i] ?? null,
        prediction: data?.predictions?.[i] ?? null,
        src: data?.sampleSrcs?.[i],
      })),
    );
  }
}

/** Samples Ctrl-clicked in the gallery, oldest first: the anchors of a polytope slice. */
let pickedSamples: number[] = [];

/**
 * "Polytope slice": Show Polytopes on the 2-D slice of a model's input space through three samples, the
 * ones Ctrl-clicked in the gallery, completed with the node's first members.
 */
function polytopeSliceButton(members: readonly number[]): HTMLElement {
  const btn = h(
    'button',
    {
      'data-testid': 'polytope-slice',
      title: 'Show Polytopes on the slice through three samples: Ctrl-click samples to pick them',
    },
    'Polytope slice…',
  );
  btn.addEventListener('click', () => {
    const indices = [...new Set([...pickedSamples, ...members])].slice(0, 3);
    host.post({ type: 'polytopeSlice', indices });
  });
  return btn;
}

/** Ctrl-click picks a sample for the slice (the three latest stay picked); a plain click opens it. */
function togglePicked(index: number): void {
  pickedSamples = pickedSamples.includes(index)
    ? pickedSamples.filter((i) => i !== index)
    : [...pickedSamples, index].slice(-3);
  for (const el of detailBox.querySelectorAll<HTMLElement>('[data-testid="sample"]')) {
    el.setAttribute('aria-pressed', String(pickedSamples.includes(Number(el.dataset.index))));
  }
}

function showSamples(nodeId: number, total: number, samples: Sample[]): void {
  const gallery = detailBox.querySelector<HTMLElement>(`[data-testid="gallery"][data-node="${nodeId}"]`);
  if (!gallery) return;
  gallery.replaceChildren();
  for (const s of samples) {
    const item = h(
      'button',
      {
        class: 'sample',
        'data-testid': 'sample',
        'data-index': s.index,
        'aria-pressed': String(pickedSamples.includes(s.index)),
        title: `${s.name ?? `row ${s.index}`}${host.standalone ? '' : ' — open beside; Ctrl-click: pick for a slice'}`,
      },
      s.src
        ? h('img', { src: s.src, alt: `sample ${s.index}` })
        : h('span', { class: 'stat' }, `#${s.index}`),
      h(
        'span',
        { class: 'tags' },
        s.label !== null ? h('span', { class: 'tag-true', title: 'true label' }, className(s.label)) : null,
        s.prediction !== null
          ? h('span', { class: 'tag-pred', title: 'prediction' }, className(s.prediction))
          : null,
      ),
    );
    if (!host.standalone)
      item.addEventListener('click', (e) =>
        e.ctrlKey || e.metaKey ? togglePicked(s.index) : host.post({ type: 'openSample', index: s.index }),
      );
    gallery.append(item);
  }
  if (total > samples.length)
    gallery.append(h('span', { class: 'muted' }, `first ${samples.length} of ${total}`));
}

function buildWeak(d: MapperData): void {
  const ranking = d.graph.nodes.some((n) => n.accuracy !== null) ? rankWeakRegions(d.graph.nodes, 1) : [];
  weakBox.replaceChildren(h('h2', {}, 'Weak regions'));
  if (ranking.length === 0) {
    weakBox.append(h('p', { class: 'muted' }, 'Needs labels and predictions.'));
    return;
  }
  const threshold = h('input', {
    type: 'range',
    min: 0,
    max: 1,
    step: 0.01,
    value: ui.threshold,
    'aria-label': 'Accuracy threshold',
  });
  const thresholdText = h('span', { class: 'stat' });
  const refineInfo = h('span', { class: 'muted stat', 'data-testid': 'refinement-size' });
  const N = d.labels?.length ?? d.graph.summary.points;
  const fraction = h('input', {
    type: 'number',
    min: 0.01,
    max: 1,
    step: 0.05,
    value: ui.fraction,
    'aria-label': 'Refinement fraction',
  });
  const trainSize = h('input', {
    type: 'number',
    min: 1,
    step: 1,
    value: ui.trainSize ?? N,
    'aria-label': 'Training-set size',
  });
  const labels = d.labels ? Int32Array.from(d.labels) : undefined;
  const predictions = d.predictions ? Int32Array.from(d.predictions) : undefined;
  const refine = (): { index: number; node: number }[] => {
    const f = Number(fraction.value);
    const t = Math.round(Number(trainSize.value));
    if (!labels || !predictions || !(f > 0 && f <= 1) || !(t >= 1)) return [];
    return refinementSet(ranking, d.graph.nodes, labels, predictions, f, t).rows;
  };
  const update = () => {
    ui.threshold = Number(threshold.value);
    ui.fraction = Number(fraction.value);
    ui.trainSize = Number(trainSize.value);
    const weak = ranking.filter((n) => n.accuracy! < ui.threshold);
    thresholdText.textContent = `< ${ui.threshold.toFixed(2)}: ${weak.length} nodes`;
    weakTable.setRows(weak);
    refineInfo.textContent = `refinement set: ${refine().length} samples`;
    persist();
  };
  threshold.addEventListener('input', update);
  fraction.addEventListener('change', update);
  trainSize.addEventListener('change', update);
  const csv = h('button', { title: 'index,file,label,prediction,node' }, 'Export CSV');
  csv.addEventListener('click', () => exportRows('refinement-set', refine(), 'csv'));
  const npy = h('button', { title: 'The indices as an .npy file', disabled: host.standalone }, 'Export .npy');
  npy.addEventListener('click', () => exportRows('refinement-set', refine(), 'npy'));
  weakBox.append(
    h('label', {}, 'Accuracy', threshold, thresholdText),
    weakTable.element,
    h(
      'div',
      { class: 'toolbar' },
      h('label', {}, 'Fraction', fraction),
      h('label', {}, 'Train size', trainSize),
      refineInfo,
      csv,
      npy,
    ),
  );
  update();
}

function render(d: MapperData): void {
  data = d;
  showError('');
  renderer.update({ classes: d.classes });
  renderer.setGraph(d.graph);
  buildParamBar(d);
  buildViewBar(d);
  buildStats(d);
  buildKDistance(d);
  buildWeak(d);
  legendBox.replaceChildren(legendFor(ui.colorBy, d.classes));
  const keep = ui.selected.filter((id) => d.graph.nodes.some((n) => n.id === id));
  renderer.setSelection(keep, keep[0] ?? null);
  showDetails(keep[0] ?? null);
  markReady();
}

host.onMessage((msg) => {
  switch (msg.type) {
    case 'mapper':
      if (msg.requestId !== undefined && msg.requestId < lastRequest) return;
      busy.textContent = '';
      render(msg.data);
      break;
    case 'samples':
      showSamples(msg.nodeId, msg.total, msg.samples);
      break;
    case 'focusNode':
      renderer.focusNode(msg.nodeId);
      showDetails(msg.nodeId);
      break;
    case 'saved':
      busy.textContent = `saved ${msg.path}`;
      break;
    default:
      // progress, busy and error
      showHostStatus(busy, msg);
      break;
  }
});

startView(initial.data, mapperData, render, busy);

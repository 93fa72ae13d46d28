/**
 * The read-only inspectors: an ONNX model (opset, inputs, outputs, layers, whether it is a ReLU MLP) and a
 * tensor file (each tensor's shape, dtype and summary statistics), drawn from the `info` job's result.
 */
import { appRoot, fmt, h, markReady, showError } from '../shared/dom';
import {
  inspectorState,
  parseInspectorHostMessage,
  parseInspectorViewMessage,
  type InspectorInfo,
  type InspectorViewMessage,
} from './protocol';

interface VsCodeApi {
  postMessage(msg: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
const post = (msg: InspectorViewMessage) => api.postMessage(parseInspectorViewMessage(msg));
const state = inspectorState(JSON.parse(document.body.dataset.state ?? 'null'));
const app = appRoot();
const status = h('p', { class: 'muted', 'data-testid': 'status' }, 'Reading the file…');
app.append(h('h1', {}, state.name), status);

type Cell = string | number | null;

function table(testid: string, headers: string[], rows: Cell[][]): HTMLTableElement {
  return h(
    'table',
    { 'data-testid': testid },
    h('thead', {}, h('tr', {}, ...headers.map((c) => h('th', {}, c)))),
    h(
      'tbody',
      {},
      ...rows.map((r) =>
        h(
          'tr',
          {},
          ...r.map((c) =>
            h('td', typeof c === 'number' ? { class: 'num' } : {}, c === null ? '—' : String(c)),
          ),
        ),
      ),
    ),
  );
}

const shapeText = (shape: (number | string | null)[] | null | undefined) =>
  shape ? `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : '—';

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 2 ** 20) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

function facts(rows: [string, string, string][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    ...rows.flatMap(([k, v, id]) => [h('dt', {}, k), h('dd', { 'data-testid': id }, v)]),
  );
}

function commandButton(
  label: string,
  command: InspectorViewMessage & { type: 'command' },
): HTMLButtonElement {
  return h('button', { type: 'button', onclick: () => post(command) }, label);
}

function statsRows(info: InspectorInfo): Cell[][] {
  return info.tensors.map((t) => [
    t.name,
    t.dtype,
    shapeText(t.shape),
    t.stats ? fmt(t.stats.min, 4) : null,
    t.stats ? fmt(t.stats.max, 4) : null,
    t.stats ? fmt(t.stats.mean, 4) : null,
    t.stats ? fmt(t.stats.std, 4) : null,
    t.stats ? t.stats.nanCount + t.stats.infCount : null,
  ]);
}
const STATS_HEADERS = ['name', 'dtype', 'shape', 'min', 'max', 'mean', 'std', 'NaN/Inf'];

function drawModel(info: InspectorInfo): void {
  const relu = info.reluMlp ? `yes: ${info.reluMlp.widths.join('-')}` : 'no';
  const actions = h(
    'div',
    { class: 'actions' },
    commandButton('Analyze Model', { type: 'command', command: 'toposcope.analyzeModel' }),
  );
  if (info.reluMlp) {
    actions.append(commandButton('Show Polytopes', { type: 'command', command: 'toposcope.showPolytopes' }));
  }
  const layers = info.layers ?? [];
  app.append(
    facts([
      ['Format', 'ONNX', 'format'],
      ['Opset', String(info.opset ?? '—'), 'opset'],
      ['Size', sizeText(info.bytes), 'size'],
      ['Layers', String(layers.length), 'layer-count'],
      ['ReLU MLP', relu, 'relu-mlp'],
    ]),
    actions,
    h('h2', {}, 'Inputs'),
    table(
      'inputs',
      ['name', 'dtype', 'shape'],
      (info.inputs ?? []).map((v) => [v.name, v.dtype, shapeText(v.shape)]),
    ),
    h('h2', {}, 'Outputs'),
    table(
      'outputs',
      ['name', 'dtype', 'shape'],
      (info.outputs ?? []).map((v) => [v.name, v.dtype, shapeText(v.shape)]),
    ),
    h('h2', {}, 'Layers'),
    table(
      'layers',
      ['tensor', 'op', 'shape'],
      layers.map((l) => [l.name, l.op, shapeText(l.shape)]),
    ),
    h('h2', {}, 'Weights'),
    table('tensors', STATS_HEADERS, statsRows(info)),
  );
}

function drawTensors(info: InspectorInfo): void {
  app.append(
    facts([
      ['Format', info.format, 'format'],
      ['Size', sizeText(info.bytes), 'size'],
      ['Tensors', String(info.tensors.length), 'tensor-count'],
    ]),
    h(
      'div',
      { class: 'actions' },
      commandButton('Analyze Activations', { type: 'command', command: 'toposcope.analyzeActivations' }),
    ),
    table('tensors', STATS_HEADERS, statsRows(info)),
  );
}

window.addEventListener('message', (ev: MessageEvent) => {
  let msg;
  try {
    msg = parseInspectorHostMessage(ev.data);
  } catch (err) {
    console.warn(`TopoScope: ignored an invalid message: ${(err as Error).message}`);
    return;
  }
  status.remove();
  if (msg.type === 'error') showError(msg.message);
  else if (state.kind === 'model') drawModel(msg.info);
  else drawTensors(msg.info);
  markReady();
});
post({ type: 'ready' });

/**
 * The model flow form ("Analyze Model" on an .onnx): inputs, labels, layer, attack kind and ε levels; then
 * progress with Cancel while the host computes clean and attacked activations, after which the host opens
 * the ε comparison. Explains instead of running when the workspace is not trusted.
 */
import { appRoot, h, markReady, showError } from '../shared/dom';
import { connectHost } from '../shared/host';
import { modelFlowData, type ModelFlowData, type ModelRun } from '../shared/protocol';
import { installTheme } from '../shared/theme';

installTheme();
const host = connectHost();
const initial = (host.initialState ?? {}) as { data?: unknown; restore?: unknown };
const saved = host.getState<{ restore?: unknown; run?: Partial<ModelRun> }>();
const restore = saved?.restore ?? initial.restore;
const app = appRoot();
const status = h('div', { class: 'toolbar', 'aria-live': 'polite' });
const form = h('form', { class: 'form', 'aria-label': 'Model analysis', 'data-testid': 'model-form' });
app.append(form, status);

function select(id: string, options: string[], value: string | undefined): HTMLSelectElement {
  const s = h('select', { id, name: id, 'data-testid': id });
  // Paths show by file name; the full path is the value and the tooltip.
  for (const o of options)
    s.append(h('option', { value: o, selected: o === value, title: o }, o.split(/[\\/]/).pop()));
  return s;
}

function row(label: string, control: HTMLElement): void {
  form.append(h('label', { for: control.id }, label), control);
}

function render(d: ModelFlowData): void {
  form.replaceChildren();
  status.replaceChildren();
  const prior = saved?.run ?? {};
  const title = h('h2', {}, d.title);
  form.append(title, h('span', {}));
  if (!d.trusted) {
    form.append(
      h(
        'p',
        { class: 'error', 'data-testid': 'untrusted' },
        'Running a model needs a trusted workspace. Use "Manage Workspace Trust" to trust this folder, then run Analyze Model again. Reading data files works without trust.',
      ),
    );
    markReady();
    return;
  }
  const inputs = select('inputs', d.inputs, prior.inputs ?? d.defaults.inputs);
  const labels = select('labels', d.labelFiles, prior.labels ?? d.defaults.labels);
  const layer = select(
    'layer',
    d.layers.map((l) => l.name),
    prior.layer ?? d.defaults.layer,
  );
  for (const [i, l] of d.layers.entries()) {
    const opt = layer.options[i];
    opt.textContent = `${l.name} (${l.op}, [${l.shape.map((x) => x ?? '?').join(', ')}])`;
  }
  const attack = select('attack', ['pgd-linf', 'pgd-l2', 'fgsm'], prior.attack ?? d.defaults.attack);
  const epsilons = h('input', {
    type: 'text',
    id: 'epsilons',
    'data-testid': 'epsilons',
    value: (prior.epsilons ?? d.defaults.epsilons).join(', '),
    'aria-describedby': 'eps-help',
  });
  const steps = h('input', {
    type: 'number',
    id: 'steps',
    'data-testid': 'steps',
    min: 1,
    max: 1000,
    value: prior.steps ?? d.defaults.steps,
  });
  row('Inputs', inputs);
  row('Labels', labels);
  row('Layer', layer);
  row('Attack', attack);
  row('ε levels', epsilons);
  form.append(
    h('span', {}),
    h('span', { id: 'eps-help', class: 'muted' }, 'Comma-separated; 0 is the clean set.'),
  );
  row('Steps (PGD)', steps);
  const run = h('button', { type: 'submit', class: 'primary', 'data-testid': 'run' }, 'Compute and compare');
  form.append(h('span', {}), h('span', {}, run));
  form.onsubmit = (ev) => {
    ev.preventDefault();
    const eps = epsilons.value
      .split(/[\s,;]+/)
      .filter((s) => s !== '')
      .map(Number);
    if (eps.length === 0 || eps.some((e) => !Number.isFinite(e) || e < 0)) {
      showError('ε levels must be non-negative numbers, e.g. 0, 0.05, 0.1');
      return;
    }
    if (!inputs.value || !labels.value || !layer.value) {
      showError('Choose inputs, labels and a layer.');
      return;
    }
    showError('');
    const r: ModelRun = {
      inputs: inputs.value,
      labels: labels.value,
      layer: layer.value,
      attack: attack.value as ModelRun['attack'],
      epsilons: [...new Set(eps)].sort((a, b) => a - b),
      steps: Math.max(1, Math.round(Number(steps.value) || 1)),
    };
    host.setState({ restore, run: r });
    host.post({ type: 'runModel', run: r });
    run.disabled = true;
    showProgress(0, 'starting…');
  };
  markReady();
}

function showProgress(fraction: number, message?: string): void {
  const bar = h('progress', { max: 1, value: fraction, 'aria-label': 'Progress' });
  const cancel = h('button', { 'data-testid': 'cancel' }, 'Cancel');
  cancel.addEventListener('click', () => host.post({ type: 'cancel' }));
  status.replaceChildren(bar, h('span', { 'data-testid': 'progress-text' }, message ?? ''), cancel);
}

host.onMessage((msg) => {
  if (msg.type === 'modelFlow') render(msg.data);
  else if (msg.type === 'progress') showProgress(msg.fraction, msg.message);
  else if (msg.type === 'busy' && !msg.busy) {
    status.replaceChildren(h('span', { class: 'muted' }, msg.message ?? ''));
    form.querySelector<HTMLButtonElement>('[data-testid="run"]')?.removeAttribute('disabled');
  } else if (msg.type === 'error') {
    showError(msg.message);
    status.replaceChildren();
    form.querySelector<HTMLButtonElement>('[data-testid="run"]')?.removeAttribute('disabled');
    markReady();
  }
});

if (initial.data) render(modelFlowData(initial.data, 'data'));
else host.post({ type: 'ready' });

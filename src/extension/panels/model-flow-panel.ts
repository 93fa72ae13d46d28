/**
 * "TopoScope: Analyze Model" on an .onnx: the model's layers (layers job), a form for inputs, labels, layer,
 * attack and ε levels; then the activations job per ε (clean and attacked inputs, in the killable ORT
 * process) writing activations and predictions beside a new *.toposcope.json spec, which opens as the ε
 * comparison. Running a workspace's model needs Workspace Trust: untrusted, the form explains instead.
 */
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { InputError } from '../../core/errors';
import { discoverCompanions } from '../../core/io/discover';
import { formatOf } from '../../core/io/read';
import { writeSpec } from '../../core/spec/spec';
import type { AnalysisSpec } from '../../core/spec/types';
import type { ModelFlowData, ModelRun } from '../../../webview/shared/protocol';
import type { Services } from '../services';
import { ComparePanel, compareFromSpec } from './compare-panel';
import { LatestOnly } from './live-jobs';
import { openView, type ViewChannel } from './view-channel';

export const MODEL_FLOW_VIEW_TYPE = 'toposcope.modelFlow';
const DEFAULT_EPSILONS = [0, 0.05, 0.1, 0.2, 0.3];

export function registerModelFlowPanel(services: Services): void {
  services.context.subscriptions.push(
    vscode.commands.registerCommand('toposcope.analyzeModel', async (uri?: vscode.Uri) => {
      const target =
        uri ??
        (
          await vscode.window.showOpenDialog({ title: 'ONNX model', filters: { 'ONNX model': ['onnx'] } })
        )?.[0];
      if (target) new ModelFlowPanel(services, target.fsPath);
    }),
    vscode.window.registerWebviewPanelSerializer(MODEL_FLOW_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        const model = (state as { restore?: { model?: unknown } } | undefined)?.restore?.model;
        if (typeof model !== 'string' || !services.confineToWorkspace(vscode.Uri.file(model))) {
          panel.dispose();
          return;
        }
        new ModelFlowPanel(services, model, panel);
      },
    }),
  );
}

/** Tensor files in the model's folder, split into likely inputs and likely labels (best guesses first). */
async function candidateFiles(dir: string): Promise<{ inputs: string[]; labels: string[] }> {
  const names = (await readdir(dir)).filter((n) => formatOf(n) !== undefined && formatOf(n) !== 'png').sort();
  const files = names.map((n) => path.join(dir, n));
  const score = (f: string, re: RegExp) => (re.test(path.basename(f)) ? 0 : 1);
  const inputs = [...files].sort((a, b) => score(a, /image|input|^x[_.]/i) - score(b, /image|input|^x[_.]/i));
  const labels = [...files].sort(
    (a, b) => score(a, /label|target|^y[_.]/i) - score(b, /label|target|^y[_.]/i),
  );
  return { inputs, labels };
}

class ModelFlowPanel {
  private readonly channel: ViewChannel;
  private readonly live = new LatestOnly();

  constructor(
    private readonly services: Services,
    private readonly model: string,
    panel?: vscode.WebviewPanel,
  ) {
    this.channel = openView(services, {
      viewType: MODEL_FLOW_VIEW_TYPE,
      view: 'model-flow',
      title: `Analyze ${path.basename(model)}`,
      initialState: { restore: { model } },
      panel,
    });
    this.channel.panel.onDidDispose(() => this.live.cancel());
    void this.describe();
    this.channel.onMessage(async (msg) => {
      if (msg.type === 'runModel') await this.run(msg.run);
      else if (msg.type === 'cancel') this.live.cancel();
    });
  }

  private async describe(): Promise<void> {
    const dir = path.dirname(this.model);
    const trusted = vscode.workspace.isTrusted;
    const files = await candidateFiles(dir);
    const base: ModelFlowData = {
      title: path.basename(this.model),
      model: this.model,
      layers: [],
      inputs: files.inputs,
      labelFiles: files.labels,
      defaults: {
        inputs: files.inputs[0],
        labels: files.labels[0],
        attack: 'pgd-linf',
        epsilons: DEFAULT_EPSILONS,
        steps: 20,
      },
      trusted,
    };
    if (!trusted) {
      this.channel.post({ type: 'modelFlow', data: base });
      return;
    }
    try {
      const info = await this.services.runJob(
        'layers',
        { model: this.model },
        { title: 'TopoScope: reading the model' },
      );
      const layers = info.layers.map((l) => ({
        name: l.name,
        op: l.op,
        shape: (l.shape ?? []).map((d) => (typeof d === 'number' ? d : null)),
      }));
      const output = info.outputs[0]?.name;
      const layer = layers.find((l) => l.name === output)?.name ?? layers[layers.length - 1]?.name;
      this.channel.post({
        type: 'modelFlow',
        data: { ...base, layers, defaults: { ...base.defaults, layer } },
      });
    } catch (err) {
      this.channel.post({ type: 'error', message: (err as Error).message });
    }
  }

  private async run(r: ModelRun): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.channel.post({ type: 'error', message: 'Running a model needs a trusted workspace.' });
      return;
    }
    for (const f of [r.inputs, r.labels]) {
      if (!this.services.confineToWorkspace(vscode.Uri.file(f))) {
        this.channel.post({ type: 'error', message: `${f} is outside the workspace` });
        return;
      }
    }
    const stem = path.basename(this.model, '.onnx');
    const outDir = path.join(path.dirname(this.model), `${stem}-${r.attack}`);
    try {
      await mkdir(outDir, { recursive: true });
      const sets = await this.live.run(async (token) => {
        const out: NonNullable<AnalysisSpec['sets']> = [];
        for (const [i, eps] of r.epsilons.entries()) {
          const tag = `eps${eps.toFixed(2)}`;
          const activations = path.join(outDir, `act_${stem}_${tag}.npy`);
          const predictions = path.join(outDir, `pred_${stem}_${tag}.npy`);
          const message = eps === 0 ? 'clean inputs' : `${r.attack} ε=${eps}`;
          this.channel.post({ type: 'progress', fraction: i / r.epsilons.length, message });
          await this.services.runJob(
            'activations',
            {
              model: this.model,
              inputs: r.inputs,
              labels: r.labels,
              layer: r.layer,
              attack: eps === 0 ? 'none' : r.attack,
              eps,
              steps: r.steps,
              out: activations,
              predictionsOut: predictions,
            },
            {
              token,
              onProgress: (f, m) =>
                this.channel.post({
                  type: 'progress',
                  fraction: (i + f) / r.epsilons.length,
                  message: m ?? message,
                }),
            },
          );
          out.push({ name: eps === 0 ? 'clean' : `ε=${eps}`, epsilon: eps, activations, predictions });
        }
        return out;
      });
      if (!sets) {
        this.channel.post({ type: 'busy', busy: false, message: 'cancelled' });
        return;
      }
      const companions = await discoverCompanions(r.inputs);
      const spec: AnalysisSpec = {
        name: `${path.basename(this.model)}: ${r.attack} at ε = ${r.epsilons.join(', ')}`,
        labels: r.labels,
        samples: companions.manifest.sort((a, b) => b.score - a.score)[0]?.path,
        sets,
        mapper: {},
        model: this.model,
        inputs: r.inputs,
        layer: r.layer,
        attack: { kind: r.attack, epsilons: r.epsilons, steps: r.steps },
      };
      const specPath = path.join(path.dirname(this.model), `${stem}-${r.attack}.toposcope.json`);
      await writeSpec(specPath, spec);
      this.channel.post({ type: 'busy', busy: false, message: `saved ${path.basename(specPath)}` });
      new ComparePanel(this.services, compareFromSpec(spec, specPath));
    } catch (err) {
      const message =
        err instanceof InputError ? err.message : `model analysis failed: ${(err as Error).message}`;
      this.services.log.error(message);
      this.channel.post({ type: 'error', message });
    }
  }
}

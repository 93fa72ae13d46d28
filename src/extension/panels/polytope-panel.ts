/**
 * "TopoScope: Show Polytopes": on a ReLU MLP with 2-D input (or a slice through three samples of a wider
 * input), or on a folder of checkpoints. The host resolves files (training points and loss beside the
 * model), runs the polytope, Betti and sweep jobs off the extension thread, caches their reduced results,
 * and answers the webview; the serializer restores a panel after a reload from the webview's saved state.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, InputError } from '../../core/errors';
import { formatOf, listTensors } from '../../core/io/read';
import { loadReluMlp } from '../../core/model/relu-mlp';
import type { RunOptions, Services } from '../services';
import { packTyped } from '../../../webview/polytope/typed-transport';
import {
  parsePolytopeHostMessage,
  parsePolytopeViewMessage,
  polytopeUiState,
  type PolytopeHostMessage,
  type PolytopeTarget,
  type PolytopeUiState,
  type PolytopeViewMessage,
  type RegionData,
  type SweepData,
} from '../../../webview/polytope/protocol';
import { parseAnchorsText } from '../../../webview/polytope/anchors';
import { renderWebviewHtml, webviewOptions } from './webview-html';
import { saveBytes } from './view-channel';
import {
  computeRegions,
  computeSweep,
  findBeside,
  type JobRunner,
  type RegionRequest,
} from '../../core/report/polytope-section';

export const POLYTOPE_VIEW_TYPE = 'toposcope.polytope';

/** Reduced results by request (model content stamp + parameters): reopening a panel or moving back is instant. */
const regionCache = new Map<string, Promise<RegionData>>();
const sweepCache = new Map<string, Promise<SweepData>>();
const CACHE_LIMIT = 64;

function remember<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit) return hit;
  const p = make();
  cache.set(key, p);
  // a failed or cancelled computation must not stick
  p.catch(() => cache.delete(key));
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return p;
}

export function registerPolytopePanels(services: Services): void {
  services.context.subscriptions.push(
    vscode.commands.registerCommand('toposcope.showPolytopes', (arg?: vscode.Uri | SliceRequest) =>
      arg && 'anchors' in arg ? showSlice(services, arg) : showPolytopes(services, arg),
    ),
    vscode.window.registerWebviewPanelSerializer(POLYTOPE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        let ui: PolytopeUiState;
        try {
          ui = polytopeUiState(state);
        } catch {
          panel.dispose();
          return;
        }
        new PolytopePanel(services, panel, ui);
      },
    }),
  );
}

/** A slice asked for from another view (the mapper's samples): three rows, and the folder they came from. */
export interface SliceRequest {
  anchors: [number, number, number];
  near: string;
}

async function showPolytopes(services: Services, uri: vscode.Uri | undefined): Promise<void> {
  try {
    const picked = uri ?? (await pickTarget());
    if (!picked) return;
    const target = await resolveTarget(picked.fsPath);
    if (target) openPanel(services, target);
  } catch (err) {
    reportError(services, err);
  }
}

/** The slice through three samples the user picked elsewhere: which model, which data set, the anchors. */
async function showSlice(services: Services, req: SliceRequest): Promise<void> {
  try {
    const model = await pickWideModel(req);
    if (!model) return;
    const picked = await pickSlice(path.dirname(model.path), model.inputDim, req.anchors);
    if (picked) openPanel(services, { kind: 'model', path: model.path, ...picked });
  } catch (err) {
    reportError(services, err);
  }
}

function openPanel(services: Services, target: PolytopeTarget): void {
  const title = `Polytopes: ${path.basename(target.path)}`;
  const panel = vscode.window.createWebviewPanel(POLYTOPE_VIEW_TYPE, title, vscode.ViewColumn.Active, {
    ...webviewOptions(services.context.extensionUri),
    retainContextWhenHidden: true,
  });
  new PolytopePanel(services, panel, {
    target,
    box: null,
    colour: 'prediction',
    showPoints: true,
    showDual: false,
    checkpoint: target.kind === 'folder' ? Number.MAX_SAFE_INTEGER : 0,
  });
}

/** ReLU MLPs of the workspace with more than two inputs, those beside the samples first, in a quick pick. */
async function pickWideModel(req: SliceRequest): Promise<{ path: string; inputDim: number } | undefined> {
  const files = await vscode.workspace.findFiles('**/*.{onnx,pt}', '**/node_modules/**', 500);
  const items: (vscode.QuickPickItem & { file: string; inputDim: number })[] = [];
  for (const file of files.map((u) => u.fsPath).sort()) {
    const mlp = await loadReluMlp(file).catch(() => undefined);
    if (!mlp || mlp.widths[0] <= 2) continue;
    const label = vscode.workspace.asRelativePath(file);
    items.push({ label, description: mlp.widths.join('-'), file, inputDim: mlp.widths[0] });
  }
  if (items.length === 0) {
    throw new InputError(req.near, 'no ReLU MLP (.onnx or state-dict .pt) in the workspace to slice');
  }
  const beside = (i: { file: string }) => (path.dirname(i.file) === req.near ? 0 : 1);
  items.sort((a, b) => beside(a) - beside(b));
  const picked = await vscode.window.showQuickPick(items, {
    ignoreFocusOut: true,
    title: `Slice through samples ${req.anchors.join(', ')}: which ReLU MLP?`,
    placeHolder: 'the model whose input space the slice cuts',
  });
  return picked && { path: picked.file, inputDim: picked.inputDim };
}

async function pickTarget(): Promise<vscode.Uri | undefined> {
  const uris = await vscode.window.showOpenDialog({
    title: 'Show Polytopes: a ReLU MLP (.onnx, state-dict .pt) or a folder of checkpoints',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    filters: { 'ReLU MLP': ['onnx', 'pt'] },
  });
  return uris?.[0];
}

/** The model or folder, with its training points and, for wide inputs, the data set and three anchors. */
async function resolveTarget(p: string): Promise<PolytopeTarget | undefined> {
  const s = await stat(p);
  if (s.isDirectory()) {
    const train = await findBeside(p, ['train.csv'], true);
    return { kind: 'folder', path: p, ...(train && { train }) };
  }
  const mlp = await loadReluMlp(p);
  const train = await findBeside(path.dirname(p), ['train.csv'], false);
  if (mlp.widths[0] === 2) return { kind: 'model', path: p, ...(train && { train }) };
  const picked = await pickSlice(path.dirname(p), mlp.widths[0], [0, 1, 2]);
  return picked && { kind: 'model', path: p, ...picked };
}

/** Asks for the data set and three sample indices through which the 2-D slice is taken. */
async function pickSlice(
  dir: string,
  inputDim: number,
  anchors0: [number, number, number],
): Promise<{ inputs: string; anchors: [number, number, number] } | undefined> {
  const inputs = await pickInputs(dir, inputDim);
  const anchors = inputs && (await askAnchors(anchors0));
  return inputs && anchors ? { inputs, anchors } : undefined;
}

/** Data files beside the model whose rows have `inputDim` values, in a quick pick; or any file. */
async function pickInputs(dir: string, inputDim: number): Promise<string | undefined> {
  const candidates: vscode.QuickPickItem[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const file = path.join(dir, name);
    // a state dict's first weight matrix has inputDim columns too, but is no data set
    if (!formatOf(file) || formatOf(file) === 'png') continue;
    try {
      const fits = (await listTensors(file)).find(
        (t) => t.shape.slice(1).reduce((a, b) => a * b, 1) === inputDim && !/(^|\.)weight$/.test(t.name),
      );
      if (fits) candidates.push({ label: name, description: `${fits.shape.join(' × ')} ${fits.dtype}` });
    } catch {
      // unreadable or not a tensor file: not a candidate
    }
  }
  const browse: vscode.QuickPickItem = { label: 'Browse…', description: 'choose another file' };
  const picked = await vscode.window.showQuickPick([...candidates, browse], {
    ignoreFocusOut: true,
    title: `The model takes ${inputDim} inputs: the samples the 2-D slice goes through`,
    placeHolder: 'a data set with one sample per row',
  });
  if (!picked) return undefined;
  if (picked !== browse) return path.join(dir, picked.label);
  const uris = await vscode.window.showOpenDialog({
    defaultUri: vscode.Uri.file(dir),
    canSelectMany: false,
    filters: { Tensors: ['npy', 'npz', 'safetensors', 'csv', 'tsv', 'json', 'pt'] },
  });
  return uris?.[0]?.fsPath;
}

async function askAnchors(current: [number, number, number]): Promise<[number, number, number] | undefined> {
  const text = await vscode.window.showInputBox({
    ignoreFocusOut: true,
    title: 'Slice through three samples',
    prompt: 'Three different sample indices (rows of the data set), comma-separated',
    value: current.join(', '),
    validateInput: (v) =>
      parseAnchorsText(v) ? undefined : 'Enter three different non-negative integers, e.g. 0, 1, 2',
  });
  return text === undefined ? undefined : parseAnchorsText(text);
}

function reportError(services: Services, err: unknown): void {
  if (err instanceof CancelledError) return;
  const message = err instanceof Error ? err.message : String(err);
  services.log.error(`Show Polytopes: ${message}`);
  void vscode.window.showErrorMessage(`TopoScope: ${message}`);
}

class PolytopePanel {
  private target: PolytopeTarget;
  private sweep: Promise<SweepData> | undefined;

  constructor(
    private readonly services: Services,
    private readonly panel: vscode.WebviewPanel,
    ui: PolytopeUiState,
  ) {
    this.target = ui.target;
    const { extensionUri } = services.context;
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = renderWebviewHtml(panel.webview, extensionUri, {
      view: 'polytope',
      title: panel.title,
      initialState: ui,
    });
    panel.webview.onDidReceiveMessage((raw: unknown) => {
      let msg: PolytopeViewMessage;
      try {
        msg = parsePolytopeViewMessage(raw);
      } catch (err) {
        services.log.warn(`polytope panel: ignored a message: ${(err as Error).message}`);
        return;
      }
      void this.handle(msg).catch((err: unknown) => this.fail(err));
    });
  }

  private post(msg: PolytopeHostMessage): void {
    void this.panel.webview.postMessage(packTyped(parsePolytopeHostMessage(msg)));
  }

  private fail(err: unknown): void {
    this.post({ type: 'busy', busy: false });
    if (err instanceof CancelledError) {
      this.post({ type: 'error', message: 'Cancelled.' });
      return;
    }
    const message = err instanceof InputError ? err.message : `internal failure: ${(err as Error).message}`;
    this.services.log.error(`polytope panel: ${message}`);
    this.post({ type: 'error', message });
  }

  private async handle(msg: PolytopeViewMessage): Promise<void> {
    switch (msg.type) {
      case 'ready':
        if (this.target.kind === 'folder') this.post({ type: 'sweep', data: await this.sweepData() });
        return;
      case 'compute':
        return this.compute(msg.key, { box: msg.box, checkpoint: msg.checkpoint, anchors: msg.anchors });
      case 'chooseTrain': {
        const uris = await vscode.window.showOpenDialog({
          title: 'Training points: a CSV with columns x0, x1, label',
          defaultUri: vscode.Uri.file(
            this.target.kind === 'folder' ? this.target.path : path.dirname(this.target.path),
          ),
          canSelectMany: false,
          filters: { CSV: ['csv', 'tsv'] },
        });
        if (!uris?.[0]) return;
        this.target = { ...this.target, train: uris[0].fsPath };
        this.post({ type: 'target', target: this.target });
        return;
      }
      case 'pickAnchors': {
        const dir = path.dirname(this.target.path);
        const inputDim = (await loadReluMlp(this.target.path)).widths[0];
        const inputs = this.target.inputs ?? (await pickInputs(dir, inputDim));
        if (!inputs) return;
        const anchors = await askAnchors(this.target.anchors ?? [0, 1, 2]);
        if (!anchors) return;
        this.target = { ...this.target, inputs, anchors };
        this.post({ type: 'target', target: this.target });
        return;
      }
      case 'save': {
        const dir = this.target.kind === 'folder' ? this.target.path : path.dirname(this.target.path);
        const bytes = msg.encoding === 'base64' ? Buffer.from(msg.data, 'base64') : msg.data;
        // the shared save dialog; its "saved" notice is part of the mapper protocol, not this view's
        const channel = { panel: this.panel, post: () => undefined, onMessage: () => undefined };
        await saveBytes({ ...channel, saveFolder: vscode.Uri.file(dir) }, msg.name, msg.format, bytes);
        return;
      }
    }
  }

  private sweepData(): Promise<SweepData> {
    this.sweep ??= stampOf(this.target.path).then((stamp) =>
      remember(sweepCache, `${this.target.path}|${stamp}`, () =>
        computeSweep(
          this.runner({ title: `checkpoint sweep of ${path.basename(this.target.path)}` }),
          this.target.path,
        ),
      ),
    );
    this.sweep.catch(() => (this.sweep = undefined));
    return this.sweep;
  }

  /** One notification per request: the Betti curves run beside the complex, quietly. */
  private runner(opts: RunOptions): JobRunner {
    return (kind, params) => this.services.runJob(kind, params, kind === 'betti' ? {} : opts);
  }

  private async compute(
    key: string,
    req: { box: RegionRequest['box']; checkpoint: number | null; anchors: RegionRequest['anchors'] },
  ): Promise<void> {
    let model = this.target.path;
    let label = path.basename(model);
    let checkpoint: number | null = null;
    if (this.target.kind === 'folder') {
      const sweep = await this.sweepData();
      const last = sweep.checkpoints.length - 1;
      checkpoint = Math.min(req.checkpoint ?? last, last);
      const c = sweep.checkpoints[checkpoint];
      model = path.isAbsolute(c.file) ? c.file : path.join(this.target.path, c.file);
      label = `epoch ${c.epoch}`;
    }
    const full: RegionRequest = {
      model,
      label,
      box: req.box,
      anchors: this.target.inputs ? (req.anchors ?? this.target.anchors ?? null) : null,
      inputs: this.target.inputs ?? null,
      train: this.target.train ?? null,
    };
    this.post({ type: 'busy', busy: true, message: `computing the regions of ${label}…` });
    const stamp = await stampOf(model);
    // checkpoints of a sweep are quick and stepped through: no notification for each
    const run = this.runner(this.target.kind === 'folder' ? {} : { title: `polytopes of ${label}` });
    const data = await remember(regionCache, JSON.stringify([full, stamp]), () => computeRegions(run, full));
    this.post({ type: 'regions', key, checkpoint, data });
    this.post({ type: 'busy', busy: false });
  }
}

/** Size and modification time: a cheap content stamp so an overwritten checkpoint is recomputed. */
async function stampOf(p: string): Promise<string> {
  const s = await stat(p);
  return `${s.size}:${s.mtimeMs}`;
}

/**
 * "TopoScope: Analyze Activations": finds labels, predictions and a sample manifest beside the file, builds
 * the mapper graph in a worker and shows the Mapper panel; parameter changes from the panel recompute
 * quietly (latest request only); node samples, sample opening and exports are answered here. The
 * serializer reopens a panel after a reload from the state the view saved.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { InputError } from '../../core/errors';
import { readTensorFile } from '../../core/io/read';
import { toLabels } from '../../core/io/tensor';
import type { MapperParams } from '../../core/mapper/types';
import { mapperViewData } from '../../core/report/view-data';
import { anchorsOf } from '../../../webview/polytope/anchors';
import { paramsChange, type ParamsChange } from '../../../webview/shared/protocol';
import type { Services } from '../services';
import { LatestOnly } from './live-jobs';
import { discoverAnalysisFiles } from './mapper-files';
import {
  answerSamples,
  exportRows,
  loadSampleSource,
  openSample,
  tableRowSource,
  type SampleSource,
} from './mapper-samples';
import { saveAnalysisSpec } from './save-spec';
import type { SliceRequest } from './polytope-panel';
import { openView, type ViewChannel } from './view-channel';

export const MAPPER_VIEW_TYPE = 'toposcope.mapper';

/** Everything needed to rebuild a Mapper panel (persisted in the webview state). */
export interface MapperRestore {
  activations: string;
  labels?: string;
  predictions?: string;
  samples?: string;
  classes?: string[];
  params: MapperParams;
  title: string;
}

export function parseMapperRestore(v: unknown): MapperRestore | undefined {
  const r = v as Partial<MapperRestore> | null;
  if (!r || typeof r !== 'object' || typeof r.activations !== 'string' || typeof r.title !== 'string')
    return undefined;
  const optStr = (x: unknown) => (typeof x === 'string' ? x : undefined);
  return {
    activations: r.activations,
    labels: optStr(r.labels),
    predictions: optStr(r.predictions),
    samples: optStr(r.samples),
    classes: Array.isArray(r.classes)
      ? r.classes.filter((c): c is string => typeof c === 'string')
      : undefined,
    params: typeof r.params === 'object' && r.params !== null ? (r.params as MapperParams) : {},
    title: r.title,
  };
}

export function registerMapperPanel(services: Services): void {
  services.context.subscriptions.push(
    vscode.commands.registerCommand('toposcope.analyzeActivations', async (uri?: vscode.Uri) => {
      try {
        const target = uri ?? (await pickActivationFile());
        if (!target) return;
        const file = services.confineToWorkspace(target) ?? target.fsPath;
        const found = await discoverAnalysisFiles(file);
        new MapperPanel(services, {
          activations: file,
          labels: found.labels,
          predictions: found.predictions,
          samples: found.samples,
          params: {},
          title: `Mapper: ${path.basename(file)}`,
        });
      } catch (err) {
        void vscode.window.showErrorMessage(`TopoScope: ${(err as Error).message}`);
      }
    }),
    vscode.window.registerWebviewPanelSerializer(MAPPER_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        const saved = state as { restore?: unknown; params?: unknown; ui?: unknown } | undefined;
        const restore = parseMapperRestore(saved?.restore);
        const confined = restore && services.confineToWorkspace(vscode.Uri.file(restore.activations));
        if (!restore || !confined) {
          panel.dispose();
          return;
        }
        let params = restore.params;
        try {
          if (saved?.params) params = mergeParams(params, paramsChange(saved.params));
        } catch {
          // A saved parameter change that no longer validates is dropped; the analysis itself reopens.
        }
        new MapperPanel(services, { ...restore, params }, panel, saved?.ui);
      },
    }),
  );
}

async function pickActivationFile(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    title: 'Activations to analyse',
    filters: { Tensors: ['npy', 'npz', 'safetensors', 'csv', 'tsv', 'json', 'pt'] },
  });
  return picked?.[0];
}

export class MapperPanel {
  private readonly channel: ViewChannel;
  private readonly live = new LatestOnly();
  private labels?: Int32Array;
  private predictions?: Int32Array;
  private samples?: SampleSource;

  constructor(
    private readonly services: Services,
    private restore: MapperRestore,
    panel?: vscode.WebviewPanel,
    /** The view's saved UI settings (layout, colours, selection), handed back to a revived panel. */
    ui?: unknown,
  ) {
    this.channel = openView(services, {
      viewType: MAPPER_VIEW_TYPE,
      view: 'mapper',
      title: restore.title,
      initialState: { restore, ui },
      panel,
    });
    this.channel.saveFolder = vscode.Uri.file(path.dirname(restore.activations));
    this.channel.panel.onDidDispose(() => this.live.cancel());
    void this.compute(this.restore.params, undefined);
    this.channel.onMessage(async (msg) => {
      switch (msg.type) {
        case 'ready':
          break;
        case 'params':
          await this.compute(mergeParams(this.restore.params, msg.params), msg.requestId);
          break;
        case 'nodeSamples':
          if (this.samples)
            await answerSamples(this.channel, this.samples, msg.nodeId, msg.members, this.rowInfo());
          break;
        case 'openSample':
          if (this.samples) await openSample(this.services, this.samples, msg.index);
          break;
        case 'polytopeSlice': {
          const anchors = anchorsOf(msg.indices);
          if (!anchors) break;
          const slice: SliceRequest = { anchors, near: path.dirname(this.restore.activations) };
          await vscode.commands.executeCommand('toposcope.showPolytopes', slice);
          break;
        }
        case 'saveSpec': {
          const r = this.restore;
          await saveAnalysisSpec(
            this.channel,
            {
              name: r.title.replace(/^Mapper: /, ''),
              classes: r.classes,
              labels: r.labels,
              samples: r.samples,
              sets: [
                {
                  name: path.basename(r.activations),
                  epsilon: 0,
                  activations: r.activations,
                  predictions: r.predictions,
                },
              ],
              mapper: r.params,
            },
            path.basename(r.activations).replace(/\.[^.]+$/, ''),
          );
          break;
        }
        case 'exportRows':
          await exportRows(this.channel, msg.name, msg.format, msg.rows, this.samples, this.rowInfo());
          break;
        default:
          break;
      }
    });
  }

  private rowInfo() {
    return { labels: this.labels, predictions: this.predictions };
  }

  private async loadCompanions(): Promise<void> {
    const r = this.restore;
    if (r.labels && !this.labels) this.labels = toLabels(await readTensorFile(r.labels));
    if (r.predictions && !this.predictions) this.predictions = toLabels(await readTensorFile(r.predictions));
    if (r.samples && !this.samples)
      this.samples = await loadSampleSource(r.samples, this.channel.panel.webview);
    if (!r.samples && !this.samples && /\.(csv|tsv)$/i.test(r.activations)) {
      this.samples = await tableRowSource(r.activations);
    }
  }

  private async compute(params: MapperParams, requestId: number | undefined): Promise<void> {
    const r = this.restore;
    try {
      await this.loadCompanions();
      this.channel.post({ type: 'busy', busy: true, message: 'computing…' });
      const graph = await this.live.run((token) =>
        this.services.runJob(
          'mapper',
          { activations: r.activations, labels: r.labels, predictions: r.predictions, ...params },
          {
            token,
            onProgress: (fraction, message) => this.channel.post({ type: 'progress', fraction, message }),
          },
        ),
      );
      if (!graph) return;
      this.restore = { ...r, params };
      this.channel.post({
        type: 'mapper',
        requestId,
        data: mapperViewData(graph, {
          title: path.basename(r.activations),
          classes: r.classes,
          labels: this.labels,
          predictions: this.predictions,
          live: true,
          hasSamples: this.samples !== undefined,
        }),
      });
    } catch (err) {
      const message = err instanceof InputError ? err.message : `mapper failed: ${(err as Error).message}`;
      this.services.log.error(message);
      this.channel.post({ type: 'error', message });
    }
  }
}

/** Applies the panel's change; ε without a number means the quantile rule. */
export function mergeParams(base: MapperParams, change: ParamsChange): MapperParams {
  const defined = Object.fromEntries(
    Object.entries(change).filter(([, v]) => v !== undefined),
  ) as ParamsChange;
  return { ...base, ...(defined as MapperParams), eps: defined.eps ?? 'auto' };
}

/**
 * The ε comparison panel ("Compare Sets" on a spec or on several selected activation files, and "Open
 * Analysis Spec"): every set through the mapper job in a worker with one set of resolved parameters (ε from
 * the first set, DESIGN.md §5), then the side-by-side graphs and the purity/accuracy-against-ε charts.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { InputError } from '../../core/errors';
import { readTensorFile } from '../../core/io/read';
import { toLabels } from '../../core/io/tensor';
import type { MapperParams } from '../../core/mapper/types';
import { compareViewData, type CompareSetInput } from '../../core/report/view-data';
import { loadSpec } from '../../core/spec/spec';
import type { AnalysisSpec } from '../../core/spec/types';
import type { Services } from '../services';
import { LatestOnly } from './live-jobs';
import { discoverAnalysisFiles } from './mapper-files';
import { MapperPanel } from './mapper-panel';
import { saveAnalysisSpec } from './save-spec';
import { openView, type ViewChannel } from './view-channel';

export const COMPARE_VIEW_TYPE = 'toposcope.compare';

export interface CompareSetSpec {
  name: string;
  epsilon: number;
  activations: string;
  predictions?: string;
}

export interface CompareRestore {
  title: string;
  classes?: string[];
  labels?: string;
  samples?: string;
  sets: CompareSetSpec[];
  mapper: MapperParams;
}

function parseCompareRestore(v: unknown): CompareRestore | undefined {
  const r = v as Partial<CompareRestore> | null;
  if (!r || typeof r !== 'object' || typeof r.title !== 'string' || !Array.isArray(r.sets)) return undefined;
  const sets = r.sets.filter(
    (s): s is CompareSetSpec =>
      typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.activations === 'string',
  );
  if (sets.length === 0) return undefined;
  return {
    title: r.title,
    classes: Array.isArray(r.classes)
      ? r.classes.filter((c): c is string => typeof c === 'string')
      : undefined,
    labels: typeof r.labels === 'string' ? r.labels : undefined,
    samples: typeof r.samples === 'string' ? r.samples : undefined,
    sets: sets.map((s, i) => ({ ...s, epsilon: typeof s.epsilon === 'number' ? s.epsilon : i })),
    mapper: typeof r.mapper === 'object' && r.mapper !== null ? r.mapper : {},
  };
}

/** The comparison a spec describes (its sets, labels, samples and mapper parameters). */
export function compareFromSpec(spec: AnalysisSpec, specPath: string): CompareRestore {
  if (!spec.sets || spec.sets.length === 0)
    throw new InputError(specPath, 'the spec lists no sets', 'bad-spec');
  return {
    title: spec.name ?? path.basename(specPath),
    classes: spec.classes,
    labels: spec.labels,
    samples: spec.samples,
    sets: spec.sets.map((s, i) => ({
      name: s.name,
      epsilon: s.epsilon ?? i,
      activations: s.activations,
      predictions: s.predictions,
    })),
    mapper: spec.mapper ?? {},
  };
}

/** ε from a file name like act_eps0.05.npy; else the position. */
function epsilonFromName(file: string, fallback: number): number {
  const m = /eps[_=-]?(\d+(?:\.\d+)?)/i.exec(path.basename(file));
  return m ? Number(m[1]) : fallback;
}

async function compareFromFiles(files: string[]): Promise<CompareRestore> {
  const sets: CompareSetSpec[] = [];
  let labels: string | undefined;
  let samples: string | undefined;
  for (const [i, f] of files.entries()) {
    const found = await discoverAnalysisFiles(f);
    labels ??= found.labels;
    samples ??= found.samples;
    const epsilon = epsilonFromName(f, i);
    sets.push({
      name: path.basename(f).replace(/\.[^.]+$/, ''),
      epsilon,
      activations: f,
      predictions: found.predictions,
    });
  }
  sets.sort((a, b) => a.epsilon - b.epsilon);
  return { title: `Comparison of ${files.length} sets`, labels, samples, sets, mapper: {} };
}

export function registerComparePanel(services: Services): void {
  const fail = (err: unknown) => void vscode.window.showErrorMessage(`TopoScope: ${(err as Error).message}`);
  services.context.subscriptions.push(
    vscode.commands.registerCommand(
      'toposcope.compareSets',
      async (uri?: vscode.Uri, uris?: vscode.Uri[]) => {
        try {
          const selected = (uris && uris.length > 0 ? uris : uri ? [uri] : []).map((u) => u.fsPath);
          if (selected.length === 1 && selected[0].endsWith('.toposcope.json')) {
            new ComparePanel(services, compareFromSpec(await loadSpec(selected[0]), selected[0]));
            return;
          }
          const files =
            selected.length > 1
              ? selected
              : (
                  await vscode.window.showOpenDialog({
                    canSelectMany: true,
                    title: 'Activation files to compare (clean and attacked)',
                    filters: { Tensors: ['npy', 'npz', 'safetensors', 'csv', 'tsv', 'json', 'pt'] },
                  })
                )?.map((u) => u.fsPath);
          if (files && files.length > 0) new ComparePanel(services, await compareFromFiles(files));
        } catch (err) {
          fail(err);
        }
      },
    ),
    vscode.commands.registerCommand('toposcope.openSpec', async (uri?: vscode.Uri) => {
      try {
        const target =
          uri ??
          (
            await vscode.window.showOpenDialog({
              title: 'Analysis spec',
              filters: { 'TopoScope analysis': ['json'] },
            })
          )?.[0];
        if (target) await openSpec(services, target.fsPath);
      } catch (err) {
        fail(err);
      }
    }),
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        const saved = state as { restore?: unknown; ui?: unknown } | undefined;
        const restore = parseCompareRestore(saved?.restore);
        const inside = restore?.sets.every((s) =>
          services.confineToWorkspace(vscode.Uri.file(s.activations)),
        );
        if (!restore || !inside) {
          panel.dispose();
          return;
        }
        new ComparePanel(services, restore, panel, saved?.ui);
      },
    }),
  );
}

/** Reopens a saved analysis: one set → the Mapper panel, several → the comparison. */
export async function openSpec(services: Services, specPath: string): Promise<void> {
  const spec = await loadSpec(specPath);
  const c = compareFromSpec(spec, specPath);
  if (c.sets.length === 1) {
    const s = c.sets[0];
    new MapperPanel(services, {
      activations: s.activations,
      predictions: s.predictions,
      labels: c.labels,
      samples: c.samples,
      classes: c.classes,
      params: c.mapper,
      title: `Mapper: ${c.title}`,
    });
    return;
  }
  new ComparePanel(services, c);
}

export class ComparePanel {
  private readonly channel: ViewChannel;
  private readonly live = new LatestOnly();

  constructor(
    private readonly services: Services,
    private readonly restore: CompareRestore,
    panel?: vscode.WebviewPanel,
    ui?: unknown,
  ) {
    this.channel = openView(services, {
      viewType: COMPARE_VIEW_TYPE,
      view: 'compare',
      title: `Compare: ${restore.title}`,
      initialState: { restore, ui },
      panel,
    });
    this.channel.saveFolder = vscode.Uri.file(path.dirname(restore.sets[0].activations));
    this.channel.panel.onDidDispose(() => this.live.cancel());
    void this.compute();
    this.channel.onMessage(async (msg) => {
      if (msg.type !== 'saveSpec') return;
      const r = this.restore;
      await saveAnalysisSpec(
        this.channel,
        {
          name: r.title,
          classes: r.classes,
          labels: r.labels,
          samples: r.samples,
          sets: r.sets,
          mapper: r.mapper,
        },
        r.title,
      );
    });
  }

  private async compute(): Promise<void> {
    const r = this.restore;
    try {
      const labels = r.labels ? toLabels(await readTensorFile(r.labels)) : undefined;
      const sets = await this.live.run(async (token) => {
        const out: CompareSetInput[] = [];
        let params: MapperParams = { ...r.mapper };
        for (const [i, s] of r.sets.entries()) {
          const graph = await this.services.runJob(
            'mapper',
            { activations: s.activations, labels: r.labels, predictions: s.predictions, ...params },
            {
              title: `TopoScope: mapper of ${s.name} (${i + 1}/${r.sets.length})`,
              token,
              onProgress: (f) =>
                this.channel.post({ type: 'progress', fraction: (i + f) / r.sets.length, message: s.name }),
            },
          );
          if (i === 0) params = { ...params, eps: graph.parameters.eps };
          const predictions = s.predictions ? toLabels(await readTensorFile(s.predictions)) : undefined;
          out.push({ name: s.name, epsilon: s.epsilon, graph, predictions });
        }
        return out;
      });
      if (!sets) return;
      this.channel.post({
        type: 'compare',
        data: compareViewData(sets, {
          title: r.title,
          classes: r.classes,
          labels,
          live: true,
          hasSamples: r.samples !== undefined,
        }),
      });
    } catch (err) {
      const message =
        err instanceof InputError ? err.message : `comparison failed: ${(err as Error).message}`;
      this.services.log.error(message);
      this.channel.post({ type: 'error', message });
    }
  }
}

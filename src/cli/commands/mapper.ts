/**
 * `toposcope mapper ACT [--labels F] [--predictions F] [--lens …] [--cover …] [--intervals 20] [--overlap 0.3]
 * [--eps auto|X] [--eps-quantile 0.9] [--min-samples 5] [--metric …] [--noise drop|node] [--out graph.json]`:
 * one mapper graph (DESIGN.md §5, §11). The mapper options are shared with `compare` and `weak-regions`.
 */
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { runJob } from '../../core/jobs/run';
import type { LensName, MapperGraph, MapperParams } from '../../core/mapper/types';
import { emit, exitWithError, formatTable, progressOptions } from '../output';

export interface MapperCliOptions {
  lens?: string;
  densityBandwidth?: number | 'auto';
  cover?: MapperParams['cover'];
  intervals?: number;
  overlap?: number;
  clusterer?: MapperParams['clusterer'];
  eps?: number | 'auto';
  epsQuantile?: number;
  minSamples?: number;
  metric?: MapperParams['metric'];
  noise?: MapperParams['noise'];
  linkageBins?: number;
}

const number = (v: string): number => {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x)) throw new InvalidArgumentError(`"${v}" is not a number`);
  return x;
};
const integer = (v: string): number => {
  const x = number(v);
  if (!Number.isInteger(x)) throw new InvalidArgumentError(`"${v}" is not an integer`);
  return x;
};
const autoOrNumber = (v: string): number | 'auto' => (v === 'auto' ? 'auto' : number(v));
const choice =
  <T extends string>(allowed: readonly T[]) =>
  (v: string): T => {
    if (!allowed.includes(v as T)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
    return v as T;
  };

export const parseNumber = number;
export const parseInteger = integer;

/** Adds the mapper options of DESIGN.md §11 to a command. */
export function addMapperOptions(cmd: Command): Command {
  return cmd
    .option(
      '--lens <lens>',
      'l2norm, linf, mean, pca1, density, eccentricity, coordinate:I, or file:TENSOR (default l2norm)',
    )
    .option('--density-bandwidth <h>', 'Gaussian KDE bandwidth of the density lens, or auto', autoOrNumber)
    .option(
      '--cover <kind>',
      'uniform, balanced or keplermapper (default uniform)',
      choice(['uniform', 'balanced', 'keplermapper'] as const),
    )
    .option('--intervals <n>', 'number of cover intervals (default 20)', integer)
    .option('--overlap <p>', 'overlap of neighbouring intervals, in [0, 1) (default 0.3)', number)
    .option(
      '--clusterer <kind>',
      'dbscan or single-linkage (default dbscan)',
      choice(['dbscan', 'single-linkage'] as const),
    )
    .option('--eps <eps>', 'DBSCAN radius, or auto for the k-distance quantile (default auto)', autoOrNumber)
    .option('--eps-quantile <q>', 'quantile of the k-distance rule (default 0.9)', number)
    .option('--min-samples <k>', 'DBSCAN minSamples, counting the point itself (default 5)', integer)
    .option(
      '--metric <metric>',
      'euclidean or cosine (default euclidean)',
      choice(['euclidean', 'cosine'] as const),
    )
    .option(
      '--noise <policy>',
      "drop DBSCAN noise, or make each interval's noise one node (default drop)",
      choice(['drop', 'node'] as const),
    )
    .option('--linkage-bins <n>', 'histogram bins of the single-linkage gap cut (default 10)', integer);
}

/** The mapper parameters given on the command line (unset options stay unset: defaults apply later). */
export function mapperParamsFrom(o: MapperCliOptions): MapperParams {
  const p: MapperParams = {
    lens: o.lens as LensName | undefined,
    densityBandwidth: o.densityBandwidth,
    cover: o.cover,
    intervals: o.intervals,
    overlap: o.overlap,
    clusterer: o.clusterer,
    eps: o.eps,
    epsQuantile: o.epsQuantile,
    minSamples: o.minSamples,
    metric: o.metric,
    noise: o.noise,
    linkageBins: o.linkageBins,
  };
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as MapperParams;
}

export function summaryTable(g: MapperGraph): string {
  const s = g.summary;
  const p = g.parameters;
  const rows: [string, string | number][] = [
    ['eps', p.eps],
    ['nodes', s.nodes],
    ['edges', s.edges],
    ['points in graph', s.pointsInGraph],
    ['points dropped', s.pointsDropped],
    ['  noise', s.droppedByReason.noise],
    ['  small preimage', s.droppedByReason.smallPreimage],
    ['weighted purity', s.weightedPurity ?? '—'],
    ['mean accuracy', s.meanAccuracy ?? '—'],
    ['seconds', s.seconds],
  ];
  if (s.droppedByReason.uncovered > 0) rows.splice(7, 0, ['  uncovered', s.droppedByReason.uncovered]);
  return formatTable(
    ['', 'value'],
    rows.map(([k, v]) => [k, v]),
  );
}

function nodeTable(g: MapperGraph): string {
  return formatTable(
    ['node', 'interval', 'size', 'lens mean', 'purity', 'accuracy'],
    g.nodes.map((v) => [v.id, v.interval, v.size, v.lensMean, v.purity ?? '—', v.accuracy ?? '—']),
  );
}

export function registerMapper(program: Command): void {
  addMapperOptions(
    program
      .command('mapper')
      .description('build one mapper graph of an activation matrix')
      .argument('<activations>', 'N×D activations (file or file:key)')
      .option('--labels <file>', 'true labels, one per row')
      .option('--predictions <file>', 'predicted labels (or N×K scores), one per row'),
  )
    .option('--out <graph.json>', 'write the graph as JSON')
    .option('--json', 'print one JSON object')
    .action(
      async (
        activations: string,
        opts: MapperCliOptions & { labels?: string; predictions?: string; out?: string; json?: boolean },
      ) => {
        const progress = progressOptions();
        try {
          const graph = await runJob(
            'mapper',
            { activations, labels: opts.labels, predictions: opts.predictions, ...mapperParamsFrom(opts) },
            progress,
          );
          progress.done();
          if (opts.out) await writeFile(opts.out, JSON.stringify(graph));
          emit(opts, graph, () => `${summaryTable(graph)}\n\n${nodeTable(graph)}`);
        } catch (err) {
          progress.done();
          exitWithError(err);
        }
      },
    );
}

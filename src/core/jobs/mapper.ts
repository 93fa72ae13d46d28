/**
 * The mapper jobs (DESIGN.md §5, §11): `mapper` (one graph), `compare` (several sets with one resolved ε),
 * `weakRegions` (ranking and refinement set) and `kDistance` (the curve for choosing ε). A worker keeps
 * the last data sets' sessions, so a parameter change in the panel re-clusters without re-reading the file
 * or recomputing the lens.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors';
import { loadSamples } from '../io/manifest';
import { loadMapperInput, readLabels, type MapperFiles } from '../mapper/load';
import { MapperSession } from '../mapper/mapper';
import { refinementSet, REFINE_FRACTION } from '../mapper/refinement';
import type {
  KDistanceCurve,
  MapperGraph,
  MapperParams,
  Metric,
  RefinementSet,
  ResolvedMapperParams,
  WeakRegion,
} from '../mapper/types';
import { MAPPER_DEFAULTS } from '../mapper/types';
import { rankWeakRegions, WEAK_THRESHOLD } from '../mapper/weak-regions';
import { loadSpec } from '../spec/spec';
import type { JobContext, JobHandlers } from './types';

export interface MapperJobParams extends MapperParams {
  /** Tensor spec (`file` or `file:key`) of the N×D activations. */
  activations: string;
  labels?: string;
  predictions?: string;
  /** Include every row's lens value in the result. */
  includeLens?: boolean;
}

export interface CompareSetParams {
  name: string;
  epsilon?: number;
  activations: string;
  predictions?: string;
  /** Overrides the comparison-wide labels. */
  labels?: string;
}

export interface CompareJobParams extends MapperParams {
  /** An analysis spec (`*.toposcope.json`); its sets, labels and mapper options (explicit options win). */
  spec?: string;
  sets?: CompareSetParams[];
  labels?: string;
}

export interface CompareSetResult {
  name: string;
  epsilon: number | null;
  summary: MapperGraph['summary'];
  graph: MapperGraph;
}

export interface CompareJobResult {
  /** Resolved once on the first set; every set used exactly these. */
  parameters: ResolvedMapperParams;
  kDistance?: KDistanceCurve;
  sets: CompareSetResult[];
}

export interface WeakRegionsJobParams extends MapperParams {
  /** A graph saved by `mapper --out` (its files name the labels and predictions), or … */
  graph?: string;
  /** … the activations to build the graph from. */
  activations?: string;
  labels?: string;
  predictions?: string;
  threshold?: number;
  /** With trainSize: build the refinement set. */
  refineFraction?: number;
  trainSize?: number;
  /** Manifest, image folder or image .npy, for the refinement set's file column. */
  samples?: string;
}

export interface WeakRegionsJobResult {
  threshold: number;
  regions: WeakRegion[];
  refinement: RefinementSet | null;
  summary: MapperGraph['summary'];
}

export interface KDistanceJobParams {
  activations: string;
  minSamples?: number;
  epsQuantile?: number;
  metric?: Metric;
}

declare module './types' {
  interface JobTypes {
    mapper: { params: MapperJobParams; result: MapperGraph };
    compare: { params: CompareJobParams; result: CompareJobResult };
    weakRegions: { params: WeakRegionsJobParams; result: WeakRegionsJobResult };
    kDistance: { params: KDistanceJobParams; result: KDistanceCurve };
  }
}

/** Sessions by file identity (path, size, mtime): the worker's live re-clustering reuses them. */
const SESSIONS_KEPT = 3;
const sessions = new Map<string, MapperSession>();

async function identity(spec: string | undefined): Promise<string> {
  if (!spec) return '-';
  const file = spec.replace(/:[^:/\\]*$/, '');
  try {
    const s = await stat(file);
    return `${spec}@${s.size}@${s.mtimeMs}`;
  } catch {
    return spec;
  }
}

function lensFileOf(params: MapperParams): string | undefined {
  return params.lens?.startsWith('file:') ? params.lens.slice(5) : undefined;
}

export async function mapperSession(files: MapperFiles): Promise<MapperSession> {
  const key = (
    await Promise.all([files.activations, files.labels, files.predictions, files.lensFile].map(identity))
  ).join('|');
  let session = sessions.get(key);
  if (session) {
    sessions.delete(key);
  } else {
    session = new MapperSession(await loadMapperInput(files));
  }
  sessions.set(key, session);
  while (sessions.size > SESSIONS_KEPT) sessions.delete(sessions.keys().next().value!);
  return session;
}

function mapperOptions<T extends MapperParams>(p: T): MapperParams {
  const keys = Object.keys(MAPPER_DEFAULTS) as (keyof MapperParams)[];
  return Object.fromEntries(keys.filter((k) => p[k] !== undefined).map((k) => [k, p[k]])) as MapperParams;
}

function absolute(spec: string | undefined): string | undefined {
  return spec === undefined ? undefined : path.resolve(spec);
}

async function runMapper(params: MapperJobParams, ctx: JobContext): Promise<MapperGraph> {
  const files = {
    activations: absolute(params.activations)!,
    labels: absolute(params.labels),
    predictions: absolute(params.predictions),
  };
  const session = await mapperSession({ ...files, lensFile: lensFileOf(params) });
  ctx.throwIfCancelled();
  const graph = session.run(mapperOptions(params), { ctx, includeLens: params.includeLens });
  graph.files = Object.fromEntries(Object.entries(files).filter(([, v]) => v)) as MapperGraph['files'];
  return graph;
}

async function compareSets(params: CompareJobParams, ctx: JobContext): Promise<CompareJobResult> {
  let sets = params.sets ?? [];
  let labels = params.labels;
  let options = mapperOptions(params);
  if (params.spec) {
    const spec = await loadSpec(params.spec);
    if (sets.length === 0) sets = spec.sets ?? [];
    labels ??= spec.labels;
    options = { ...spec.mapper, ...options };
  }
  if (sets.length === 0) throw new InputError(params.spec ?? '', 'no sets to compare', 'bad-spec');
  const results: CompareSetResult[] = [];
  let resolved: ResolvedMapperParams | undefined;
  let kDistance: KDistanceCurve | undefined;
  for (const [i, set] of sets.entries()) {
    ctx.progress(i / sets.length, `set ${set.name}`);
    const graph = await runMapper(
      {
        ...options,
        ...(resolved ? { eps: resolved.eps } : {}),
        activations: set.activations,
        labels: set.labels ?? labels,
        predictions: set.predictions,
      },
      quietProgress(ctx),
    );
    if (!resolved) {
      resolved = graph.parameters;
      kDistance = graph.kDistance;
    } else {
      // every set reports the first set's resolution of eps, which it used
      graph.parameters = { ...graph.parameters, epsAuto: resolved.epsAuto };
    }
    results.push({ name: set.name, epsilon: set.epsilon ?? null, summary: graph.summary, graph });
  }
  ctx.progress(1);
  return { parameters: resolved!, ...(kDistance ? { kDistance } : {}), sets: results };
}

/** The context of a sub-step: cancellable, but its progress is reported by the caller. */
function quietProgress(ctx: JobContext): JobContext {
  return {
    progress: () => undefined,
    throwIfCancelled: () => ctx.throwIfCancelled(),
    get cancelled() {
      return ctx.cancelled;
    },
    log: (message) => ctx.log(message),
  };
}

async function readGraph(file: string): Promise<MapperGraph> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not a JSON mapper graph';
    throw new InputError(
      file,
      reason,
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not-found' : 'bad-header',
    );
  }
  const g = doc as Partial<MapperGraph>;
  if (!Array.isArray(g.nodes) || !g.summary || !g.nodes.every((v) => Array.isArray(v?.members))) {
    throw new InputError(
      file,
      'not a mapper graph (expected nodes with members, as `mapper --out` writes)',
      'bad-header',
    );
  }
  return g as MapperGraph;
}

async function weakRegions(params: WeakRegionsJobParams, ctx: JobContext): Promise<WeakRegionsJobResult> {
  let graph: MapperGraph;
  let labelsFile = params.labels;
  let predictionsFile = params.predictions;
  if (params.graph) {
    graph = await readGraph(params.graph);
    labelsFile ??= graph.files?.labels;
    predictionsFile ??= graph.files?.predictions;
  } else if (params.activations) {
    graph = await runMapper(
      {
        ...mapperOptions(params),
        activations: params.activations,
        labels: labelsFile,
        predictions: predictionsFile,
      },
      ctx,
    );
  } else {
    throw new InputError('', 'weak regions need a graph file or activations', 'bad-parameter');
  }
  const threshold = params.threshold ?? WEAK_THRESHOLD;
  const regions = rankWeakRegions(graph.nodes, threshold);
  let refinement: RefinementSet | null = null;
  if (params.trainSize !== undefined) {
    if (!labelsFile || !predictionsFile) {
      throw new InputError(
        params.graph ?? '',
        'the refinement set needs labels and predictions',
        'bad-parameter',
      );
    }
    const [labels, predictions] = await Promise.all([readLabels(labelsFile), readLabels(predictionsFile)]);
    const files = params.samples ? (await loadSamples(params.samples)).files : undefined;
    refinement = refinementSet(
      regions,
      graph.nodes,
      labels,
      predictions,
      params.refineFraction ?? REFINE_FRACTION,
      params.trainSize,
      files,
    );
  }
  return { threshold, regions, refinement, summary: graph.summary };
}

async function kDistance(params: KDistanceJobParams, ctx: JobContext): Promise<KDistanceCurve> {
  const session = await mapperSession({ activations: path.resolve(params.activations) });
  ctx.throwIfCancelled();
  return session.kDistance(
    params.minSamples ?? MAPPER_DEFAULTS.minSamples,
    params.epsQuantile ?? MAPPER_DEFAULTS.epsQuantile,
    params.metric ?? MAPPER_DEFAULTS.metric,
  );
}

export const mapperJobs: Pick<JobHandlers, 'mapper' | 'compare' | 'weakRegions' | 'kDistance'> = {
  mapper: runMapper,
  compare: compareSets,
  weakRegions,
  kDistance,
};

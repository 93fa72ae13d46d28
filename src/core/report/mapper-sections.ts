/**
 * The mapper part of a report: every set of an analysis spec through the mapper engine with one set of
 * resolved parameters (ε resolved on the first set and reused, DESIGN.md §5), as a comparison page and
 * one mapper page per set.
 */
import path from 'node:path';
import { InputError } from '../errors';
import { readTensorFile } from '../io/read';
import { sizeOf, toFloat32, toLabels } from '../io/tensor';
import { silentContext } from '../jobs/context';
import type { JobContext } from '../jobs/types';
import { buildMapper } from '../mapper/mapper';
import type { MapperGraph, MapperParams } from '../mapper/types';
import { compareViewData, mapperViewData, type CompareSetInput } from './view-data';
import type { ReportSection } from './write-report';

/** The part of an analysis spec the mapper report reads (paths absolute). */
export interface MapperReportSpec {
  name?: string;
  classes?: string[];
  labels?: string;
  sets: { name: string; epsilon: number; activations: string; predictions?: string }[];
  mapper?: MapperParams;
}

export interface MapperSectionsOptions {
  /** Absolute image path of every row (from the sample manifest), linked relative to the report. */
  sampleFiles?: string[];
  outDir: string;
  ctx?: JobContext;
}

export interface ComputedSet extends CompareSetInput {
  graph: MapperGraph;
}

async function readMatrix(spec: string): Promise<{ x: Float32Array; n: number; d: number }> {
  const t = await readTensorFile(spec);
  if (t.shape.length < 1 || t.shape[0] < 1)
    throw new InputError(spec, 'activations need at least one row', 'shape-mismatch');
  const n = t.shape[0];
  return { x: toFloat32(t), n, d: sizeOf(t.shape) / n };
}

/** Graphs of every set: the first set resolves ε (if "auto"), the others reuse that number. */
export async function computeSets(
  spec: MapperReportSpec,
  ctx: JobContext = silentContext,
): Promise<{
  labels?: Int32Array;
  sets: ComputedSet[];
}> {
  if (spec.sets.length === 0) throw new InputError('', 'the spec lists no sets', 'bad-spec');
  const labels = spec.labels ? toLabels(await readTensorFile(spec.labels)) : undefined;
  const sets: ComputedSet[] = [];
  let params: MapperParams = { ...spec.mapper };
  for (const [i, s] of spec.sets.entries()) {
    ctx.throwIfCancelled();
    ctx.progress(i / spec.sets.length, `set ${s.name}`);
    const { x, n, d } = await readMatrix(s.activations);
    const predictions = s.predictions ? toLabels(await readTensorFile(s.predictions)) : undefined;
    const graph = buildMapper({ x, n, d, labels, predictions }, params, { ctx });
    if (i === 0) params = { ...params, eps: graph.parameters.eps };
    sets.push({ name: s.name, epsilon: s.epsilon, graph, predictions });
  }
  ctx.progress(1);
  return { labels, sets };
}

/** Report sections: the ε comparison (two or more sets) and one mapper page per set. */
export async function mapperSections(
  spec: MapperReportSpec,
  o: MapperSectionsOptions,
): Promise<ReportSection[]> {
  const { labels, sets } = await computeSets(spec, o.ctx);
  const sampleSrcs = o.sampleFiles?.map((f) => path.relative(o.outDir, f).split(path.sep).join('/'));
  const title = spec.name ?? 'Mapper analysis';
  const common = {
    classes: spec.classes,
    labels,
    live: false,
    hasSamples: sampleSrcs !== undefined,
    sampleSrcs,
  };
  const sections: ReportSection[] = [];
  if (sets.length > 1) {
    sections.push({
      id: 'comparison',
      title: `${title}: ε comparison`,
      view: 'compare',
      state: compareViewData(sets, { ...common, title }),
      stats: [
        { label: 'sets', value: sets.length },
        {
          label: 'weighted purity',
          value: sets.map((s) => `${s.name} ${s.graph.summary.weightedPurity?.toFixed(3) ?? '—'}`).join(', '),
        },
      ],
    });
  }
  sets.forEach((s, i) => {
    const sm = s.graph.summary;
    sections.push({
      id: `set-${i}`,
      title: `${title}: ${s.name}`,
      view: 'mapper',
      state: mapperViewData(s.graph, { ...common, title: `${title}: ${s.name}`, predictions: s.predictions }),
      stats: [
        { label: 'nodes', value: sm.nodes, testId: 'node-count' },
        { label: 'edges', value: sm.edges, testId: 'edge-count' },
        { label: 'dropped points', value: sm.pointsDropped },
        { label: 'weighted purity', value: sm.weightedPurity === null ? '—' : sm.weightedPurity.toFixed(4) },
        { label: 'mean accuracy', value: sm.meanAccuracy === null ? '—' : sm.meanAccuracy.toFixed(4) },
        { label: 'ε', value: s.graph.parameters.eps.toPrecision(4) },
      ],
    });
  });
  return sections;
}

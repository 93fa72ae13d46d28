/**
 * What the mapper-family views receive, built from the mapper engine's graphs: the panel host and the
 * static report send exactly this. Per-row lens values and the cover stay behind (the views never need
 * them); per-row labels and predictions go along for the weak-region table and the refinement set.
 */
import type { MapperGraph } from '../mapper/types';
import type { CompareData, GraphView, MapperData } from '../../../webview/shared/protocol';

export interface ViewDataOptions {
  title: string;
  classes?: string[];
  labels?: Int32Array;
  predictions?: Int32Array;
  /** Whether the host answers parameter changes (false in the report). */
  live: boolean;
  hasSamples: boolean;
  /** Per-row image paths relative to the report page (report only). */
  sampleSrcs?: string[];
}

/** Class names: the given ones, else "0"…"K−1" for the K classes the graph counted. */
export function classNames(graph: MapperGraph, classes?: string[]): string[] {
  if (classes && classes.length > 0) return classes;
  const k = graph.summary.classes || (graph.nodes.find((n) => n.labelCounts)?.labelCounts?.length ?? 0);
  return Array.from({ length: k }, (_, i) => String(i));
}

export function graphView(graph: MapperGraph): GraphView {
  return {
    parameters: graph.parameters,
    summary: { ...graph.summary, droppedByReason: { ...graph.summary.droppedByReason } },
    nodes: graph.nodes,
    edges: graph.edges,
    kDistance: graph.kDistance,
  };
}

export function mapperViewData(graph: MapperGraph, o: ViewDataOptions): MapperData {
  return {
    title: o.title,
    graph: graphView(graph),
    classes: classNames(graph, o.classes),
    labels: o.labels ? Array.from(o.labels) : undefined,
    predictions: o.predictions ? Array.from(o.predictions) : undefined,
    live: o.live,
    hasSamples: o.hasSamples,
    sampleSrcs: o.sampleSrcs,
  };
}

export interface CompareSetInput {
  name: string;
  epsilon: number;
  graph: MapperGraph;
  predictions?: Int32Array;
}

export function compareViewData(sets: CompareSetInput[], o: ViewDataOptions): CompareData {
  return {
    title: o.title,
    classes: sets.length > 0 ? classNames(sets[0].graph, o.classes) : (o.classes ?? []),
    labels: o.labels ? Array.from(o.labels) : undefined,
    sets: sets.map((s) => ({
      name: s.name,
      epsilon: s.epsilon,
      graph: graphView(s.graph),
      predictions: s.predictions ? Array.from(s.predictions) : undefined,
    })),
    live: o.live,
    hasSamples: o.hasSamples,
    sampleSrcs: o.sampleSrcs,
  };
}

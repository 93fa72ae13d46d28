/**
 * The polytope view's data as plain JSON, for the static report (the page embeds it in `data-state`, where
 * typed arrays would not survive JSON.stringify), and back to the typed form the view draws.
 */
import { array, object, record, str, unknownValue, type Infer } from '../shared/schema';
import { polytopeUiState, regionData, sweepData, type RegionData, type SweepData } from './protocol';

const TYPED_FIELDS = {
  offsets: Uint32Array,
  coords: Float64Array,
  areas: Float64Array,
  predictions: Int32Array,
  pointCounts: Int32Array,
  fiedlerUnweighted: Float64Array,
  fiedlerWeighted: Float64Array,
  dualEdges: Uint32Array,
  centroids: Float64Array,
  anchors: Float64Array,
} as const;

export const polytopeReportState = object({
  ui: polytopeUiState,
  /** RegionData in JSON form (typed arrays as lists), by the view's request key. */
  regions: record(unknownValue),
  sweep: unknownValue,
  notes: array(str),
});
export type PolytopeReportState = Infer<typeof polytopeReportState>;

export function regionDataToJson(d: RegionData): unknown {
  const out: Record<string, unknown> = { ...d };
  for (const k of Object.keys(TYPED_FIELDS)) {
    const v = out[k];
    if (ArrayBuffer.isView(v)) out[k] = Array.from(v as Float64Array);
  }
  if (d.points) out.points = { coords: Array.from(d.points.coords), labels: Array.from(d.points.labels) };
  return out;
}

export function regionDataFromJson(x: unknown): RegionData {
  if (typeof x !== 'object' || x === null) return regionData(x);
  const o: Record<string, unknown> = { ...(x as Record<string, unknown>) };
  for (const [k, ctor] of Object.entries(TYPED_FIELDS)) {
    if (Array.isArray(o[k])) o[k] = ctor.from(o[k] as number[]);
  }
  const p = o.points as { coords?: unknown; labels?: unknown } | null | undefined;
  if (p && Array.isArray(p.coords) && Array.isArray(p.labels)) {
    o.points = {
      coords: Float64Array.from(p.coords as number[]),
      labels: Int32Array.from(p.labels as number[]),
    };
  }
  return regionData(o);
}

export function sweepFromJson(x: unknown): SweepData | null {
  return x === null || x === undefined ? null : sweepData(x);
}

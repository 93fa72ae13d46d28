/** Per-face fill colours for a colouring mode, and the hover description of one face. */
import { classColour, countColour, fiedlerColour, patternColour, type ColourMode } from './colour';
import type { RegionData } from './protocol';

export function regionFills(d: RegionData, mode: ColourMode): string[] {
  const n = d.offsets.length - 1;
  const out = new Array<string>(n);
  switch (mode) {
    case 'prediction':
      for (let f = 0; f < n; f++) out[f] = classColour(d.predictions[f]);
      return out;
    case 'pattern':
      for (let f = 0; f < n; f++) out[f] = patternColour(d.patterns[f]);
      return out;
    case 'fiedler-unweighted':
    case 'fiedler-weighted': {
      const v = mode === 'fiedler-weighted' ? d.fiedlerWeighted : d.fiedlerUnweighted;
      const maxAbs = v ? v.reduce((m, x) => Math.max(m, Math.abs(x)), 0) : 0;
      for (let f = 0; f < n; f++) out[f] = fiedlerColour(v ? v[f] : 0, maxAbs);
      return out;
    }
    case 'points': {
      const max = d.pointCounts.reduce((m, c) => Math.max(m, c), 0);
      for (let f = 0; f < n; f++) out[f] = countColour(d.pointCounts[f], max);
      return out;
    }
  }
}

/** One line per fact: what hover shows for a face. */
export function describeRegion(d: RegionData, face: number): string[] {
  const lines = [
    `region ${face}`,
    `pattern ${d.patterns[face]}`,
    `area ${formatArea(d.areas[face])}`,
    `training points ${d.pointCounts[face]}`,
    `prediction ${d.predictions[face]}`,
  ];
  if (d.fiedlerUnweighted) lines.push(`Fiedler (unweighted) ${d.fiedlerUnweighted[face].toExponential(2)}`);
  if (d.fiedlerWeighted) lines.push(`Fiedler (weighted) ${d.fiedlerWeighted[face].toExponential(2)}`);
  return lines;
}

function formatArea(a: number): string {
  return a >= 1e-3 ? a.toFixed(4) : a.toExponential(2);
}

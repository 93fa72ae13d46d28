/**
 * Region colours for each colouring mode. Pure functions returning CSS colour strings, so the same
 * choice is made by the canvas, the legend, and the tests.
 */
import { labelColor, MISSING_COLOR, sequentialColor } from '../shared/colors';

export const COLOUR_MODES = [
  'prediction',
  'pattern',
  'fiedler-unweighted',
  'fiedler-weighted',
  'points',
] as const;
export type ColourMode = (typeof COLOUR_MODES)[number];

export const COLOUR_MODE_LABELS: Record<ColourMode, string> = {
  prediction: 'Predicted class',
  pattern: 'Activation pattern',
  'fiedler-unweighted': 'Fiedler sign (unweighted)',
  'fiedler-weighted': 'Fiedler sign (weighted)',
  points: 'Training points',
};

/** Class colours as in the mapper views; a negative class (no prediction) is grey. */
export function classColour(k: number): string {
  return k < 0 ? MISSING_COLOR : labelColor(k, 10);
}

/** FNV-1a over the pattern's characters: equal patterns always get equal colours, across checkpoints too. */
export function hashPattern(pattern: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < pattern.length; i++) {
    h ^= pattern.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function patternColour(pattern: string): string {
  const h = hashPattern(pattern);
  // hue from the hash times the golden angle spreads nearby hashes apart; saturation and lightness vary a little
  const hue = ((h % 3600) * 0.1 * 137.508) % 360;
  const sat = 45 + ((h >>> 12) % 30);
  const light = 45 + ((h >>> 20) % 20);
  return `hsl(${hue.toFixed(1)}, ${sat}%, ${light}%)`;
}

/** Positive side blue, negative side orange, zero grey; intensity grows with |v| / max|v|. */
export function fiedlerColour(v: number, maxAbs: number): string {
  if (!(maxAbs > 0) || v === 0 || !Number.isFinite(v)) return 'rgb(128, 128, 128)';
  const t = 0.35 + 0.65 * Math.min(1, Math.abs(v) / maxAbs);
  const [r, g, b] = v > 0 ? [78, 121, 167] : [242, 142, 44];
  // blend toward a mid grey so weak entries read as uncertain: c' = 128 + t (c − 128)
  const mix = (c: number) => Math.round(128 + t * (c - 128));
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

/** Sequential scale on log(1 + count) so a few dense regions do not wash out the rest; zero is translucent grey. */
export function countColour(count: number, maxCount: number): string {
  if (count <= 0 || maxCount <= 0) return 'rgba(128, 128, 128, 0.25)';
  return sequentialColor(Math.log1p(count) / Math.log1p(maxCount));
}

/**
 * Colour scales of the mapper views: one categorical colour per class, and sequential scales for node
 * statistics (accuracy and purity run red → green so weak regions stand out in every theme).
 */
import {
  interpolateRainbow,
  interpolateRdYlGn,
  interpolateViridis,
  schemeTableau10,
} from 'd3-scale-chromatic';

export function labelColor(k: number, classCount: number): string {
  return classCount <= 10 ? schemeTableau10[k % 10] : interpolateRainbow(k / Math.max(1, classCount));
}

/** t in [0, 1]; 0 = bad (red), 1 = good (green). */
export function goodBadColor(t: number): string {
  return interpolateRdYlGn(Math.min(1, Math.max(0, t)));
}

export function sequentialColor(t: number): string {
  return interpolateViridis(Math.min(1, Math.max(0, t)));
}

export const MISSING_COLOR = '#9e9e9e';

/** Small pure pieces of the polytope view's state, kept apart from the DOM so they can be tested. */
import type { Box, SweepData } from './protocol';

/** One key per distinct computation: the checkpoint, the box (null = default) and the slice anchors. */
export function requestKey(
  checkpoint: number | null,
  box: Box | null,
  anchors: [number, number, number] | null,
): string {
  return JSON.stringify([checkpoint, box, anchors]);
}

/** The loss at each checkpoint for the heat-map overlay; non-positive losses cannot go on a log axis. */
export function sweepLossSeries(s: SweepData): (number | null)[] {
  return s.checkpoints.map((c) => (c.loss !== null && c.loss > 0 ? c.loss : null));
}

/**
 * Which face holds each point: the point's activation pattern (bit = 1 iff z > 0) looked up among the face
 * patterns, falling back to a point-in-polygon scan for points on a boundary whose pattern names no face.
 */
import { forwardReluMlp, type ReluMlp } from '../model/relu-mlp';
import { facePatternTable } from './dual';
import { packPatterns } from './pattern-table';
import type { CellComplex } from './types';

function insideFace(c: CellComplex, f: number, x: number, y: number): boolean {
  const s0 = c.faceOffsets[f];
  const s1 = c.faceOffsets[f + 1];
  for (let i = s0; i < s1; i++) {
    const p = c.faceVertices[i];
    const q = c.faceVertices[i + 1 < s1 ? i + 1 : s0];
    const px = c.vertexXY[2 * p];
    const py = c.vertexXY[2 * p + 1];
    const cr = (c.vertexXY[2 * q] - px) * (y - py) - (c.vertexXY[2 * q + 1] - py) * (x - px);
    if (cr < -1e-12) return false; // counter-clockwise convex face: the point is left of every edge
  }
  return true;
}

/** Face index of each point (2·n coordinates in the domain), −1 outside the box. `mlp2d` takes 2-D input. */
export function locatePoints(c: CellComplex, mlp2d: ReluMlp, xy: Float64Array, n: number): Int32Array {
  const [x0, x1, y0, y1] = c.domain.box;
  const pre = new Float64Array(n * c.hidden);
  forwardReluMlp(mlp2d, xy, n, pre);
  const patterns = packPatterns(pre, n, c.hidden);
  const { table, faceOf } = facePatternTable(c);
  const out = new Int32Array(n);
  const F = c.faceArea.length;
  for (let i = 0; i < n; i++) {
    const x = xy[2 * i];
    const y = xy[2 * i + 1];
    if (x < x0 || x > x1 || y < y0 || y > y1) {
      out[i] = -1;
      continue;
    }
    const id = table.find(patterns, i * c.words);
    if (id >= 0) {
      out[i] = faceOf[id];
      continue;
    }
    out[i] = -1;
    for (let f = 0; f < F; f++) {
      if (insideFace(c, f, x, y)) {
        out[i] = f;
        break;
      }
    }
  }
  return out;
}

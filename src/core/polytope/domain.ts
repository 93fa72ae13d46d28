/**
 * The 2-D domain of the complex (DESIGN.md §7): a box around the training points, or an affine slice
 * through three samples of a higher-dimensional input folded into the network's first layer.
 */
import { readFile } from 'node:fs/promises';
import Papa from 'papaparse';
import { InputError } from '../errors';
import type { ReluMlp } from '../model/relu-mlp';
import type { Domain } from './types';

/** Points in the plane with integer class labels (labels may be absent: empty array). */
export interface LabelledPoints {
  n: number;
  /** 2·n coordinates */
  xy: Float64Array;
  labels: Int32Array;
}

/** The bounding box of the points with a margin of `margin` times each side's length (default 5 %). */
export function boxAround(xy: Float64Array, margin = 0.05): [number, number, number, number] {
  if (xy.length < 2) throw new InputError('', 'no points to take a bounding box of', 'bad-parameter');
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < xy.length; i += 2) {
    x0 = Math.min(x0, xy[i]);
    x1 = Math.max(x1, xy[i]);
    y0 = Math.min(y0, xy[i + 1]);
    y1 = Math.max(y1, xy[i + 1]);
  }
  // A degenerate side (all points on a line) gets a unit width so the box is never empty.
  const mx = (x1 - x0 || 1) * margin;
  const my = (y1 - y0 || 1) * margin;
  return [x0 - mx, x1 + mx, y0 - my, y1 + my];
}

/** Parses `x0,x1,y0,y1` into a box, refusing empty or non-finite ones. */
export function parseBox(text: string): [number, number, number, number] {
  const v = text.split(',').map((s) => Number(s.trim()));
  if (v.length !== 4 || !v.every(Number.isFinite) || !(v[1] > v[0] && v[3] > v[2])) {
    throw new InputError(
      '',
      `--box must be x0,x1,y0,y1 with x0 < x1 and y0 < y1, got '${text}'`,
      'bad-parameter',
    );
  }
  return [v[0], v[1], v[2], v[3]];
}

/**
 * Reads training points from a CSV with two coordinate columns and an optional label column (a header row
 * such as `x0,x1,label` is skipped).
 */
export async function readTrainingCsv(file: string): Promise<LabelledPoints> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InputError(file, 'file not found or unreadable', 'not-found');
  }
  const parsed = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true });
  const rows = parsed.data;
  if (rows.length > 0 && rows[0].some((c) => c.trim() !== '' && !Number.isFinite(Number(c)))) rows.shift();
  if (rows.length === 0) throw new InputError(file, 'no data rows', 'bad-header');
  const cols = rows[0].length;
  if (cols < 2) throw new InputError(file, 'needs at least two columns (x, y[, label])', 'shape-mismatch');
  const xy = new Float64Array(2 * rows.length);
  const labels = new Int32Array(cols >= 3 ? rows.length : 0);
  rows.forEach((r, i) => {
    if (r.length !== cols) {
      throw new InputError(file, `row ${i + 1} has ${r.length} columns, expected ${cols}`, 'shape-mismatch');
    }
    const x = Number(r[0]);
    const y = Number(r[1]);
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw new InputError(file, `row ${i + 1} has a non-numeric or non-finite coordinate`, 'non-finite');
    }
    xy[2 * i] = x;
    xy[2 * i + 1] = y;
    if (cols >= 3) {
      const lab = Number(r[cols - 1]);
      if (!Number.isInteger(lab))
        throw new InputError(file, `row ${i + 1} has a non-integer label`, 'bad-header');
      labels[i] = lab;
    }
  });
  return { n: rows.length, xy, labels };
}

/**
 * A 2-D slice through three samples p0, p1, p2 (rows of `inputs`, n × d): origin p0 and orthonormal axes
 * from Gram–Schmidt on p1 − p0, p2 − p0. Collinear anchors are refused. The box holds the three anchors in
 * (u, v) coordinates with a 5 % margin.
 */
export function sliceDomain(inputs: Float64Array, d: number, anchors: [number, number, number]): Domain {
  const n = inputs.length / d;
  for (const a of anchors) {
    if (!Number.isInteger(a) || a < 0 || a >= n) {
      throw new InputError('', `slice anchor ${a} is not a row index in 0…${n - 1}`, 'bad-parameter');
    }
  }
  const row = (i: number): Float64Array => inputs.slice(anchors[i] * d, anchors[i] * d + d);
  const origin = row(0);
  const e1 = row(1).map((v, j) => v - origin[j]);
  const e2 = row(2).map((v, j) => v - origin[j]);
  const norm = (v: Float64Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const n1 = norm(e1);
  if (n1 === 0) throw new InputError('', 'slice anchors 0 and 1 coincide', 'bad-parameter');
  const u = e1.map((v) => v / n1);
  const proj = e2.reduce((s, x, j) => s + x * u[j], 0);
  const w = e2.map((v, j) => v - proj * u[j]); // Gram–Schmidt: e2 − (e2·u)u
  const n2 = norm(w);
  if (n2 <= 1e-9 * Math.max(n1, norm(e2))) {
    throw new InputError('', 'slice anchors are collinear: they do not span a plane', 'bad-parameter');
  }
  const v = w.map((x) => x / n2);
  const uv = new Float64Array([0, 0, n1, 0, proj, n2]);
  return { box: boxAround(uv), slice: { origin, axes: [u, v], anchors } };
}

/** The network restricted to a slice: W₁' = W₁·[u v], b₁' = b₁ + W₁·origin; later layers unchanged. */
export function sliceNetwork(mlp: ReluMlp, domain: Domain): ReluMlp {
  if (!domain.slice) return mlp;
  const { origin, axes } = domain.slice;
  const d = mlp.widths[0];
  if (origin.length !== d) {
    throw new InputError(
      '',
      `slice points have ${origin.length} coordinates, the network takes ${d}`,
      'bad-model',
    );
  }
  const rows = mlp.widths[1];
  const w1 = mlp.weights[0];
  const w = new Float64Array(rows * 2);
  const b = Float64Array.from(mlp.biases[0]);
  for (let i = 0; i < rows; i++) {
    let a = 0;
    let c = 0;
    let o = 0;
    for (let j = 0; j < d; j++) {
      const wij = w1[i * d + j];
      a += wij * axes[0][j];
      c += wij * axes[1][j];
      o += wij * origin[j];
    }
    w[2 * i] = a;
    w[2 * i + 1] = c;
    b[i] += o;
  }
  return {
    widths: [2, ...mlp.widths.slice(1)],
    weights: [w, ...mlp.weights.slice(1)],
    biases: [b, ...mlp.biases.slice(1)],
  };
}

/**
 * The exact 2-D cell complex of a ReLU MLP by face-explicit edge subdivision (notes/polytope.md): hidden
 * neurons cut the faces one at a time; every vertex's sign for a neuron is decided once and stored, new
 * vertices on an edge are shared by both faces through a pair-keyed map, and edges are read off the face
 * cycles at the end. Topology comes only from stored discrete decisions, so the result is always a valid
 * planar subdivision.
 */
import { InputError } from '../errors';
import type { ReluMlp } from '../model/relu-mlp';
import type { CellComplex, Domain } from './types';

export interface ComplexOptions {
  /** Called after each hidden neuron (done, total): the job reports progress and checks cancellation. */
  onNeuron?: (done: number, total: number) => void;
  /** Called once per face whose split was numerically inconsistent and had to be repaired. */
  onRepair?: (message: string) => void;
}

/** Relative threshold under which a pre-activation counts as zero: τ = 1e-10·max(1, max|z|). */
const ZERO_TOLERANCE = 1e-10;

/**
 * out[o + i] = b_i + Σ_t wT[rowOf[t] + i]·input[t] (z = W a + b over the `count` non-zero inputs). Four inputs
 * per pass over the output row halve the loads and stores of `out`; each sum is still accumulated input by
 * input in the same order, so the result is bit-identical to one input per pass.
 */
function addLinear(
  out: Float64Array,
  o: number,
  b: Float64Array,
  wT: Float64Array,
  rowOf: Int32Array,
  input: Float64Array,
  count: number,
): void {
  const rows = b.length;
  for (let i = 0; i < rows; i++) out[o + i] = b[i];
  let t = 0;
  for (; t + 3 < count; t += 4) {
    const q0 = rowOf[t];
    const q1 = rowOf[t + 1];
    const q2 = rowOf[t + 2];
    const q3 = rowOf[t + 3];
    const a0 = input[t];
    const a1 = input[t + 1];
    const a2 = input[t + 2];
    const a3 = input[t + 3];
    for (let i = 0; i < rows; i++) {
      let s = out[o + i];
      s += wT[q0 + i] * a0;
      s += wT[q1 + i] * a1;
      s += wT[q2 + i] * a2;
      s += wT[q3 + i] * a3;
      out[o + i] = s;
    }
  }
  for (; t < count; t++) {
    const q = rowOf[t];
    const a = input[t];
    for (let i = 0; i < rows; i++) out[o + i] += wT[q + i] * a;
  }
}

function growInt32(a: Int32Array, need: number): Int32Array {
  if (need <= a.length) return a;
  const b = new Int32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

function growUint32(a: Uint32Array, need: number): Uint32Array {
  if (need <= a.length) return a;
  const b = new Uint32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/** Row-major per-vertex storage (row v at v·columns) that grows with the vertex count. */
function growRows<T extends Float64Array | Int8Array>(a: T, columns: number, newCap: number): T {
  const b = new (a.constructor as { new (n: number): T })(columns * newCap);
  b.set(a);
  return b;
}

/**
 * Builds the complex of a network with 2-D input over `domain.box` (for a slice, pass the network with the
 * slice folded into its first layer, see sliceNetwork).
 */
export function buildComplex(mlp: ReluMlp, domain: Domain, opts: ComplexOptions = {}): CellComplex {
  if (mlp.widths[0] !== 2) {
    throw new InputError(
      '',
      `the cell complex needs a 2-D input; this network takes ${mlp.widths[0]}`,
      'bad-model',
    );
  }
  const [x0, x1, y0, y1] = domain.box;
  if (!(x1 > x0 && y1 > y0) || ![x0, x1, y0, y1].every(Number.isFinite)) {
    throw new InputError('', `box [${domain.box.join(', ')}] is empty or not finite`, 'bad-parameter');
  }
  const L = mlp.weights.length - 1; // hidden layers
  const hiddenWidths = mlp.widths.slice(1, L + 1);
  const h = hiddenWidths.reduce((a, b) => a + b, 0);
  const words = Math.max(1, Math.ceil(h / 32));

  let cap = 64;
  let V = 4;
  let xy = new Float64Array(2 * cap);
  xy.set([x0, y0, x1, y0, x1, y1, x0, y1]);
  let signs = new Int8Array(h * cap); // row-major: neuron g of vertex v at v·h + g
  let sk = new Int8Array(cap); // the current neuron's decisions

  // Face f's cycle is buf[start[f] .. start[f] + len[f]); a split face rewrites its cycle at the end of buf
  // and its other half becomes a new face, so faces the neuron does not cut are never copied.
  let F = 1;
  let capF = 64;
  let start: Int32Array = new Int32Array(capF);
  let len: Int32Array = new Int32Array(capF);
  let buf: Int32Array = new Int32Array(256);
  buf.set([0, 1, 2, 3]);
  let bufLen = 4;
  len[0] = 4;
  let pat: Uint32Array = new Uint32Array(capF * words);

  let width = 0; // width of the layer being processed
  let Z = new Float64Array(0); // its pre-activations, row-major (neuron k of vertex v at v·width + k)

  const ensureVertex = (): void => {
    if (V < cap) return;
    const newCap = cap * 2;
    const nxy = new Float64Array(2 * newCap);
    nxy.set(xy);
    xy = nxy;
    signs = growRows(signs, h, newCap);
    Z = growRows(Z, width, newCap);
    const nsk = new Int8Array(newCap);
    nsk.set(sk);
    sk = nsk;
    cap = newCap;
  };

  let repairs = 0;
  let layerOffset = 0;
  const pairs = new Map<number, number>();
  for (let l = 0; l < L; l++) {
    const rows = mlp.widths[l + 1];
    const cols = mlp.widths[l];
    const w = mlp.weights[l];
    const b = mlp.biases[l];
    // Pre-activations of this layer at every current vertex, from the stored decisions of the previous one.
    const next = new Float64Array(rows * cap);
    const wT = new Float64Array(rows * cols); // Wᵀ, so each active input adds one contiguous row
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) wT[j * rows + i] = w[i * cols + j];
    const rowOf = new Int32Array(cols);
    const input = new Float64Array(cols);
    for (let v = 0; v < V; v++) {
      let active = 0;
      for (let j = 0; j < cols; j++) {
        // Inputs are x, y on the first layer; later, relu of the previous layer by its stored decisions.
        const a = l === 0 ? xy[2 * v + j] : signs[v * h + layerOffset - cols + j] > 0 ? Z[v * cols + j] : 0;
        if (a === 0) continue;
        rowOf[active] = j * rows;
        input[active++] = a;
      }
      addLinear(next, v * rows, b, wT, rowOf, input, active);
    }
    Z = next;
    width = rows;

    for (let k = 0; k < rows; k++) {
      const g = layerOffset + k;
      let zmax = 0;
      for (let v = 0; v < V; v++) zmax = Math.max(zmax, Math.abs(Z[v * width + k]));
      const tau = ZERO_TOLERANCE * Math.max(1, zmax);
      for (let v = 0; v < V; v++) {
        const z = Z[v * width + k];
        const s = z > tau ? 1 : z < -tau ? -1 : 0;
        sk[v] = s;
        signs[v * h + g] = s;
      }
      pairs.clear();
      const vertexOn = (a: number, c: number): number => {
        const key = a < c ? a * 4294967296 + c : c * 4294967296 + a;
        const found = pairs.get(key);
        if (found !== undefined) return found;
        ensureVertex();
        const m = V++;
        const za = Z[a * width + k];
        const zc = Z[c * width + k];
        const t = za / (za - zc); // exact: z is affine along an edge inside one region of earlier neurons
        xy[2 * m] = xy[2 * a] + t * (xy[2 * c] - xy[2 * a]);
        xy[2 * m + 1] = xy[2 * a + 1] + t * (xy[2 * c + 1] - xy[2 * a + 1]);
        const ra = a * width;
        const rc = c * width;
        const rm = m * width;
        for (let j = 0; j < width; j++) Z[rm + j] = Z[ra + j] + t * (Z[rc + j] - Z[ra + j]);
        Z[rm + k] = 0;
        const sa = a * h;
        const sc = c * h;
        const sm = m * h;
        for (let j = 0; j < g; j++) {
          const s = signs[sa + j];
          signs[sm + j] = s !== 0 ? s : signs[sc + j]; // the edge's sign: 0 only if it lies on that zero set
        }
        signs[sm + g] = 0;
        sk[m] = 0;
        pairs.set(key, m);
        return m;
      };

      const word = g >>> 5;
      const bit = 1 << (g & 31);
      const aug: number[] = [];
      let target = -1; // the face a split writes its first half to; the second half is a new face
      const pushFace = (
        verts: ArrayLike<number>,
        from: number,
        to: number,
        parent: number,
        on: boolean,
      ): void => {
        let f = target;
        if (f < 0) {
          if (F === capF) {
            capF *= 2;
            start = growInt32(start, capF);
            len = growInt32(len, capF);
            pat = growUint32(pat, capF * words);
          }
          f = F++;
          for (let q = 0; q < words; q++) pat[f * words + q] = pat[parent * words + q];
        }
        target = -1;
        const n = to - from;
        buf = growInt32(buf, bufLen + n);
        for (let i = 0; i < n; i++) buf[bufLen + i] = verts[from + i];
        start[f] = bufLen;
        len[f] = n;
        bufLen += n;
        if (on) pat[f * words + word] |= bit;
        else pat[f * words + word] &= ~bit;
      };

      const faces = F;
      for (let f = 0; f < faces; f++) {
        const s0 = start[f];
        const s1 = s0 + len[f];
        let pos = false;
        let neg = false;
        for (let i = s0; i < s1; i++) {
          const s = sk[buf[i]];
          if (s > 0) pos = true;
          else if (s < 0) neg = true;
        }
        if (!(pos && neg)) {
          let on = pos;
          if (!pos && !neg) {
            // Every vertex lies on the zero set (degenerate neuron): decide at the vertex mean.
            let zsum = 0;
            for (let i = s0; i < s1; i++) zsum += Z[buf[i] * width + k];
            on = zsum > 0;
          }
          if (on) pat[f * words + word] |= bit;
          else pat[f * words + word] &= ~bit;
          continue;
        }
        aug.length = 0;
        for (let i = s0; i < s1; i++) {
          const a = buf[i];
          const c = buf[i + 1 < s1 ? i + 1 : s0];
          aug.push(a);
          if (sk[a] * sk[c] < 0) aug.push(vertexOn(a, c));
        }
        target = f;
        splitFace(aug, f, sk, pushFace, (msg) => {
          repairs++;
          opts.onRepair?.(`neuron ${g}, face ${f}: ${msg}`);
        });
      }
      if (bufLen > 4 * (F + 16) * 8) {
        // Reclaim the cycles abandoned by splits once they dominate the buffer.
        const fresh = new Int32Array(bufLen);
        let at = 0;
        for (let f = 0; f < F; f++) {
          fresh.set(buf.subarray(start[f], start[f] + len[f]), at);
          start[f] = at;
          at += len[f];
        }
        buf = fresh;
        bufLen = at;
      }
      opts.onNeuron?.(g + 1, h);
    }
    layerOffset += rows;
  }
  const off = new Int32Array(F + 1);
  for (let f = 0; f < F; f++) off[f + 1] = off[f] + len[f];
  const cyc = new Int32Array(off[F]);
  for (let f = 0; f < F; f++) cyc.set(buf.subarray(start[f], start[f] + len[f]), off[f]);
  return finishComplex(mlp, domain, hiddenWidths, h, words, {
    V,
    xy,
    signs,
    Z,
    width,
    F,
    off,
    cyc,
    pat,
    repairs,
  });
}

type PushFace = (verts: ArrayLike<number>, from: number, to: number, parent: number, on: boolean) => void;

/**
 * Splits one convex face whose cycle (with the new zero vertices inserted) has both signs: at the zero
 * vertex between the + run and the − run on each side. More than two sign runs is numerically inconsistent:
 * the face is kept whole, on the side of the majority of its vertices.
 */
function splitFace(
  aug: number[],
  parent: number,
  sk: Int8Array,
  pushFace: PushFace,
  repair: (m: string) => void,
): void {
  const n = aug.length;
  let start = -1; // a positive vertex preceded (cyclically, across zeros) by a negative one
  let changes = 0;
  let last = 0;
  for (let i = 0; i < 2 * n; i++) {
    const s = sk[aug[i % n]];
    if (s === 0) continue;
    if (last !== 0 && s !== last && i >= n) changes++;
    if (last < 0 && s > 0 && start < 0) start = i % n;
    last = s;
  }
  if (changes !== 2 || start < 0) {
    let balance = 0;
    for (const v of aug) balance += sk[v];
    repair(`${changes} sign changes around the face`);
    pushFace(aug, 0, n, parent, balance > 0);
    return;
  }
  // Rotate to start at that positive vertex: the + run (zeros may sit inside it), zeros, the − run, zeros.
  const rot = new Array<number>(n);
  for (let i = 0; i < n; i++) rot[i] = aug[(start + i) % n];
  let firstNeg = 0;
  while (sk[rot[firstNeg]] >= 0) firstNeg++;
  let lastPos = firstNeg - 1;
  while (sk[rot[lastPos]] === 0) lastPos--;
  let lastNeg = n - 1;
  while (sk[rot[lastNeg]] >= 0) lastNeg--;
  const zA = lastPos + 1; // a zero vertex always separates a + from a − (one was inserted on every such edge)
  const zB = lastNeg + 1;
  pushFace([...rot.slice(zB), ...rot.slice(0, zA + 1)], 0, n - zB + zA + 1, parent, true);
  pushFace(rot.slice(zA, zB + 1), 0, zB - zA + 1, parent, false);
}

interface BuildState {
  V: number;
  xy: Float64Array;
  signs: Int8Array;
  Z: Float64Array;
  width: number;
  F: number;
  off: Int32Array;
  cyc: Int32Array;
  pat: Uint32Array;
  repairs: number;
}

/** Edges from the face cycles, per-face area, centroid and affine map, and the stored signs row-major. */
function finishComplex(
  mlp: ReluMlp,
  domain: Domain,
  hiddenWidths: number[],
  h: number,
  words: number,
  st: BuildState,
): CellComplex {
  const { V, xy, F, off, cyc, pat } = st;
  const total = off[F];

  const vertexXY = xy.slice(0, 2 * V);
  const vertexSigns = st.signs.slice(0, V * h);

  // Edges keyed by their vertex pair; each face cycle visits each of its edges once.
  const edgeIndex = new Map<number, number>();
  const ev: number[] = [];
  const ef: number[] = [];
  for (let f = 0; f < F; f++) {
    const s0 = off[f];
    const s1 = off[f + 1];
    for (let i = s0; i < s1; i++) {
      const a = cyc[i];
      const c = cyc[i + 1 < s1 ? i + 1 : s0];
      const key = a < c ? a * 4294967296 + c : c * 4294967296 + a;
      const e = edgeIndex.get(key);
      if (e === undefined) {
        edgeIndex.set(key, ev.length >> 1);
        ev.push(Math.min(a, c), Math.max(a, c));
        ef.push(f, -1);
      } else {
        ef[2 * e + 1] = f;
      }
    }
  }

  const faceArea = new Float64Array(F);
  const faceCentroid = new Float64Array(2 * F);
  for (let f = 0; f < F; f++) {
    let a2 = 0;
    let cx = 0;
    let cy = 0;
    const s0 = off[f];
    const s1 = off[f + 1];
    // Shift to the first vertex: keeps the shoelace sums well conditioned for tiny faces far from 0.
    const ox = xy[2 * cyc[s0]];
    const oy = xy[2 * cyc[s0] + 1];
    for (let i = s0; i < s1; i++) {
      const p = cyc[i];
      const q = cyc[i + 1 < s1 ? i + 1 : s0];
      const px = xy[2 * p] - ox;
      const py = xy[2 * p + 1] - oy;
      const qx = xy[2 * q] - ox;
      const qy = xy[2 * q + 1] - oy;
      const cr = px * qy - qx * py; // shoelace term
      a2 += cr;
      cx += (px + qx) * cr;
      cy += (py + qy) * cr;
    }
    faceArea[f] = a2 / 2;
    if (a2 !== 0) {
      faceCentroid[2 * f] = ox + cx / (3 * a2); // c = Σ (p+q)(p×q) / (6A)
      faceCentroid[2 * f + 1] = oy + cy / (3 * a2);
    } else {
      let mx = 0;
      let my = 0;
      for (let i = s0; i < s1; i++) {
        mx += xy[2 * cyc[i]];
        my += xy[2 * cyc[i] + 1];
      }
      faceCentroid[2 * f] = mx / (s1 - s0);
      faceCentroid[2 * f + 1] = my / (s1 - s0);
    }
  }

  const { faceAffine, facePredicted, outputs } = faceAffineMaps(mlp, st, h, faceCentroid);
  return {
    hiddenWidths,
    hidden: h,
    words,
    outputs,
    domain,
    vertexXY,
    vertexSigns,
    edgeVertices: Uint32Array.from(ev),
    edgeFaces: Int32Array.from(ef),
    faceOffsets: Uint32Array.from(off.subarray(0, F + 1)),
    faceVertices: Uint32Array.from(cyc.subarray(0, total)),
    facePatterns: pat.slice(0, F * words),
    faceArea,
    faceCentroid,
    faceAffine,
    facePredicted,
    repairs: st.repairs,
  };
}

/**
 * The network's affine map on each face, from its outputs at three well-spread vertices of the face. The
 * last hidden layer's pre-activations are continuous, so their stored values at a vertex hold for every
 * face around it; the face's own pattern then gives out = W_out (s ⊙ z) + b_out there.
 */
function faceAffineMaps(
  mlp: ReluMlp,
  st: BuildState,
  h: number,
  centroid: Float64Array,
): { faceAffine: Float64Array; facePredicted: Int32Array; outputs: number } {
  const { F, off, cyc, xy, pat, Z, width } = st;
  const L = mlp.weights.length - 1;
  const wOut = mlp.weights[L];
  const bOut = mlp.biases[L];
  const outputs = mlp.widths[L + 1];
  const words = Math.max(1, Math.ceil(h / 32));
  const lastOffset = h - width;
  const faceAffine = new Float64Array(F * outputs * 3);
  const facePredicted = new Int32Array(F);
  const o3 = new Float64Array(3 * outputs);
  const outAt = (v: number, f: number, slot: number): void => {
    for (let o = 0; o < outputs; o++) {
      let acc = bOut[o];
      if (L === 0) {
        acc += wOut[o * 2] * xy[2 * v] + wOut[o * 2 + 1] * xy[2 * v + 1];
      } else {
        for (let j = 0; j < width; j++) {
          const g = lastOffset + j;
          if ((pat[f * words + (g >>> 5)] >>> (g & 31)) & 1) acc += wOut[o * width + j] * Z[v * width + j];
        }
      }
      o3[slot * outputs + o] = acc;
    }
  };
  for (let f = 0; f < F; f++) {
    const s0 = off[f];
    const s1 = off[f + 1];
    const a = cyc[s0];
    let b = cyc[s0 + 1];
    let best = -1;
    for (let i = s0 + 1; i < s1; i++) {
      const d = (xy[2 * cyc[i]] - xy[2 * a]) ** 2 + (xy[2 * cyc[i] + 1] - xy[2 * a + 1]) ** 2;
      if (d > best) {
        best = d;
        b = cyc[i];
      }
    }
    const ux = xy[2 * b] - xy[2 * a];
    const uy = xy[2 * b + 1] - xy[2 * a + 1];
    let c = cyc[s0 + 2 < s1 ? s0 + 2 : s0];
    best = -1;
    for (let i = s0; i < s1; i++) {
      const cr = Math.abs(ux * (xy[2 * cyc[i] + 1] - xy[2 * a + 1]) - uy * (xy[2 * cyc[i]] - xy[2 * a]));
      if (cr > best) {
        best = cr;
        c = cyc[i];
      }
    }
    outAt(a, f, 0);
    outAt(b, f, 1);
    outAt(c, f, 2);
    const vx = xy[2 * c] - xy[2 * a];
    const vy = xy[2 * c + 1] - xy[2 * a + 1];
    const det = ux * vy - uy * vx;
    let bestOut = 0;
    let bestVal = -Infinity;
    for (let o = 0; o < outputs; o++) {
      const fa = o3[o];
      const du = o3[outputs + o] - fa;
      const dv = o3[2 * outputs + o] - fa;
      // Solve [ux uy; vx vy]·[gx gy]ᵀ = [du dv]ᵀ for the gradient (Cramer's rule).
      const gx = det !== 0 ? (du * vy - dv * uy) / det : 0;
      const gy = det !== 0 ? (ux * dv - vx * du) / det : 0;
      const c0 = fa - gx * xy[2 * a] - gy * xy[2 * a + 1];
      const base = (f * outputs + o) * 3;
      faceAffine[base] = gx;
      faceAffine[base + 1] = gy;
      faceAffine[base + 2] = c0;
      const val = gx * centroid[2 * f] + gy * centroid[2 * f + 1] + c0;
      if (val > bestVal) {
        bestVal = val;
        bestOut = o;
      }
    }
    facePredicted[f] = outputs === 1 ? (bestVal > 0 ? 1 : 0) : bestOut;
  }
  return { faceAffine, facePredicted, outputs };
}

/** f-vector of a complex. */
export function fVectorOf(c: CellComplex): [number, number, number] {
  return [c.vertexXY.length / 2, c.edgeVertices.length / 2, c.faceArea.length];
}

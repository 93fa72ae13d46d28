/**
 * Which region lies under the pointer: polygons bucketed by bounding box on a uniform grid, then an exact
 * even-odd test inside the one cell the point falls in. Hover stays O(faces per cell) for thousands of faces.
 */

/** Faces as a flat vertex list: face i is vertices offsets[i] … offsets[i+1]−1, vertex v at coords[2v], coords[2v+1]. */
export interface PolygonSet {
  offsets: Uint32Array;
  coords: Float64Array;
}

export function faceCount(set: PolygonSet): number {
  return set.offsets.length - 1;
}

/** Even-odd ray casting; a point on the boundary may land in either neighbour, which is fine for hover. */
export function pointInPolygon(set: PolygonSet, face: number, x: number, y: number): boolean {
  const { offsets, coords } = set;
  const start = offsets[face];
  const end = offsets[face + 1];
  let inside = false;
  for (let i = start, j = end - 1; i < end; j = i++) {
    const xi = coords[2 * i];
    const yi = coords[2 * i + 1];
    const xj = coords[2 * j];
    const yj = coords[2 * j + 1];
    // crossing of the horizontal ray from (x, y) with edge (i, j): x < xi + (y − yi)(xj − xi)/(yj − yi)
    if (yi > y !== yj > y && x < xi + ((y - yi) * (xj - xi)) / (yj - yi)) inside = !inside;
  }
  return inside;
}

export class SpatialGrid {
  private readonly x0: number;
  private readonly y0: number;
  private readonly cellW: number;
  private readonly cellH: number;
  private readonly cellStart: Uint32Array;
  private readonly cellFaces: Uint32Array;

  constructor(
    private readonly set: PolygonSet,
    private readonly side = Math.max(1, Math.ceil(Math.sqrt(faceCount(set)))),
  ) {
    const { coords } = set;
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (let v = 0; v < coords.length; v += 2) {
      x0 = Math.min(x0, coords[v]);
      x1 = Math.max(x1, coords[v]);
      y0 = Math.min(y0, coords[v + 1]);
      y1 = Math.max(y1, coords[v + 1]);
    }
    this.x0 = x0;
    this.y0 = y0;
    this.cellW = (x1 - x0) / side || 1;
    this.cellH = (y1 - y0) / side || 1;
    const n = faceCount(set);
    const ranges = new Int32Array(4 * n);
    const counts = new Uint32Array(side * side + 1);
    for (let f = 0; f < n; f++) {
      const r = this.faceCellRange(f);
      ranges.set(r, 4 * f);
      for (let cy = r[2]; cy <= r[3]; cy++)
        for (let cx = r[0]; cx <= r[1]; cx++) counts[cy * side + cx + 1]++;
    }
    for (let c = 1; c < counts.length; c++) counts[c] += counts[c - 1];
    this.cellStart = counts.slice();
    this.cellFaces = new Uint32Array(counts[counts.length - 1]);
    const fill = counts.slice(0, side * side);
    for (let f = 0; f < n; f++) {
      for (let cy = ranges[4 * f + 2]; cy <= ranges[4 * f + 3]; cy++) {
        for (let cx = ranges[4 * f]; cx <= ranges[4 * f + 1]; cx++)
          this.cellFaces[fill[cy * side + cx]++] = f;
      }
    }
  }

  /** The face containing (x, y), or −1 outside every face. */
  find(x: number, y: number): number {
    const cx = this.cellX(x);
    const cy = this.cellY(y);
    if (cx < 0 || cy < 0 || cx >= this.side || cy >= this.side) return -1;
    const c = cy * this.side + cx;
    for (let k = this.cellStart[c]; k < this.cellStart[c + 1]; k++) {
      const f = this.cellFaces[k];
      if (pointInPolygon(this.set, f, x, y)) return f;
    }
    return -1;
  }

  private cellX(x: number): number {
    return Math.floor((x - this.x0) / this.cellW);
  }

  private cellY(y: number): number {
    return Math.floor((y - this.y0) / this.cellH);
  }

  /** [cx0, cx1, cy0, cy1] of the cells the face's bounding box touches, clamped to the grid. */
  private faceCellRange(f: number): [number, number, number, number] {
    const { offsets, coords } = this.set;
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (let v = offsets[f]; v < offsets[f + 1]; v++) {
      x0 = Math.min(x0, coords[2 * v]);
      x1 = Math.max(x1, coords[2 * v]);
      y0 = Math.min(y0, coords[2 * v + 1]);
      y1 = Math.max(y1, coords[2 * v + 1]);
    }
    const clamp = (c: number) => Math.min(this.side - 1, Math.max(0, c));
    return [clamp(this.cellX(x0)), clamp(this.cellX(x1)), clamp(this.cellY(y0)), clamp(this.cellY(y1))];
  }
}

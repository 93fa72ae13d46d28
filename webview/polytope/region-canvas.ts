/**
 * The regions on a <canvas>: one Path2D per face in data coordinates, built once per complex, drawn under a
 * single affine transform (fit-to-box × d3-zoom), so zooming and panning thousands of faces only re-fills
 * cached paths. Redraws are coalesced on requestAnimationFrame. Hover finds the face through a spatial grid.
 */
import { select, zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3';
import type { RegionData } from './protocol';
import { SpatialGrid } from './spatial-grid';
import { classColour } from './colour';
import { themeColor } from '../shared/theme';

export interface Overlays {
  points: boolean;
  dual: boolean;
}

export class RegionCanvas {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private data: RegionData | null = null;
  private paths: Path2D[] = [];
  private dualPath: Path2D | null = null;
  private grid: SpatialGrid | null = null;
  private fills: string[] = [];
  private overlays: Overlays = { points: true, dual: false };
  private transform: ZoomTransform = zoomIdentity;
  private readonly zoomBehaviour: ZoomBehavior<HTMLCanvasElement, unknown>;
  private frame = 0;
  private hovered = -1;

  constructor(
    parent: HTMLElement,
    private readonly onHover: (face: number, x: number, y: number) => void,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'region-canvas';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('data-testid', 'region-canvas');
    parent.appendChild(this.canvas);
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('2-D canvas unavailable');
    this.ctx = ctx;
    this.zoomBehaviour = zoom<HTMLCanvasElement, unknown>()
      .scaleExtent([0.5, 500])
      .on('zoom', (e: { transform: ZoomTransform }) => {
        this.transform = e.transform;
        this.requestDraw();
      });
    select(this.canvas).call(this.zoomBehaviour);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e.offsetX, e.offsetY));
    this.canvas.addEventListener('mouseleave', () => this.setHovered(-1, NaN, NaN));
    this.canvas.setAttribute('aria-label', 'Regions: + and − zoom, arrow keys pan, 0 resets the view');
    this.canvas.addEventListener('keydown', (e) => this.key(e));
    new ResizeObserver(() => this.resize()).observe(parent);
    this.resize();
  }

  setData(data: RegionData, fills: string[]): void {
    const samePolygons = this.data !== null && this.data.coords === data.coords;
    this.data = data;
    if (!samePolygons) {
      this.paths = buildFacePaths(data);
      this.dualPath = buildDualPath(data);
      this.grid = new SpatialGrid(data);
    }
    this.fills = fills;
    this.hovered = -1;
    this.requestDraw();
  }

  setFills(fills: string[]): void {
    this.fills = fills;
    this.requestDraw();
  }

  setOverlays(overlays: Overlays): void {
    this.overlays = overlays;
    this.requestDraw();
  }

  resetZoom(): void {
    select(this.canvas).call(this.zoomBehaviour.transform, zoomIdentity);
  }

  /** Keyboard zoom and pan, for users without a pointer. */
  private key(e: KeyboardEvent): void {
    const sel = select(this.canvas);
    const step = 40;
    const pans: Record<string, [number, number]> = {
      ArrowLeft: [step, 0],
      ArrowRight: [-step, 0],
      ArrowUp: [0, step],
      ArrowDown: [0, -step],
    };
    if (e.key === '+' || e.key === '=') sel.call(this.zoomBehaviour.scaleBy, 1.25);
    else if (e.key === '-') sel.call(this.zoomBehaviour.scaleBy, 0.8);
    else if (e.key === '0') this.resetZoom();
    else if (pans[e.key])
      sel.call(
        this.zoomBehaviour.translateBy,
        pans[e.key][0] / this.transform.k,
        pans[e.key][1] / this.transform.k,
      );
    else return;
    e.preventDefault();
  }

  /** The drawing now, as a PNG data URL (draws synchronously first so the export is never a stale frame). */
  toPng(): string {
    this.draw();
    return this.canvas.toDataURL('image/png');
  }

  private resize(): void {
    const dpr = window.devicePixelRatio || 1;
    const { width, height } = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.max(1, Math.round(width * dpr));
    this.canvas.height = Math.max(1, Math.round(height * dpr));
    this.requestDraw();
  }

  private requestDraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** data → CSS pixels before zoom: fit the box, keep aspect, y up. */
  private baseFit(): { s: number; ox: number; oy: number } {
    const d = this.data;
    const dpr = window.devicePixelRatio || 1;
    const w = this.canvas.width / dpr;
    const h = this.canvas.height / dpr;
    if (!d) return { s: 1, ox: 0, oy: 0 };
    const [x0, x1, y0, y1] = d.box;
    const pad = 8;
    const s = Math.min((w - 2 * pad) / (x1 - x0), (h - 2 * pad) / (y1 - y0));
    // centre the box: screen = o + s·(x − x0) horizontally, o + s·(y1 − y) vertically
    return { s, ox: (w - s * (x1 - x0)) / 2 - s * x0, oy: (h - s * (y1 - y0)) / 2 + s * y1 };
  }

  private draw(): void {
    const { ctx, canvas } = this;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const d = this.data;
    if (!d) return;
    const { s, ox, oy } = this.baseFit();
    const t = this.transform;
    const k = t.k * s;
    // device = dpr·(t.k·(o + s·x) + t.x): one affine map, y flipped
    ctx.setTransform(dpr * k, 0, 0, -dpr * k, dpr * (t.k * ox + t.x), dpr * (t.k * oy + t.y));
    const px = 1 / k;
    // nothing outside the box: training points beyond a narrowed box would read as regions there
    const [bx0, bx1, by0, by1] = d.box;
    ctx.save();
    ctx.beginPath();
    ctx.rect(bx0, by0, bx1 - bx0, by1 - by0);
    ctx.clip();
    const edge = themeColor('--vscode-editor-foreground', '#888');
    ctx.lineWidth = 0.6 * px;
    ctx.strokeStyle = edge;
    ctx.globalAlpha = 1;
    for (let f = 0; f < this.paths.length; f++) {
      ctx.fillStyle = this.fills[f] ?? '#808080';
      ctx.fill(this.paths[f]);
    }
    ctx.globalAlpha = 0.45;
    for (const p of this.paths) ctx.stroke(p);
    ctx.globalAlpha = 1;
    if (this.overlays.dual && this.dualPath) {
      ctx.lineWidth = 1.2 * px;
      ctx.strokeStyle = themeColor('--vscode-charts-purple', '#b180d7');
      ctx.stroke(this.dualPath);
      ctx.fillStyle = ctx.strokeStyle;
      const r = 2 * px;
      for (let f = 0; f < d.centroids.length / 2; f++) {
        ctx.fillRect(d.centroids[2 * f] - r / 2, d.centroids[2 * f + 1] - r / 2, r, r);
      }
    }
    if (this.overlays.points && d.points) {
      const r = 2.2 * px;
      ctx.lineWidth = 0.8 * px;
      ctx.strokeStyle = themeColor('--vscode-editor-background', '#fff');
      const { coords, labels } = d.points;
      for (let i = 0; i < labels.length; i++) {
        ctx.beginPath();
        ctx.arc(coords[2 * i], coords[2 * i + 1], r, 0, 2 * Math.PI);
        ctx.fillStyle = classColour(labels[i]);
        ctx.fill();
        ctx.stroke();
      }
    }
    if (d.anchors) {
      const r = 6 * px;
      ctx.lineWidth = 2 * px;
      ctx.strokeStyle = themeColor('--vscode-editor-foreground', '#000');
      for (let a = 0; a < d.anchors.length / 2; a++) {
        const [x, y] = [d.anchors[2 * a], d.anchors[2 * a + 1]];
        ctx.beginPath();
        ctx.moveTo(x - r, y - r);
        ctx.lineTo(x + r, y + r);
        ctx.moveTo(x - r, y + r);
        ctx.lineTo(x + r, y - r);
        ctx.stroke();
      }
    }
    ctx.restore();
    if (this.hovered >= 0 && this.hovered < this.paths.length) {
      ctx.lineWidth = 2.5 * px;
      ctx.strokeStyle = themeColor('--vscode-focusBorder', '#007fd4');
      ctx.stroke(this.paths[this.hovered]);
    }
  }

  private hover(cssX: number, cssY: number): void {
    if (!this.data || !this.grid) return;
    const { s, ox, oy } = this.baseFit();
    const [sx, sy] = this.transform.invert([cssX, cssY]);
    // invert screen = o + s·x (x) and o − s·y (y)
    const x = (sx - ox) / s;
    const y = (oy - sy) / s;
    this.setHovered(this.grid.find(x, y), x, y);
  }

  private setHovered(face: number, x: number, y: number): void {
    if (face !== this.hovered) {
      this.hovered = face;
      this.requestDraw();
    }
    this.onHover(face, x, y);
  }
}

function buildFacePaths(d: RegionData): Path2D[] {
  const paths: Path2D[] = [];
  for (let f = 0; f + 1 < d.offsets.length; f++) {
    const p = new Path2D();
    for (let v = d.offsets[f]; v < d.offsets[f + 1]; v++) {
      if (v === d.offsets[f]) p.moveTo(d.coords[2 * v], d.coords[2 * v + 1]);
      else p.lineTo(d.coords[2 * v], d.coords[2 * v + 1]);
    }
    p.closePath();
    paths.push(p);
  }
  return paths;
}

function buildDualPath(d: RegionData): Path2D {
  const p = new Path2D();
  const c = d.centroids;
  for (let e = 0; e < d.dualEdges.length; e += 2) {
    const a = d.dualEdges[e];
    const b = d.dualEdges[e + 1];
    p.moveTo(c[2 * a], c[2 * a + 1]);
    p.lineTo(c[2 * b], c[2 * b + 1]);
  }
  return p;
}

/**
 * The samples behind activation rows (DESIGN.md §3): a manifest CSV `index,file[,label]` (paths relative to
 * the manifest), a folder of images sorted by name, or an .npy of images rendered to PNG on demand.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors';
import { parseCsv } from './csv';
import { parseNpy } from './npy';
import { encodePng } from './png';
import { readFileBytes } from './read';
import { toFloat32, type Tensor } from './tensor';

export interface SampleSet {
  kind: 'manifest' | 'folder' | 'images';
  /** Absolute path of the manifest, folder or .npy. */
  source: string;
  count: number;
  /** Absolute file of row i (manifest and folder). */
  files?: string[];
  /** Labels from the manifest's optional label column (numbers, or indices into `classes`). */
  labels?: Int32Array;
  classes?: string[];
  /** PNG of row i (images in an .npy). */
  render?(i: number): Uint8Array;
}

const IMAGE_EXT = /\.(png|jpe?g|gif|bmp|webp)$/i;

async function fromManifest(file: string): Promise<SampleSet> {
  const table = parseCsv(new TextDecoder().decode(await readFileBytes(file)), file);
  const col = (name: string) => table.columns.findIndex((c) => c.toLowerCase() === name);
  const [iIndex, iFile, iLabel] = [col('index'), col('file'), col('label')];
  if (!table.hasHeader || iFile < 0) {
    throw new InputError(
      file,
      'a sample manifest needs a header with columns index,file[,label]',
      'bad-header',
    );
  }
  const names = table.values[iFile];
  if (names instanceof Float64Array)
    throw new InputError(file, "the 'file' column holds numbers, not paths", 'bad-header');
  const n = table.rows;
  // Row r of the activations is the sample whose index is r; without an index column, manifest order.
  const order = new Int32Array(n).map((_, i) => i);
  if (iIndex >= 0) {
    const idx = table.values[iIndex];
    const seen = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const v = idx instanceof Float64Array ? idx[k] : NaN;
      if (!Number.isInteger(v) || v < 0 || v >= n || seen[v]) {
        throw new InputError(
          file,
          `row ${k + 2}: index must be a distinct integer in 0…${n - 1}`,
          'bad-header',
        );
      }
      seen[v] = 1;
      order[k] = v;
    }
  }
  const dir = path.dirname(path.resolve(file));
  const files = new Array<string>(n);
  for (let k = 0; k < n; k++) files[order[k]] = path.resolve(dir, names[k]);
  const set: SampleSet = { kind: 'manifest', source: path.resolve(file), count: n, files };
  if (iLabel >= 0) {
    const raw = table.values[iLabel];
    const labels = new Int32Array(n);
    if (raw instanceof Float64Array) {
      for (let k = 0; k < n; k++) labels[order[k]] = raw[k];
    } else {
      const classes = [...new Set(raw)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      const at = new Map(classes.map((c, i) => [c, i]));
      for (let k = 0; k < n; k++) labels[order[k]] = at.get(raw[k])!;
      set.classes = classes;
    }
    set.labels = labels;
  }
  return set;
}

async function fromFolder(dir: string): Promise<SampleSet> {
  const names = (await readdir(dir)).filter((f) => IMAGE_EXT.test(f));
  if (names.length === 0)
    throw new InputError(dir, 'the folder holds no images (.png .jpg .gif .bmp .webp)', 'not-found');
  names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return {
    kind: 'folder',
    source: path.resolve(dir),
    count: names.length,
    files: names.map((f) => path.resolve(dir, f)),
  };
}

interface ImageShape {
  n: number;
  h: number;
  w: number;
  c: 1 | 3 | 4;
  /** Channels first (N×C×H×W, PyTorch's layout) rather than last. */
  channelsFirst: boolean;
}

const isChannels = (x: number): x is 1 | 3 | 4 => x === 1 || x === 3 || x === 4;

/** Image geometry: N×H×W, N×H×W×C or N×C×H×W (C ∈ {1,3,4}), or N×D with D a square (grey). */
function imageShape(t: Tensor, file: string): ImageShape {
  const s = t.shape;
  if (s.length === 2) {
    const side = Math.round(Math.sqrt(s[1]));
    if (side * side === s[1] && side > 0) return { n: s[0], h: side, w: side, c: 1, channelsFirst: false };
  }
  if (s.length === 3) return { n: s[0], h: s[1], w: s[2], c: 1, channelsFirst: false };
  if (s.length === 4 && isChannels(s[3])) return { n: s[0], h: s[1], w: s[2], c: s[3], channelsFirst: false };
  if (s.length === 4 && isChannels(s[1])) return { n: s[0], h: s[2], w: s[3], c: s[1], channelsFirst: true };
  throw new InputError(
    file,
    `shape (${s.join(', ')}) is not a stack of images (N×H×W[×C], N×C×H×W or N×D with D square)`,
    'shape-mismatch',
  );
}

/** Renders row i of an image array; values in [0, 1] scale by 255, in [0, 255] pass, others min–max. */
export function imageRenderer(t: Tensor, file: string): { count: number; render(i: number): Uint8Array } {
  const { n, h, w, c, channelsFirst } = imageShape(t, file);
  const data = toFloat32(t);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // pixel = (v − offset)·scale, clamped to [0, 255]
  const [offset, scale] =
    lo >= 0 && hi <= 1 ? [0, 255] : lo >= 0 && hi <= 255 ? [0, 1] : [lo, 255 / (hi - lo || 1)];
  const size = h * w * c;
  return {
    count: n,
    render(i: number): Uint8Array {
      if (!Number.isInteger(i) || i < 0 || i >= n)
        throw new InputError(file, `no image ${i} (0…${n - 1})`, 'bad-parameter');
      const px = new Uint8Array(size);
      const plane = h * w;
      for (let k = 0; k < size; k++) {
        // Output is interleaved (pixel p, channel ch); channels-first input holds it at ch·H·W + p.
        const src = channelsFirst ? (k % c) * plane + Math.floor(k / c) : k;
        px[k] = Math.round(Math.min(255, Math.max(0, (data[i * size + src] - offset) * scale)));
      }
      return encodePng(px, w, h, c);
    },
  };
}

/** Loads the samples of a manifest CSV, a folder of images, or an .npy of images. */
export async function loadSamples(source: string): Promise<SampleSet> {
  let isDir: boolean;
  try {
    isDir = (await stat(source)).isDirectory();
  } catch {
    throw new InputError(source, 'file not found or unreadable', 'not-found');
  }
  if (isDir) return fromFolder(source);
  if (/\.csv$/i.test(source)) return fromManifest(source);
  if (/\.npy$/i.test(source)) {
    const r = imageRenderer(parseNpy(await readFileBytes(source), source), source);
    return { kind: 'images', source: path.resolve(source), count: r.count, render: r.render };
  }
  throw new InputError(
    source,
    'samples come from a manifest .csv, a folder of images, or an .npy of images',
    'unsupported-format',
  );
}

/**
 * Figure and data export from any view: SVG (styles baked in as presentation attributes, since the live
 * styles come from the editor's theme), PNG (the SVG rasterised on an offscreen canvas), JSON and CSV.
 * The bytes go to the host, which asks where to save (in the static report they download).
 */
import { csvCell } from './csv';
import { connectHost } from './host';
import { themeColor } from './theme';

const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'text-anchor',
  'dominant-baseline',
] as const;

/** A standalone SVG document of the element as it is drawn now, with the theme's colours baked in. */
export function serializeSvg(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src = [svg, ...svg.querySelectorAll('*')];
  const dst = [clone, ...clone.querySelectorAll('*')];
  for (let i = 0; i < src.length; i++) {
    const cs = getComputedStyle(src[i]);
    if (cs.display === 'none' || cs.visibility === 'hidden') {
      dst[i].remove();
      continue;
    }
    for (const p of STYLE_PROPS) {
      const v = cs.getPropertyValue(p);
      if (v) dst[i].setAttribute(p, v);
    }
    dst[i].removeAttribute('class');
  }
  const { width, height } = svg.getBoundingClientRect();
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(Math.max(1, Math.round(width))));
  clone.setAttribute('height', String(Math.max(1, Math.round(height))));
  if (!clone.getAttribute('viewBox'))
    clone.setAttribute('viewBox', `0 0 ${Math.round(width)} ${Math.round(height)}`);
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  const vb = clone.viewBox.baseVal;
  bg.setAttribute('x', String(vb.x));
  bg.setAttribute('y', String(vb.y));
  bg.setAttribute('width', String(vb.width));
  bg.setAttribute('height', String(vb.height));
  bg.setAttribute('fill', themeColor('--ts-bg', '#ffffff'));
  clone.insertBefore(bg, clone.firstChild);
  return new XMLSerializer().serializeToString(clone);
}

/** Rasterises an SVG document string at `scale`× on an offscreen canvas; resolves to PNG bytes. */
export async function svgToPng(
  svgText: string,
  width: number,
  height: number,
  scale = 2,
): Promise<Uint8Array> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = new OffscreenCanvas(Math.round(width * scale), Math.round(height * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2-D canvas');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, width, height);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function exportSvg(svg: SVGSVGElement, name: string): void {
  connectHost().post({
    type: 'save',
    name: `${name}.svg`,
    format: 'svg',
    encoding: 'utf8',
    data: serializeSvg(svg),
  });
}

export async function exportPng(svg: SVGSVGElement, name: string): Promise<void> {
  const { width, height } = svg.getBoundingClientRect();
  const png = await svgToPng(serializeSvg(svg), Math.max(1, width), Math.max(1, height));
  connectHost().post({
    type: 'save',
    name: `${name}.png`,
    format: 'png',
    encoding: 'base64',
    data: bytesToBase64(png),
  });
}

export function exportJson(data: unknown, name: string): void {
  const text = JSON.stringify(data, null, 1);
  connectHost().post({ type: 'save', name: `${name}.json`, format: 'json', encoding: 'utf8', data: text });
}

export function exportCsv(header: string[], rows: (string | number)[][], name: string): void {
  const text = [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
  connectHost().post({ type: 'save', name: `${name}.csv`, format: 'csv', encoding: 'utf8', data: text });
}

/** The standard export buttons for a figure (PNG, SVG) and its data (JSON). */
export function exportButtons(
  getSvg: () => SVGSVGElement | null,
  getData: () => unknown,
  name: string,
): HTMLElement {
  const box = document.createElement('span');
  box.className = 'group';
  const mk = (label: string, title: string, fn: () => void | Promise<void>) => {
    const b = document.createElement('button');
    b.textContent = label;
    b.title = title;
    b.addEventListener('click', () => void fn());
    box.append(b);
  };
  mk('PNG', 'Save the figure as PNG', async () => {
    const svg = getSvg();
    if (svg) await exportPng(svg, name);
  });
  mk('SVG', 'Save the figure as SVG', () => {
    const svg = getSvg();
    if (svg) exportSvg(svg, name);
  });
  mk('JSON', 'Save the data as JSON', () => exportJson(getData(), name));
  return box;
}

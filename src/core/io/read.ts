/**
 * One entry point for every tensor file of DESIGN.md §3: `readTensorFile('file.npz:key')`, dispatching on
 * the extension, and `listTensors` for what a file holds without decoding its data.
 */
import { readFile, stat } from 'node:fs/promises';
import { InputError } from '../errors';
import { csvTensor, listCsv, parseCsv } from './csv';
import { jsonTensors, listJson, readJsonTensor } from './json-tensor';
import { describeNpy, parseNpy } from './npy';
import { listNpz, readNpz } from './npz';
import { fileStem } from './paths';
import { decodePng, describePng } from './png';
import { listPt, readPt, readPtAll } from './pt';
import { listSafetensors, parseSafetensorsHeader, readSafetensors } from './safetensors';
import type { Tensor, TensorInfo } from './tensor';

export type TensorFormat = 'npy' | 'npz' | 'safetensors' | 'csv' | 'tsv' | 'json' | 'pt' | 'png';

const EXTENSIONS: Record<string, TensorFormat> = {
  npy: 'npy',
  npz: 'npz',
  safetensors: 'safetensors',
  csv: 'csv',
  tsv: 'tsv',
  json: 'json',
  pt: 'pt',
  pth: 'pt',
  png: 'png',
};

export interface ReadOptions {
  /** Refuse files larger than this with code 'too-large' (the extension asks, then retries without it). */
  maxBytes?: number;
}

/** The format a path's extension names, or undefined. */
export function formatOf(path: string): TensorFormat | undefined {
  const m = /\.([A-Za-z]+)$/.exec(path);
  const ext = m?.[1].toLowerCase();
  return ext !== undefined && Object.hasOwn(EXTENSIONS, ext) ? EXTENSIONS[ext] : undefined;
}

const SPEC_KEY = new RegExp(`^(.*?\\.(?:${Object.keys(EXTENSIONS).join('|')})):(.*)$`, 'i');

/**
 * Splits `path[:key]`. The key follows the first `.<ext>:` of a known extension, so Windows drive letters
 * and keys containing ':' both work.
 */
export function splitTensorSpec(spec: string): { path: string; key?: string } {
  const m = SPEC_KEY.exec(spec);
  return m ? { path: m[1], key: m[2] } : { path: spec };
}

/** Reads a whole file, with 'not-found' and 'too-large' as typed errors. */
export async function readFileBytes(path: string, opts: ReadOptions = {}): Promise<Uint8Array> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new InputError(path, 'not a file', 'unsupported-format');
    size = s.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(path, 'file not found or unreadable', 'not-found');
  }
  if (opts.maxBytes !== undefined && size > opts.maxBytes) {
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
    throw new InputError(path, `file is ${mb(size)}, over the limit of ${mb(opts.maxBytes)}`, 'too-large');
  }
  try {
    return await readFile(path);
  } catch {
    throw new InputError(path, 'file not found or unreadable', 'not-found');
  }
}

function requireFormat(path: string): TensorFormat {
  const f = formatOf(path);
  if (!f) {
    throw new InputError(
      path,
      'unsupported file type (tensors are read from .npy .npz .safetensors .csv .tsv .json .pt .png)',
      'unsupported-format',
    );
  }
  return f;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function single(file: string, key: string | undefined): void {
  if (key !== undefined)
    throw new InputError(file, `holds a single tensor; remove ':${key}'`, 'bad-parameter');
}

/** Decodes a tensor from bytes already in memory (the format from `file`'s extension). */
export function decodeTensor(bytes: Uint8Array, file: string, key?: string): Tensor {
  switch (requireFormat(file)) {
    case 'npy':
      single(file, key);
      return parseNpy(bytes, file);
    case 'npz':
      return readNpz(bytes, file, key);
    case 'safetensors':
      return readSafetensors(bytes, file, key);
    case 'csv':
      return csvTensor(parseCsv(text(bytes), file, ','), file, key);
    case 'tsv':
      return csvTensor(parseCsv(text(bytes), file, '\t'), file, key);
    case 'json':
      return readJsonTensor(text(bytes), file, key);
    case 'pt':
      return readPt(bytes, file, key);
    case 'png': {
      single(file, key);
      const img = decodePng(bytes, file);
      return { dtype: 'uint8', shape: [img.height, img.width, img.channels], data: img.pixels };
    }
  }
}

/** Reads one tensor from `path` or `path:key` (DESIGN.md §3). */
export async function readTensorFile(spec: string, opts: ReadOptions = {}): Promise<Tensor> {
  const { path, key } = splitTensorSpec(spec);
  requireFormat(path);
  return decodeTensor(await readFileBytes(path, opts), path, key);
}

export interface TensorEntry {
  info: TensorInfo;
  /** What to pass to `decodeTensor` for this tensor (undefined for the whole file). */
  key: string | undefined;
}

/** The tensors in bytes already in memory; a whole-file tensor is named after the file. */
export function tensorEntries(bytes: Uint8Array, file: string): TensorEntry[] {
  const base = fileStem(file);
  const keyed = (list: TensorInfo[]): TensorEntry[] =>
    list.map((info) =>
      info.name ? { info, key: info.name } : { info: { ...info, name: base }, key: undefined },
    );
  const table = (delimiter: string): TensorEntry[] => {
    const t = parseCsv(text(bytes), file, delimiter);
    // listCsv puts the whole numeric matrix first when there is one.
    return listCsv(t, file).map((info, i) => ({
      info,
      key: i === 0 && info.shape.length === 2 ? undefined : info.name,
    }));
  };
  switch (requireFormat(file)) {
    case 'npy':
      return [{ info: describeNpy(bytes, file, base), key: undefined }];
    case 'npz':
      return keyed(listNpz(bytes, file));
    case 'safetensors':
      return keyed(listSafetensors(bytes, file));
    case 'csv':
      return table(',');
    case 'tsv':
      return table('\t');
    case 'json':
      return keyed(listJson(text(bytes), file));
    case 'pt':
      return keyed(listPt(bytes, file));
    case 'png': {
      const d = describePng(bytes, file);
      return [
        { info: { name: base, shape: [d.height, d.width, d.channels], dtype: 'uint8' }, key: undefined },
      ];
    }
  }
}

/** Lists the tensors in bytes already in memory, without decoding their data where the format allows. */
export function describeTensors(bytes: Uint8Array, file: string): TensorInfo[] {
  return tensorEntries(bytes, file).map((e) => e.info);
}

export async function listTensors(path: string, opts: ReadOptions = {}): Promise<TensorInfo[]> {
  requireFormat(path);
  return describeTensors(await readFileBytes(path, opts), path);
}

/** Every tensor of a multi-tensor file by key (a state dict in .pt/.safetensors/.npz, or a JSON object). */
export async function readAllTensors(path: string, opts: ReadOptions = {}): Promise<Map<string, Tensor>> {
  const format = requireFormat(path);
  const bytes = await readFileBytes(path, opts);
  if (format === 'pt') return readPtAll(bytes, path);
  if (format === 'json') return jsonTensors(text(bytes), path);
  if (format === 'safetensors') {
    const names = parseSafetensorsHeader(bytes, path).entries.map((e) => e.name);
    return new Map(names.map((n) => [n, readSafetensors(bytes, path, n)]));
  }
  if (format === 'npz')
    return new Map(listNpz(bytes, path).map((t) => [t.name, readNpz(bytes, path, t.name)]));
  return new Map([[fileStem(path), decodeTensor(bytes, path)]]);
}

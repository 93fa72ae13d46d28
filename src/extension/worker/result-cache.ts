/**
 * Job results cached by file content hash + resolved parameters (DESIGN.md §2: reopening is instant).
 * Every string parameter that names an existing file (or `file:key`) is replaced in the key by a hash
 * of the file's content, so an edited file never returns a stale result and a renamed one still hits.
 * Held in memory, least recently used first out, within a byte budget.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

interface Entry {
  value: unknown;
  bytes: number;
}

export class ResultCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** A deep copy of the cached result (callers may mutate what they get). */
  get(key: string): unknown {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return structuredClone(e.value);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  set(key: string, value: unknown): void {
    const bytes = estimateBytes(value);
    if (bytes > this.maxBytes) return;
    this.delete(key);
    this.entries.set(key, { value: structuredClone(value), bytes });
    this.bytes += bytes;
    for (const [k] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(k);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.bytes -= e.bytes;
    this.entries.delete(key);
  }
}

/** Approximate retained size: typed arrays by their bytes, strings at 2 bytes a character. */
export function estimateBytes(value: unknown, seen = new Set<object>()): number {
  if (typeof value === 'string') return 2 * value.length;
  if (value === null || typeof value !== 'object') return 8;
  if (seen.has(value)) return 0;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  let total = 16;
  const items = value instanceof Map ? [...value.entries()].flat() : Object.values(value);
  for (const v of items) total += 8 + estimateBytes(v, seen);
  return total;
}

interface Fingerprint {
  size: number;
  mtimeMs: number;
  hash: string;
}

/** Content hashes memoised by (path, size, mtime): a large file is read once per change. */
export class FileHasher {
  private readonly known = new Map<string, Fingerprint>();

  async hash(file: string): Promise<string | undefined> {
    const st = await stat(file).catch(() => undefined);
    if (!st) return undefined;
    if (st.isDirectory()) return this.hashFolder(file);
    if (!st.isFile()) return undefined;
    const k = this.known.get(file);
    if (k && k.size === st.size && k.mtimeMs === st.mtimeMs) return k.hash;
    const hash = await hashFile(file);
    this.known.set(file, { size: st.size, mtimeMs: st.mtimeMs, hash });
    return hash;
  }

  /** A folder (of checkpoints) by the content hashes of the files directly inside it. */
  private async hashFolder(dir: string): Promise<string> {
    const h = createHash('sha256');
    const names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
    for (const name of names.sort()) h.update(`${name}\0${await this.hash(path.join(dir, name))}\0`);
    return `dir:${h.digest('hex')}`;
  }
}

function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** Parameters naming an output file (`out`, `predictionsOut`, …): such a job must run to write it. */
export function writesFiles(params: unknown): boolean {
  if (!params || typeof params !== 'object' || ArrayBuffer.isView(params)) return false;
  return Object.entries(params).some(
    ([k, v]) => (/^out$|Out$/.test(k) && typeof v === 'string') || (typeof v === 'object' && writesFiles(v)),
  );
}

/**
 * The cache key of a job: its kind and parameters with file paths replaced by content hashes;
 * undefined for jobs that write files. `file.npz:key` hashes `file.npz` and keeps `:key`.
 */
export async function jobCacheKey(
  kind: string,
  params: unknown,
  hasher: FileHasher,
): Promise<string | undefined> {
  if (writesFiles(params)) return undefined;
  const resolve = async (v: unknown): Promise<unknown> => {
    if (typeof v === 'string') return (await fileToken(v, hasher)) ?? v;
    if (Array.isArray(v)) return Promise.all(v.map(resolve));
    if (ArrayBuffer.isView(v))
      return createHash('sha256')
        .update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
        .digest('hex');
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = await resolve((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return `${kind}:${JSON.stringify(await resolve(params))}`;
}

async function fileToken(s: string, hasher: FileHasher): Promise<string | undefined> {
  if (!path.isAbsolute(s)) return undefined;
  const whole = await hasher.hash(s);
  if (whole) return `file:${whole}`;
  const colon = s.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const part = await hasher.hash(s.slice(0, colon));
  return part ? `file:${part}:${s.slice(colon + 1)}` : undefined;
}

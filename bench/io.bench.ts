/**
 * Reader benchmarks (DESIGN.md §8, issue "read every tensor file"): a 200 MB float32 matrix written once
 * to os.tmpdir() as .npy, as aligned .safetensors, and as .safetensors whose data starts unaligned (the
 * one-copy path), then read with readTensorFile. The files are in the page cache after the first run, so
 * the figures are the reader's own cost over a memory-speed disk.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encodeNpy } from '../src/core/io/npy';
import { readTensorFile } from '../src/core/io/read';
import { encodeSafetensors } from '../src/core/io/safetensors';
import type { Tensor } from '../src/core/io/tensor';
import type { Benchmark } from './harness';

const ROWS = 50_000;
const COLS = 1_000;
const MB = (ROWS * COLS * 4) / 2 ** 20;

let files: Promise<{ npy: string; st: string; unaligned: string }> | undefined;

/** Writes the three files once, shared by the benchmarks. */
function writeFiles(): Promise<{ npy: string; st: string; unaligned: string }> {
  files ??= (async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'toposcope-bench-io-'));
    // 600 MB of files: removed when the benchmark process ends.
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const data = new Float32Array(ROWS * COLS);
    for (let i = 0; i < data.length; i++) data[i] = (i % 9973) / 9973;
    const t: Tensor = { dtype: 'float32', shape: [ROWS, COLS], data };
    const npy = path.join(dir, 'big.npy');
    const st = path.join(dir, 'big.safetensors');
    const unaligned = path.join(dir, 'unaligned.safetensors');
    writeFileSync(npy, encodeNpy(t));
    writeFileSync(st, encodeSafetensors(new Map([['x', t]])));
    // A 1-byte tensor first puts the float32 data at an odd offset.
    const one: Tensor = { dtype: 'uint8', shape: [1], data: Uint8Array.of(7) };
    writeFileSync(
      unaligned,
      encodeSafetensors(
        new Map<string, Tensor>([
          ['pad', one],
          ['x', t],
        ]),
      ),
    );
    return { npy, st, unaligned };
  })();
  return files;
}

function readBench(
  label: string,
  pick: (f: Awaited<ReturnType<typeof writeFiles>>) => string,
): Benchmark<string> {
  return {
    name: `read ${MB.toFixed(0)} MB float32 ${label}`,
    target: 'disk-bound',
    runs: 5,
    setup: async () => pick(await writeFiles()),
    run: async (spec) => {
      const t0 = performance.now();
      const t = await readTensorFile(spec);
      const s = (performance.now() - t0) / 1000;
      return `${t.shape.join('×')}, ${(MB / s).toFixed(0)} MB/s`;
    },
  };
}

/** The floor: reading the same bytes with fs.readFile and nothing else. */
const floor: Benchmark<string> = {
  name: `fs.readFile of the ${MB.toFixed(0)} MB .npy (floor)`,
  target: '—',
  runs: 5,
  setup: async () => (await writeFiles()).npy,
  run: async (file) => {
    const t0 = performance.now();
    const bytes = await readFile(file);
    return `${bytes.length} bytes, ${(MB / ((performance.now() - t0) / 1000)).toFixed(0)} MB/s`;
  },
};

export const benchmarks = [
  floor,
  readBench('.npy', (f) => f.npy),
  readBench('.safetensors', (f) => `${f.st}:x`),
  readBench('.safetensors, unaligned', (f) => `${f.unaligned}:x`),
];

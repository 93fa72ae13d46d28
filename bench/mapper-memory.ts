/**
 * Peak memory of one mapper run in a fresh process (the issue's "peak memory ≤ 3× the input"):
 * `node --import tsx bench/mapper-memory.ts 50000 512`. Prints the resident memory before the input
 * exists, with it, and the process's peak, so the analysis' own share can be read off.
 */
import { buildMapper } from '../src/core/mapper/mapper';
import { gaussianBlobs, residentMemory } from './mapper.bench';

const n = Number(process.argv[2] ?? 50_000);
const d = Number(process.argv[3] ?? 512);
const empty = residentMemory(false).now;
const x = gaussianBlobs(n, d);
const loaded = residentMemory(false).now;
const t0 = performance.now();
const g = buildMapper(
  { x, n, d },
  { lens: 'l2norm', intervals: 20, overlap: 0.3, minSamples: 5, eps: 'auto' },
);
const seconds = (performance.now() - t0) / 1000;
const input = x.byteLength / 2 ** 20;
const peak = residentMemory(false).peak;
console.log(
  `${n} × ${d}: ${g.summary.nodes} nodes in ${seconds.toFixed(2)} s; input ${input.toFixed(0)} MB; ` +
    `resident ${empty.toFixed(0)} MB before it, ${loaded.toFixed(0)} MB with it, peak ${peak.toFixed(0)} MB: ` +
    `input + analysis = ${((peak - empty) / input).toFixed(2)} × the input`,
);

/**
 * Mapper benchmarks (DESIGN.md §8): a seeded 10-blob Gaussian mixture like scikit-learn's make_blobs
 * (centres uniform in [−10, 10]ᴰ, unit spread), L2-norm lens, 20 intervals, 30 % overlap, DBSCAN
 * minSamples 5, ε by the 0.9-quantile rule — the settings of the KeplerMapper anchors (8 s and 15–18 s).
 * The 1 000 000 × 64 scale run is opt-in: `TOPOSCOPE_BENCH_SCALE=1 npm run bench "1 000 000"`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { MapperSession, buildMapper } from '../src/core/mapper/mapper';
import { mulberry32, randomNormal } from '../src/core/random';
import type { Benchmark } from './harness';

export function gaussianBlobs(n: number, d: number, blobs = 10, seed = 0): Float32Array {
  const rng = mulberry32(seed);
  const centres = Float64Array.from({ length: blobs * d }, () => 20 * rng() - 10);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rng() * blobs) * d;
    for (let j = 0; j < d; j++) x[i * d + j] = centres[c + j] + randomNormal(rng);
  }
  return x;
}

/** User + system CPU time since `since` (wall time on a shared machine also counts other processes). */
function cpuMilliseconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

/**
 * Resident memory now and the peak since the last reset, in MB. Linux lets a process reset its peak
 * (writing 5 to /proc/self/clear_refs), so each run reports its own; elsewhere the peak is the process's.
 */
export function residentMemory(reset: boolean): { now: number; peak: number } {
  try {
    if (reset) writeFileSync('/proc/self/clear_refs', '5');
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    return { now: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { now: process.memoryUsage().rss / 2 ** 20, peak: process.resourceUsage().maxRSS / 1024 };
  }
}

/** 60000 → "60 000" (plain spaces, so `npm run bench "60 000"` matches). */
const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

const PARAMS = {
  lens: 'l2norm',
  intervals: 20,
  overlap: 0.3,
  minSamples: 5,
  eps: 'auto',
  epsQuantile: 0.9,
} as const;

/**
 * Runs not timed before the timed ones: the panel's analyses run in a long-lived worker, whose code is
 * compiled and whose helper threads are up after its first analysis. The first run's time (in a fresh
 * process when the benchmark runs alone: what one CLI call pays) is reported in the note.
 */
const WARMUP = 2;

function mapperBench(
  n: number,
  d: number,
  target: number,
  runs = 5,
  warmup = WARMUP,
): Benchmark<{ x: Float32Array; first: number }> {
  return {
    name: `mapper, ${thousands(n)} × ${d}`,
    // the scale run has no time target: it must complete within memory
    target: Number.isFinite(target) ? `≤ ${target / 1000} s` : 'completes',
    targetMs: Number.isFinite(target) ? target : undefined,
    runs,
    setup: () => {
      const x = gaussianBlobs(n, d);
      let first = NaN;
      for (let i = 0; i < warmup; i++) {
        const t0 = performance.now();
        buildMapper({ x, n, d }, PARAMS);
        if (i === 0) first = performance.now() - t0;
      }
      return { x, first };
    },
    run: ({ x, first }) => {
      const before = residentMemory(true);
      const cpu = process.cpuUsage();
      const g = buildMapper({ x, n, d }, PARAMS);
      const cpuMs = cpuMilliseconds(cpu);
      // the run's peak above what the process held before it (node, the generated input, earlier runs'
      // garbage not yet collected), against the input's size
      const extra = residentMemory(false).peak - before.now;
      const input = x.byteLength / 2 ** 20;
      const cold = Number.isNaN(first) ? '' : `, untimed first run ${first.toFixed(0)} ms`;
      return `${g.summary.nodes} nodes, ${g.summary.edges} edges, ε ${g.parameters.eps.toFixed(3)}, dropped ${g.summary.pointsDropped}, ${cpuMs.toFixed(0)} ms CPU, peak +${extra.toFixed(0)} MB over ${before.now.toFixed(0)} MB for ${input.toFixed(0)} MB input${cold}`;
    },
  };
}

const recluster: Benchmark<{ session: MapperSession; step: number }> = {
  name: 're-cluster after a parameter change, 10 000 × 10',
  target: '≤ 150 ms',
  targetMs: 150,
  runs: 7,
  setup: () => {
    const session = new MapperSession({ x: gaussianBlobs(10_000, 10), n: 10_000, d: 10 });
    session.run(PARAMS);
    return { session, step: 0 };
  },
  // each run moves eps and overlap, so every preimage is re-clustered; the lens and its order are reused
  run: (s) => {
    s.step++;
    const cpu = process.cpuUsage();
    const g = s.session.run({ ...PARAMS, eps: 1.5 + 0.05 * s.step, overlap: 0.3 + 0.01 * (s.step % 5) });
    return `${g.summary.nodes} nodes, ${cpuMilliseconds(cpu).toFixed(0)} ms CPU`;
  },
};

const scale = process.env.TOPOSCOPE_BENCH_SCALE ? [mapperBench(1_000_000, 64, Infinity, 1, 0)] : [];

/** Each benchmark keeps its own state type; the runner only passes setup's value back to run. */
const erase = <S>(b: Benchmark<S>): Benchmark<unknown> => b as unknown as Benchmark<unknown>;

export const benchmarks: Benchmark<unknown>[] = [
  erase(mapperBench(60_000, 10, 800)),
  erase(mapperBench(50_000, 512, 2000, 2)),
  erase(recluster),
  ...scale.map((b) => erase(b)),
];

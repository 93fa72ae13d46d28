/**
 * The benchmark contract (DESIGN.md §8): each `bench/<area>.bench.ts` exports `benchmarks`; `npm run bench`
 * runs them all and prints one table of medians. Benchmarks are never timed tests.
 */
export interface Benchmark<S = unknown> {
  /** What is measured, as it reads in the table ("mapper, 60 000 × 10"). */
  name: string;
  /** The target from DESIGN.md §8, as text ("≤ 0.8 s"), and in milliseconds for the verdict column. */
  target: string;
  targetMs?: number;
  /** Untimed preparation (data generation, file writes); its value is passed to `run`. */
  setup?: () => Promise<S> | S;
  /** The timed work. Return a short note for the table (e.g. "80 nodes") to show it did the real job. */
  run: (state: S) => Promise<string | void> | string | void;
  /** Timed repetitions (median reported); default 5. */
  runs?: number;
}

export function defineBenchmarks<const T extends readonly Benchmark<never>[]>(b: T): T {
  return b;
}

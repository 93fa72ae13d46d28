/** Summary statistics of a tensor, for `info` and the numeric inspector. */
import type { Tensor } from './tensor';

export interface TensorSummary {
  count: number;
  /** Over finite values only; null when there are none. */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Population standard deviation √(Σ(x − mean)²/n) of the finite values. */
  std: number | null;
  nanCount: number;
  infCount: number;
}

/** Elements between calls of `tick`, so a job can report progress and honour cancel on huge tensors. */
const CHUNK = 1 << 20;

export function summarizeTensor(t: Tensor, tick?: (fraction: number) => void): TensorSummary {
  const d = t.data;
  let n = 0;
  let nan = 0;
  let inf = 0;
  let min = Infinity;
  let max = -Infinity;
  // Welford's update keeps the variance exact for large means: m += δ/n, s += δ·(x − m).
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < d.length; i++) {
    if (tick && i % CHUNK === CHUNK - 1) tick(i / d.length);
    const x = Number(d[i]);
    if (Number.isNaN(x)) nan++;
    else if (!Number.isFinite(x)) inf++;
    else {
      n++;
      if (x < min) min = x;
      if (x > max) max = x;
      const delta = x - mean;
      mean += delta / n;
      m2 += delta * (x - mean);
    }
  }
  return n === 0
    ? { count: d.length, min: null, max: null, mean: null, std: null, nanCount: nan, infCount: inf }
    : { count: d.length, min, max, mean, std: Math.sqrt(m2 / n), nanCount: nan, infCount: inf };
}

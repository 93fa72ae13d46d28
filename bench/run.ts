/** `npm run bench [filter]`: runs every bench/*.bench.ts, prints one table of medians (ms). */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Benchmark } from './harness';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(): Promise<void> {
  const filter = process.argv[2]?.toLowerCase();
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  const rows: string[][] = [];
  for (const f of files) {
    const mod = (await import(path.join(__dirname, f))) as { benchmarks: Benchmark<unknown>[] };
    for (const b of mod.benchmarks) {
      if (filter && !b.name.toLowerCase().includes(filter)) continue;
      const state = b.setup ? await b.setup() : undefined;
      const times: number[] = [];
      let note = '';
      for (let i = 0; i < (b.runs ?? 5); i++) {
        const t0 = performance.now();
        note = (await b.run(state)) || note;
        times.push(performance.now() - t0);
      }
      const med = median(times);
      const verdict = b.targetMs === undefined ? '' : med <= b.targetMs ? 'met' : 'MISSED';
      rows.push([
        b.name,
        `${med.toFixed(1)} ms`,
        `${Math.min(...times).toFixed(1)} ms`,
        b.target,
        verdict,
        note,
      ]);
      process.stderr.write(`  ${b.name}: ${med.toFixed(1)} ms\n`);
    }
  }
  const headers = ['work', 'median', 'min', 'target', 'verdict', 'note'];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

void main();

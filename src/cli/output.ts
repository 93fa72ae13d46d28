/**
 * What every command shares: one JSON object on stdout with --json, a readable table otherwise, a progress
 * bar on a terminal, and the exit codes of DESIGN.md §11 (0 ok, 2 bad input, 1 internal failure).
 */
import { SingleBar, Presets } from 'cli-progress';
import { CancelledError, InputError } from '../core/errors';
import type { LocalContextOptions } from '../core/jobs/context';

export interface OutputOptions {
  json?: boolean;
}

/** Progress callbacks for a job: a bar on stderr when it is a terminal and the work lasts over a second. */
export function progressOptions(): LocalContextOptions & { done(): void } {
  if (!process.stderr.isTTY) return { done: () => undefined };
  const started = Date.now();
  let bar: SingleBar | undefined;
  return {
    onProgress: (fraction, message) => {
      if (!bar && Date.now() - started < 1000) return;
      if (!bar) {
        bar = new SingleBar(
          { stream: process.stderr, format: ' {bar} {percentage}% {message}', hideCursor: true },
          Presets.shades_classic,
        );
        bar.start(100, 0, { message: '' });
      }
      bar.update(Math.round(fraction * 100), { message: message ?? '' });
    },
    done: () => bar?.stop(),
  };
}

/** Prints the result: exactly one JSON object with --json, else the command's own table. */
export function emit(opts: OutputOptions, result: unknown, table: () => string): void {
  if (opts.json) process.stdout.write(JSON.stringify(result) + '\n');
  else process.stdout.write(table() + '\n');
}

/** Turns any failure into the CLI's contract: one `error: <file>: <reason>` line and an exit code. */
export function exitWithError(err: unknown): never {
  if (err instanceof InputError) {
    process.stderr.write(`error: ${err.file ? `${err.file}: ` : ''}${err.reason}\n`);
    process.exit(2);
  }
  if (err instanceof CancelledError) {
    process.stderr.write('error: cancelled\n');
    process.exit(130);
  }
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`error: internal failure: ${e.message}\n`);
  if (process.env.TOPOSCOPE_DEBUG) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
}

/** Formats rows as an aligned plain-text table (numbers right-aligned). */
export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[], numeric: boolean[]) =>
    r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  return [
    line(headers, numeric),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...cells.map((r) => line(r, numeric)),
  ]
    .map((l) => l.trimEnd())
    .join('\n');
}

export function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? x.toExponential(3) : x.toFixed(4);
}

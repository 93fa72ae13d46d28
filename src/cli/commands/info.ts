/** `toposcope info FILE [--json] [--no-stats]`: what a tensor file or ONNX model holds (DESIGN.md §11). */
import type { Command } from 'commander';
import type { InfoResult } from '../../core/jobs/io';
import { runJob } from '../../core/jobs/run';
import { emit, exitWithError, formatTable, progressOptions } from '../output';

const dims = (shape: readonly (number | string | null)[] | null | undefined): string =>
  shape ? `[${shape.map((d) => d ?? '?').join(', ')}]` : '?';

const stat = (x: number | null | undefined): string | number => (x === null || x === undefined ? '–' : x);

function table(r: InfoResult): string {
  const lines = [`${r.file}  (${r.format}, ${r.bytes} bytes)`];
  if (r.format === 'onnx') {
    lines.push(`opset ${r.opset}`);
    for (const v of r.inputs ?? []) lines.push(`input   ${v.name}  ${v.dtype}  ${dims(v.shape)}`);
    for (const v of r.outputs ?? []) lines.push(`output  ${v.name}  ${v.dtype}  ${dims(v.shape)}`);
    lines.push(r.reluMlp ? `ReLU MLP, widths ${r.reluMlp.widths.join('-')}` : 'not a plain ReLU MLP');
    lines.push(
      '',
      formatTable(
        ['layer', 'op', 'shape'],
        (r.layers ?? []).map((l) => [l.name, l.op, dims(l.shape)]),
      ),
    );
  }
  const withStats = r.tensors.some((t) => t.stats);
  const headers = [
    'tensor',
    'dtype',
    'shape',
    ...(withStats ? ['min', 'max', 'mean', 'std', 'NaN', 'Inf'] : []),
  ];
  const rows = r.tensors.map((t) => [
    t.name,
    t.dtype,
    dims(t.shape),
    ...(t.stats
      ? [
          stat(t.stats.min),
          stat(t.stats.max),
          stat(t.stats.mean),
          stat(t.stats.std),
          t.stats.nanCount,
          t.stats.infCount,
        ]
      : withStats
        ? ['', '', '', '', '', '']
        : []),
  ]);
  lines.push('', formatTable(headers, rows));
  return lines.join('\n');
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('describe a tensor file (.npy .npz .safetensors .csv .tsv .json .pt .png) or an ONNX model')
    .argument('<file>', 'the file to describe (file.npz:key, file.pt:key … for one tensor)')
    .option('--json', 'print one JSON object')
    .option('--no-stats', 'skip min/max/mean/std/NaN per tensor (faster on large files)')
    .action(async (file: string, opts: { json?: boolean; stats: boolean }) => {
      const progress = progressOptions();
      try {
        const result = await runJob('info', { file, stats: opts.stats }, progress);
        progress.done();
        emit(opts, result, () => table(result));
      } catch (e) {
        progress.done();
        exitWithError(e);
      }
    });
}

/** `toposcope layers MODEL.onnx [--json]`: the tensors whose activations can be read (DESIGN.md §11). */
import type { Command } from 'commander';
import { runJob } from '../../core/jobs/run';
import { emit, exitWithError, formatTable, progressOptions } from '../output';

export function registerLayers(program: Command): void {
  program
    .command('layers')
    .description('list the tensors of an ONNX model whose activations can be read')
    .argument('<model>', 'the .onnx model')
    .option('--json', 'print one JSON object')
    .action(async (model: string, opts: { json?: boolean }) => {
      const progress = progressOptions();
      try {
        const r = await runJob('layers', { model }, progress);
        progress.done();
        emit(opts, r, () =>
          formatTable(
            ['layer', 'op', 'shape'],
            r.layers.map((l) => [
              l.name,
              l.op,
              l.shape ? `[${l.shape.map((d) => d ?? '?').join(', ')}]` : '?',
            ]),
          ),
        );
      } catch (e) {
        progress.done();
        exitWithError(e);
      }
    });
}

/**
 * `toposcope activations MODEL.onnx --inputs X [--layer NAME] [--labels Y --attack … --eps E …] --out A.npy
 * [--predictions-out P.npy]`: a layer's activations on clean or attacked inputs (DESIGN.md §11).
 */
import type { Command } from 'commander';
import { runJob } from '../../core/jobs/run';
import { emit, exitWithError, formatTable, progressOptions } from '../output';
import { addModelRunOptions, modelRunParams, pct, type ModelRunOptions } from './model-options';

interface ActivationsOptions extends ModelRunOptions {
  layer?: string;
  out: string;
  predictionsOut?: string;
}

export function registerActivations(program: Command): void {
  addModelRunOptions(
    program
      .command('activations')
      .description("write a layer's activations on clean or adversarial inputs to an .npy file")
      .argument('<model>', 'the .onnx model')
      .option('--layer <name>', 'tensor to read (default: the model output; see `toposcope layers`)')
      .requiredOption('--out <file.npy>', 'where to write the activations')
      .option('--predictions-out <file.npy>', 'where to write the predicted classes'),
  ).action(async (model: string, opts: ActivationsOptions) => {
    const progress = progressOptions();
    try {
      const params = { ...modelRunParams(model, opts), layer: opts.layer, out: opts.out };
      const r = await runJob('activations', { ...params, predictionsOut: opts.predictionsOut }, progress);
      progress.done();
      const result = {
        shape: r.shape,
        layer: r.layer,
        accuracy: r.accuracy,
        cleanAccuracy: r.cleanAccuracy,
        attack: r.attack,
        eps: r.eps,
        out: r.out,
        predictionsOut: r.predictionsOut ?? null,
        seconds: r.seconds,
      };
      emit(opts, result, () =>
        formatTable(
          ['layer', 'shape', 'attack', 'ε', 'accuracy', 'clean accuracy', 'seconds', 'written to'],
          [
            [
              r.layer,
              `[${r.shape.join(', ')}]`,
              r.attack,
              r.eps,
              pct(r.accuracy),
              pct(r.cleanAccuracy),
              r.seconds,
              opts.out,
            ],
          ],
        ),
      );
    } catch (e) {
      progress.done();
      exitWithError(e);
    }
  });
}

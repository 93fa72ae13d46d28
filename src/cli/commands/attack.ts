/**
 * `toposcope attack MODEL.onnx --inputs X --labels Y --attack fgsm|pgd-linf|pgd-l2 --eps E … --out XADV.npy`:
 * adversarial inputs with clean and robust accuracy (DESIGN.md §6, §11).
 */
import type { Command } from 'commander';
import { runJob } from '../../core/jobs/run';
import { emit, exitWithError, formatTable, progressOptions } from '../output';
import { addModelRunOptions, modelRunParams, pct, type ModelRunOptions } from './model-options';

interface AttackOptions extends ModelRunOptions {
  out: string;
  predictionsOut?: string;
}

export function registerAttack(program: Command): void {
  addModelRunOptions(
    program
      .command('attack')
      .description('write adversarial inputs (FGSM, PGD ℓ∞, PGD ℓ2) and report clean and robust accuracy')
      .argument('<model>', 'the .onnx model')
      .requiredOption('--out <file.npy>', 'where to write the adversarial inputs')
      .option(
        '--predictions-out <file.npy>',
        'where to write the predicted classes on the adversarial inputs',
      ),
  ).action(async (model: string, opts: AttackOptions) => {
    const progress = progressOptions();
    try {
      const params = modelRunParams(model, { ...opts, attack: opts.attack ?? 'pgd-linf' });
      const r = await runJob(
        'attack',
        {
          ...params,
          attack: params.attack!,
          eps: params.eps ?? 0,
          out: opts.out,
          predictionsOut: opts.predictionsOut,
        },
        progress,
      );
      progress.done();
      const result = {
        attack: r.attack,
        eps: r.eps,
        steps: r.steps,
        stepSize: r.stepSize,
        shape: r.shape,
        cleanAccuracy: r.cleanAccuracy,
        robustAccuracy: r.robustAccuracy,
        out: r.out,
        predictionsOut: r.predictionsOut ?? null,
        seconds: r.seconds,
      };
      emit(opts, result, () =>
        formatTable(
          ['attack', 'ε', 'steps', 'α', 'clean accuracy', 'robust accuracy', 'seconds', 'written to'],
          [
            [
              r.attack,
              r.eps,
              r.steps,
              r.stepSize,
              pct(r.cleanAccuracy),
              pct(r.robustAccuracy),
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

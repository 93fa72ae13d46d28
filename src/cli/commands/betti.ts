/**
 * `toposcope betti MODEL [--box … | --slice … --inputs X] [--train CSV] [--trials 25] [--seed 0] [--json]`:
 * averaged random-filtration Betti curves of the 2-D complex (DESIGN.md §11).
 */
import type { Command } from 'commander';
import { InputError } from '../../core/errors';
import { runJob } from '../../core/jobs/run';
import { emit, exitWithError, formatTable, progressOptions } from '../output';
import { domainOptions, domainParams, type DomainOptions } from './polytope';

/** A non-negative integer option, or InputError naming the option. */
export function integerOption(name: string, text: string, min: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min)
    throw new InputError('', `${name} must be an integer ≥ ${min}, got '${text}'`, 'bad-parameter');
  return v;
}

export function registerBetti(program: Command): void {
  domainOptions(
    program
      .command('betti')
      .description('averaged random-filtration Betti curves of the 2-D cell complex')
      .argument('<model>', '.onnx model or .pt state dict of a ReLU MLP'),
  )
    .option('--trials <n>', 'filtrations averaged', '25')
    .option('--seed <n>', 'seed of the random orders', '0')
    .option('--json', 'print one JSON object')
    .action(async (model: string, opts: DomainOptions & { trials: string; seed: string; json?: boolean }) => {
      const progress = progressOptions();
      try {
        const trials = integerOption('--trials', opts.trials, 1);
        const seed = integerOption('--seed', opts.seed, 0);
        const b = await runJob('betti', { ...domainParams(model, opts), trials, seed }, progress);
        progress.done();
        const json = {
          fVector: b.fVector,
          trials: b.trials,
          seed: b.seed,
          curves: {
            fraction: Array.from(b.fraction),
            beta0: Array.from(b.beta0),
            beta1: Array.from(b.beta1),
          },
          max: b.max,
          beta1PeakFraction: b.beta1PeakFraction,
        };
        emit(opts, json, () => {
          const n = b.fraction.length;
          const rows = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1].map((x) => {
            const i = Math.max(0, Math.round(x * n) - 1);
            return [b.fraction[i], b.beta0[i], b.beta1[i]];
          });
          return [
            `f-vector ${b.fVector.join(', ')}; ${b.trials} trials; max β0 ${b.max.beta0}, max β1 ${b.max.beta1} ` +
              `(at fraction ${b.beta1PeakFraction.toFixed(4)})`,
            formatTable(['fraction', 'β0', 'β1'], rows),
          ].join('\n');
        });
      } catch (e) {
        progress.done();
        exitWithError(e);
      }
    });
}

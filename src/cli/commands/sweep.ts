/**
 * `toposcope sweep CHECKPOINT_DIR [--loss loss.csv] [--train CSV | --box …] [--trials 25] [--seed 0]
 * [--columns 100] [--json]`: f-vectors and Betti curves over training checkpoints (DESIGN.md §11).
 */
import type { Command } from 'commander';
import { runJob } from '../../core/jobs/run';
import { parseBox } from '../../core/polytope/domain';
import { emit, exitWithError, formatTable, progressOptions } from '../output';
import { integerOption } from './betti';

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('cell complexes and Betti curves of every checkpoint in a folder, against the training loss')
    .argument('<dir>', 'folder of checkpoints (.onnx or .pt, epoch number in the name)')
    .option('--loss <csv>', 'epoch,train_loss,... (default: loss.csv in the folder or its parent)')
    .option('--train <csv>', 'training points for the default box (default: train.csv beside the folder)')
    .option('--box <x0,x1,y0,y1>', 'the box (default: training points bounding box + 5 %)')
    .option('--trials <n>', 'filtrations averaged per checkpoint', '25')
    .option('--seed <n>', 'seed of the random orders', '0')
    .option('--columns <n>', 'heat-map columns', '100')
    .option('--json', 'print one JSON object')
    .action(
      async (
        dir: string,
        opts: {
          loss?: string;
          train?: string;
          box?: string;
          trials: string;
          seed: string;
          columns: string;
          json?: boolean;
        },
      ) => {
        const progress = progressOptions();
        try {
          const r = await runJob(
            'sweep',
            {
              dir,
              ...(opts.loss && { loss: opts.loss }),
              ...(opts.train && { train: opts.train }),
              ...(opts.box && { box: parseBox(opts.box) }),
              trials: integerOption('--trials', opts.trials, 1),
              seed: integerOption('--seed', opts.seed, 0),
              columns: integerOption('--columns', opts.columns, 1),
            },
            progress,
          );
          progress.done();
          const json = {
            checkpoints: r.checkpoints,
            heatmap: {
              columns: Array.from(r.heatmap.columns),
              beta0: r.heatmap.beta0.map((row) => Array.from(row)),
              beta1: r.heatmap.beta1.map((row) => Array.from(row)),
            },
            correlations: r.correlations,
            trials: r.trials,
            box: r.box,
            lossFile: r.lossFile,
          };
          emit(opts, json, () =>
            [
              formatTable(
                ['epoch', 'f0', 'f1', 'f2', 'max β1', 'β1 peak at', 'loss'],
                r.checkpoints.map((c) => [
                  c.epoch,
                  c.fVector[0],
                  c.fVector[1],
                  c.fVector[2],
                  c.betaMax.beta1,
                  c.beta1PeakFraction,
                  c.loss ?? '—',
                ]),
              ),
              '',
              formatTable(
                ['loss vs', 'Pearson', 'Spearman'],
                Object.entries(r.correlations).map(([k, v]) => [
                  k,
                  v ? v.pearson : '—',
                  v ? v.spearman : '—',
                ]),
              ),
            ].join('\n'),
          );
        } catch (e) {
          progress.done();
          exitWithError(e);
        }
      },
    );
}

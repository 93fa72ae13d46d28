/**
 * `toposcope weak-regions GRAPH.json | ACT … [--threshold 0.9] [--refine-fraction 0.2 --train-size N]
 * [--out sel.csv]`: nodes ranked by accuracy and the refinement set of misclassified samples (DESIGN.md §5).
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InputError } from '../../core/errors';
import { encodeNpy } from '../../core/io/npy';
import type { WeakRegionsJobParams } from '../../core/jobs/mapper';
import { runJob } from '../../core/jobs/run';
import { refinementCsv } from '../../core/mapper/refinement';
import { emit, exitWithError, formatTable, progressOptions } from '../output';
import {
  addMapperOptions,
  mapperParamsFrom,
  parseInteger,
  parseNumber,
  type MapperCliOptions,
} from './mapper';

/** Options passed to the job as given (documented on WeakRegionsJobParams). */
type WeakJobOptions = Pick<
  WeakRegionsJobParams,
  'labels' | 'predictions' | 'threshold' | 'refineFraction' | 'trainSize' | 'samples'
>;

interface WeakCliOptions extends MapperCliOptions, WeakJobOptions {
  out?: string;
  indicesOut?: string;
  json?: boolean;
}

/** A JSON file holding an object with `nodes` is a saved graph; anything else is an activation tensor. */
async function isGraphFile(file: string): Promise<boolean> {
  if (!file.toLowerCase().endsWith('.json')) return false;
  try {
    const doc: unknown = JSON.parse(await readFile(file, 'utf8'));
    return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'nodes' in doc;
  } catch {
    return false;
  }
}

export function registerWeakRegions(program: Command): void {
  addMapperOptions(
    program
      .command('weak-regions')
      .description('rank mapper nodes by accuracy and pick the refinement set of misclassified samples')
      .argument(
        '<input>',
        'a graph saved by `mapper --out`, or N×D activations (then the mapper options apply)',
      )
      .option('--labels <file>', 'true labels, one per row')
      .option('--predictions <file>', 'predicted labels, one per row'),
  )
    .option('--threshold <a>', 'a node is weak when its accuracy is below this (default 0.9)', parseNumber)
    .option(
      '--refine-fraction <f>',
      'refinement set size as a fraction of the training set (default 0.2)',
      parseNumber,
    )
    .option('--train-size <n>', 'training set size N_train (builds the refinement set)', parseInteger)
    .option('--samples <manifest>', 'sample manifest, image folder or image .npy (fills the file column)')
    .option('--out <sel.csv>', 'write the refinement set as CSV index,file,label,prediction,node')
    .option('--indices-out <sel.npy>', "write the refinement set's row indices as an int32 .npy")
    .option('--json', 'print one JSON object')
    .action(async (input: string, opts: WeakCliOptions) => {
      const progress = progressOptions();
      try {
        if ((opts.out || opts.indicesOut) && opts.trainSize === undefined) {
          throw new InputError(
            input,
            '--out and --indices-out need --train-size (the refinement set)',
            'bad-parameter',
          );
        }
        const graphInput = await isGraphFile(input);
        const r = await runJob(
          'weakRegions',
          {
            ...mapperParamsFrom(opts),
            ...(graphInput ? { graph: input } : { activations: input }),
            labels: opts.labels,
            predictions: opts.predictions,
            threshold: opts.threshold,
            refineFraction: opts.refineFraction,
            trainSize: opts.trainSize,
            samples: opts.samples,
          },
          progress,
        );
        progress.done();
        if (opts.out && r.refinement) await writeFile(opts.out, refinementCsv(r.refinement));
        if (opts.indicesOut && r.refinement) {
          const data = Int32Array.from(r.refinement.indices);
          await writeFile(opts.indicesOut, encodeNpy({ dtype: 'int32', shape: [data.length], data }));
        }
        const result = {
          threshold: r.threshold,
          regions: r.regions,
          refinement: r.refinement
            ? {
                size: r.refinement.size,
                fraction: r.refinement.fraction,
                trainSize: r.refinement.trainSize,
                indices: r.refinement.indices,
              }
            : null,
          summary: r.summary,
        };
        emit(opts, result, () => {
          const weak = r.regions.filter((w) => w.weak);
          const table = formatTable(
            ['node', 'interval', 'size', 'accuracy', 'purity', 'top confusions (true→predicted ×count)'],
            weak.map((w) => [
              w.node,
              w.interval,
              w.size,
              w.accuracy,
              w.purity ?? '—',
              w.confusions.map((c) => `${c.label}→${c.prediction} ×${c.count}`).join(', '),
            ]),
          );
          const head = `${weak.length} of ${r.regions.length} nodes below accuracy ${r.threshold}`;
          const tail = r.refinement
            ? `\nrefinement set: ${r.refinement.size} samples (${r.refinement.fraction} × ${r.refinement.trainSize})`
            : '';
          return `${head}\n${table}${tail}`;
        });
      } catch (err) {
        progress.done();
        exitWithError(err);
      }
    });
}

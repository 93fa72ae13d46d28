/**
 * `toposcope patterns MODEL --inputs X [--labels Y] [--json]`: the activation-pattern graph of real
 * samples, any input dimension (DESIGN.md §11).
 */
import type { Command } from 'commander';
import { runJob } from '../../core/jobs/run';
import { emit, exitWithError, formatTable, progressOptions } from '../output';

export function registerPatterns(program: Command): void {
  program
    .command('patterns')
    .description('distinct ReLU activation patterns of real samples and their Hamming-1 graph')
    .argument('<model>', '.onnx model or .pt state dict of a ReLU MLP')
    .requiredOption('--inputs <file>', 'the samples (rows), any tensor format')
    .option('--labels <file>', 'class labels of the samples')
    .option('--json', 'print one JSON object')
    .action(async (model: string, opts: { inputs: string; labels?: string; json?: boolean }) => {
      const progress = progressOptions();
      try {
        const g = await runJob(
          'patterns',
          { model, inputs: opts.inputs, ...(opts.labels && { labels: opts.labels }) },
          progress,
        );
        progress.done();
        const P = g.counts.length;
        const patterns = Array.from({ length: P }, (_, id) => {
          const labelCounts = Array.from(g.labelCounts.subarray(id * g.classes, (id + 1) * g.classes));
          const top = labelCounts.length ? labelCounts.indexOf(Math.max(...labelCounts)) : null;
          return {
            id,
            count: g.counts[id],
            labelCounts,
            majorityLabel: top,
            majorityShare: top === null ? null : labelCounts[top] / g.counts[id],
            component: g.componentOf[id],
          };
        });
        const json = {
          samples: g.samples,
          hidden: g.hidden,
          distinctPatterns: P,
          patterns,
          edges: Array.from(g.source, (s, k) => ({
            source: s,
            target: g.target[k],
            neuron: g.flippedNeuron[k],
          })),
          largestComponent: g.largestComponent,
          seconds: g.seconds,
        };
        emit(opts, json, () =>
          formatTable(
            ['quantity', 'value'],
            [
              ['samples', g.samples],
              ['hidden neurons', g.hidden],
              ['distinct patterns', P],
              ['Hamming-1 edges', g.source.length],
              ['largest component (patterns)', g.largestComponent.patterns],
              ['largest component (samples)', g.largestComponent.samples],
              ['seconds', g.seconds],
            ],
          ),
        );
      } catch (e) {
        progress.done();
        exitWithError(e);
      }
    });
}

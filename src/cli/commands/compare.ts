/**
 * `toposcope compare SPEC.toposcope.json` or `toposcope compare --set NAME=ACT,PRED … [--labels F]`: mapper
 * graphs of every set with the same resolved parameters — ε "auto" is resolved once, on the first set
 * (DESIGN.md §5, §11).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { CompareSetParams } from '../../core/jobs/mapper';
import { runJob } from '../../core/jobs/run';
import { emit, exitWithError, formatTable, progressOptions } from '../output';
import { addMapperOptions, mapperParamsFrom, type MapperCliOptions } from './mapper';

/** `NAME=ACT[,PRED]`, with an optional epsilon read from a name like `eps=0.1` or `ε=0.1`. */
export function parseSet(value: string, previous: CompareSetParams[] = []): CompareSetParams[] {
  const eq = value.lastIndexOf('=');
  const comma = value.lastIndexOf(',');
  if (eq <= 0 || eq === value.length - 1)
    throw new InvalidArgumentError(`expected NAME=ACT[,PRED], got "${value}"`);
  const name = value.slice(0, eq);
  const files = value.slice(eq + 1);
  const split = comma > eq ? comma - eq - 1 : -1;
  const activations = split >= 0 ? files.slice(0, split) : files;
  const predictions = split >= 0 ? files.slice(split + 1) : undefined;
  const eps = /(?:^|[^a-z])(?:eps|ε|epsilon)\s*=?\s*([0-9.]+)$/i.exec(name);
  return [...previous, { name, activations, predictions, ...(eps ? { epsilon: Number(eps[1]) } : {}) }];
}

interface CompareCliOptions extends MapperCliOptions {
  set?: CompareSetParams[];
  labels?: string;
  outDir?: string;
  json?: boolean;
}

export function registerCompare(program: Command): void {
  addMapperOptions(
    program
      .command('compare')
      .description('mapper graphs of several sets (clean and attacked) with one resolved ε')
      .argument('[spec]', 'analysis spec (*.toposcope.json) listing the sets')
      .option('--set <NAME=ACT,PRED>', 'a set to compare (repeatable; instead of a spec)', parseSet)
      .option('--labels <file>', 'true labels shared by every set'),
  )
    .option('--out-dir <dir>', "write each set's graph as <dir>/<name>.json")
    .option('--json', 'print one JSON object')
    .action(async (spec: string | undefined, opts: CompareCliOptions) => {
      const progress = progressOptions();
      try {
        const r = await runJob(
          'compare',
          { spec, sets: opts.set, labels: opts.labels, ...mapperParamsFrom(opts) },
          progress,
        );
        progress.done();
        if (opts.outDir) {
          await mkdir(opts.outDir, { recursive: true });
          for (const s of r.sets) {
            const name = s.name.replace(/[^\w.=-]+/g, '_');
            await writeFile(path.join(opts.outDir, `${name}.json`), JSON.stringify(s.graph));
          }
        }
        const result = {
          parameters: r.parameters,
          sets: r.sets.map((s) => ({ name: s.name, epsilon: s.epsilon, summary: s.summary })),
        };
        emit(opts, result, () =>
          [
            `eps ${r.parameters.eps}${r.parameters.epsAuto ? ` (auto, q = ${r.parameters.epsQuantile}, resolved on ${r.sets[0].name})` : ''}`,
            formatTable(
              ['set', 'epsilon', 'nodes', 'edges', 'in graph', 'dropped', 'weighted purity', 'mean accuracy'],
              r.sets.map((s) => [
                s.name,
                s.epsilon ?? '—',
                s.summary.nodes,
                s.summary.edges,
                s.summary.pointsInGraph,
                s.summary.pointsDropped,
                s.summary.weightedPurity ?? '—',
                s.summary.meanAccuracy ?? '—',
              ]),
            ),
          ].join('\n'),
        );
      } catch (err) {
        progress.done();
        exitWithError(err);
      }
    });
}

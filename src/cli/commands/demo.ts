/** `toposcope demo [--out DIR]`: the main analyses on the bundled demo data, as a static report. */
import path from 'node:path';
import type { Command } from 'commander';
import { localContext } from '../../core/jobs/context';
import { demoSectionProviders } from '../../core/report/demo-sections';
import type { ReportSection } from '../../core/report/write-report';
import { exitWithError, progressOptions } from '../output';
import { writeAndPrintReport } from './report';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the main analyses on the bundled demo data and write a report')
    .option('--out <dir>', 'output folder', 'demo-report')
    .option('--json', 'print the written files as JSON')
    .action(async (opts: { out: string; json?: boolean }) => {
      const progress = progressOptions();
      try {
        const outDir = path.resolve(opts.out);
        const demoDir = path.resolve(__dirname, '..', 'demo');
        const ctx = localContext(progress);
        const sections: ReportSection[] = [];
        for (const provide of demoSectionProviders)
          sections.push(...(await provide({ demoDir, outDir, ctx })));
        await writeAndPrintReport(opts, progress, {
          outDir,
          title: 'TopoScope demo',
          description:
            'Mapper graphs of a digits MLP under PGD attacks of growing ε, and the views bundled with TopoScope.',
          sections,
        });
      } catch (err) {
        progress.done();
        exitWithError(err);
      }
    });
}

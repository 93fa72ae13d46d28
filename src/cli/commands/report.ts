/** `toposcope report SPEC --out DIR`: a static, offline HTML report of an analysis spec (DESIGN.md §11). */
import path from 'node:path';
import type { Command } from 'commander';
import { localContext } from '../../core/jobs/context';
import { reportSpecSections } from '../../core/report/spec-sections';
import { writeReport, type ReportOptions, type ReportSection } from '../../core/report/write-report';
import { emit, exitWithError, formatTable, progressOptions, type OutputOptions } from '../output';

/**
 * Writes a report (`report` and `demo`) with the webview bundles built beside the CLI bundle (dist/webview),
 * then prints the pages written: JSON with --json, else the index path and a table.
 */
export async function writeAndPrintReport(
  opts: OutputOptions,
  progress: { done(): void },
  report: Omit<ReportOptions, 'bundleDir'>,
): Promise<void> {
  const { sections } = report;
  const written = await writeReport({ ...report, bundleDir: path.join(__dirname, 'webview') });
  progress.done();
  emit(
    opts,
    { index: written.index, pages: sections.map((s) => ({ id: s.id, view: s.view, title: s.title })) },
    () => reportSummary(written.index, sections),
  );
}

function reportSummary(index: string, sections: ReportSection[]): string {
  return [
    `report: ${index}`,
    formatTable(
      ['page', 'view', 'summary'],
      sections.map((s) => [
        `${s.id}.html`,
        s.view,
        s.stats.map((st) => `${st.label} ${st.value}`).join(', '),
      ]),
    ),
  ].join('\n');
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write a static, offline HTML report of an analysis spec (*.toposcope.json)')
    .argument('<spec>', 'analysis spec file')
    .requiredOption('--out <dir>', 'output folder')
    .option('--json', 'print the written files as JSON')
    .action(async (spec: string, opts: { out: string; json?: boolean }) => {
      const progress = progressOptions();
      try {
        const outDir = path.resolve(opts.out);
        const sections = await reportSpecSections(path.resolve(spec), outDir, localContext(progress));
        await writeAndPrintReport(opts, progress, {
          outDir,
          title: path.basename(spec).replace(/\.toposcope\.json$/, ''),
          sections,
        });
      } catch (err) {
        progress.done();
        exitWithError(err);
      }
    });
}

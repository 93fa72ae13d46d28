/**
 * Report sections of one analysis spec (`toposcope report SPEC`): its sets through the mapper engine, with
 * the spec's sample manifest linked so the report's galleries show the images.
 */
import { InputError } from '../errors';
import { loadSamples } from '../io/manifest';
import type { JobContext } from '../jobs/types';
import { loadSpec } from '../spec/spec';
import { mapperSections } from './mapper-sections';
import type { ReportSection } from './write-report';

export async function reportSpecSections(
  specPath: string,
  outDir: string,
  ctx: JobContext,
): Promise<ReportSection[]> {
  const spec = await loadSpec(specPath);
  if (!spec.sets || spec.sets.length === 0) {
    throw new InputError(specPath, 'the spec lists no sets of activations to report', 'bad-spec');
  }
  const samples = spec.samples ? await loadSamples(spec.samples) : undefined;
  return mapperSections(
    {
      name: spec.name,
      classes: spec.classes,
      labels: spec.labels,
      sets: spec.sets.map((set, i) => ({ ...set, epsilon: set.epsilon ?? i })),
      mapper: spec.mapper,
    },
    { outDir, ctx, sampleFiles: samples?.files },
  );
}

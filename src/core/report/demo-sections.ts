/**
 * What `toposcope demo` shows: each provider turns the bundled demo folder into report sections. Other
 * analyses add their demo by appending a provider to `demoSectionProviders` (e.g. the polytope view on
 * demo/spirals).
 */
import path from 'node:path';
import type { JobContext } from '../jobs/types';
import { spiralsDemo } from './polytope-section';
import { reportSpecSections } from './spec-sections';
import type { ReportSection } from './write-report';

export interface DemoContext {
  /** The bundled demo folder (holds digits/, spirals/). */
  demoDir: string;
  outDir: string;
  ctx: JobContext;
}

export type DemoSectionProvider = (d: DemoContext) => Promise<ReportSection[]>;

/** The digits MLP under PGD at ε = 0…0.3: its spec file, through the same path as `toposcope report`. */
export const digitsDemo: DemoSectionProvider = (d) =>
  reportSpecSections(path.join(d.demoDir, 'digits', 'adv.toposcope.json'), d.outDir, d.ctx);

export const demoSectionProviders: DemoSectionProvider[] = [digitsDemo, spiralsDemo];

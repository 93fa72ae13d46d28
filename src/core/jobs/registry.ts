/**
 * Every job the worker, the CLI and the tests can run, by kind. Each area contributes its handlers from
 * its own module; jobs that load onnxruntime are listed in `ORT_JOBS` and run in a child process.
 */
import { ioJobs } from './io';
import { mapperJobs } from './mapper';
import { modelJobs } from './model';
import { polytopeJobs } from './polytope';
import type { JobHandlers, JobKind } from './types';

export const handlers: JobHandlers = {
  ...ioJobs,
  ...modelJobs,
  ...mapperJobs,
  ...polytopeJobs,
};

/** Jobs that load onnxruntime-node: never on the extension host's thread, and killable (child process). */
export const ORT_JOBS: ReadonlySet<JobKind> = new Set<JobKind>([
  'layers',
  'activations',
  'attack',
  'epsilonSweep',
]);

import { InputError } from '../errors';
import { localContext, type LocalContextOptions } from './context';
import { handlers } from './registry';
import type { JobKind, JobParams, JobResult } from './types';

/** Runs a job on the current thread by kind (the CLI and the worker entry both call this). */
export async function runJob<K extends JobKind>(
  kind: K,
  params: JobParams<K>,
  opts: LocalContextOptions = {},
): Promise<JobResult<K>> {
  const handler = handlers[kind];
  if (!handler) throw new InputError('', `unknown job kind "${String(kind)}"`);
  return handler(params, localContext(opts));
}

import { CancelledError } from '../errors';
import type { JobContext } from './types';

export interface LocalContextOptions {
  onProgress?: (fraction: number, message?: string) => void;
  onLog?: (message: string) => void;
  /** A shared Int32Array whose element 0 becomes non-zero on cancel (readable from a busy thread). */
  cancelFlag?: Int32Array;
  signal?: AbortSignal;
}

/** A JobContext for running a handler on the current thread (CLI, tests, inside a worker). */
export function localContext(opts: LocalContextOptions = {}): JobContext {
  const isCancelled = (): boolean =>
    (opts.cancelFlag !== undefined && Atomics.load(opts.cancelFlag, 0) !== 0) ||
    opts.signal?.aborted === true;
  return {
    progress: (fraction, message) => opts.onProgress?.(Math.min(1, Math.max(0, fraction)), message),
    throwIfCancelled: () => {
      if (isCancelled()) throw new CancelledError();
    },
    get cancelled() {
      return isCancelled();
    },
    log: (message) => opts.onLog?.(message),
  };
}

/** A context that reports nothing and is never cancelled. */
export const silentContext: JobContext = localContext();

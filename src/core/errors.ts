/**
 * Typed errors shared by the worker, the CLI and the extension. Every failure the user can fix is an
 * `InputError` naming the file and the reason; anything else is an internal failure.
 */

/** Machine-readable reason codes, stable across versions (the CLI and panels switch on them). */
export type InputErrorCode =
  | 'not-found'
  | 'truncated'
  | 'bad-header'
  | 'unsupported-dtype'
  | 'unsupported-format'
  | 'shape-mismatch'
  | 'row-count-mismatch'
  | 'non-finite'
  | 'unsafe-pickle'
  | 'legacy-format'
  | 'too-large'
  | 'bad-spec'
  | 'bad-model'
  | 'unsupported-op'
  | 'bad-parameter'
  | 'outside-workspace';

/** A problem with what the user gave us: a file, a parameter, a spec. Exit code 2 on the CLI. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly code: InputErrorCode = 'bad-parameter',
  ) {
    super(file ? `${file}: ${reason}` : reason);
  }
}

/** The job was cancelled by the user; not an error to report. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

/** The plain-object form of an error that crosses a thread, process or webview boundary. */
export interface SerializedError {
  kind: 'input' | 'cancelled' | 'internal';
  message: string;
  file?: string;
  reason?: string;
  code?: InputErrorCode;
  stack?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof InputError) {
    return { kind: 'input', message: err.message, file: err.file, reason: err.reason, code: err.code };
  }
  if (err instanceof CancelledError) return { kind: 'cancelled', message: 'cancelled' };
  const e = err instanceof Error ? err : new Error(String(err));
  return { kind: 'internal', message: e.message, stack: e.stack };
}

export function deserializeError(s: SerializedError): Error {
  if (s.kind === 'input') return new InputError(s.file ?? '', s.reason ?? s.message, s.code);
  if (s.kind === 'cancelled') return new CancelledError();
  const e = new Error(s.message);
  if (s.stack) e.stack = s.stack;
  return e;
}

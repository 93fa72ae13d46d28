/**
 * The one typed job protocol (DESIGN.md §2): the worker pool, the child process that hosts onnxruntime,
 * the CLI and the tests all run the same handlers with the same parameters and results.
 *
 * Each analysis area declares its jobs by augmenting `JobTypes` in its own `src/core/jobs/<area>.ts`:
 *
 *   declare module './types' {
 *     interface JobTypes { mapper: { params: MapperJobParams; result: MapperJobResult } }
 *   }
 */
import type { SerializedError } from '../errors';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface JobTypes {}

export type JobKind = keyof JobTypes;
export type JobParams<K extends JobKind> = JobTypes[K] extends { params: infer P } ? P : never;
export type JobResult<K extends JobKind> = JobTypes[K] extends { result: infer R } ? R : never;

/** What a running job can do besides computing: report progress, notice cancellation, log. */
export interface JobContext {
  /** fraction in [0, 1]; cheap, rate-limited by the transport. */
  progress(fraction: number, message?: string): void;
  /** Throws CancelledError once the job was cancelled; call between chunks of work (≥ every ~100 ms). */
  throwIfCancelled(): void;
  readonly cancelled: boolean;
  log(message: string): void;
}

export type JobHandler<K extends JobKind> = (
  params: JobParams<K>,
  ctx: JobContext,
) => Promise<JobResult<K>> | JobResult<K>;

export type JobHandlers = { [K in JobKind]: JobHandler<K> };

/** Host → worker messages. */
export type HostToWorker =
  | { type: 'run'; id: number; kind: JobKind; params: unknown; cancelFlag?: SharedArrayBuffer }
  | { type: 'cancel'; id: number };

/** Worker → host messages. */
export type WorkerToHost =
  | { type: 'ready' }
  | { type: 'progress'; id: number; fraction: number; message?: string }
  | { type: 'log'; id: number; message: string }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: SerializedError };

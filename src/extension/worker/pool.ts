/**
 * The worker pool: every analysis runs off the extension host's thread (DESIGN.md §2, §9).
 * Pure-JS jobs run in worker threads and cancel through a shared flag; a thread that ignores the flag past
 * the grace period is terminated (safe: no onnxruntime session runs there). Jobs that load onnxruntime
 * run in a forked child process that is killed when it does not stop, because terminating a thread while
 * a session runs aborts the whole process. A dead worker fails only its own job; the next job gets a fresh
 * one. This module never imports `vscode` (tested outside the editor) nor the job registry.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { CancelledError, deserializeError } from '../../core/errors';
import type { HostToWorker, JobKind, JobParams, JobResult, WorkerToHost } from '../../core/jobs/types';
import { DESCRIBE_KIND, type WorkerDescription } from './internal-jobs';

export interface PoolOptions {
  /** Absolute path of the bundled worker entry (dist/worker.js). */
  workerScript: string;
  /** Worker threads for pure-JS jobs; default: CPU count − 1, at least 1, at most 4. */
  threads?: number;
  /** Extra environment for the workers (e.g. TOPOSCOPE_ORT_THREADS). */
  env?: Record<string, string>;
  /** Heap limit of each worker (MB): running out fails the job, not the editor. Default 4096. */
  memoryMB?: number;
  /** How long a cancelled job may keep running before its worker is killed. Default 750 ms. */
  cancelGraceMs?: number;
  /** Idle workers are shut down after this long (they hold caches and memory). Default 120 s. */
  idleMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface PoolRunOptions {
  onProgress?: (fraction: number, message?: string) => void;
  onLog?: (message: string) => void;
  signal?: AbortSignal;
}

/** The worker running a job died (native crash, out of memory, killed from outside). */
export class WorkerCrashedError extends Error {
  override readonly name = 'WorkerCrashedError';
}

type Transport = 'thread' | 'process';

interface Job {
  id: number;
  kind: string;
  params: unknown;
  opts: PoolRunOptions;
  transport: Transport;
  resolve(value: unknown): void;
  reject(err: Error): void;
  cancelFlag?: Int32Array;
  cancelled: boolean;
  killTimer?: NodeJS.Timeout;
  detachSignal?: () => void;
}

interface Slot {
  transport: Transport;
  send(msg: HostToWorker): void;
  kill(): void;
  /** Busy workers keep the host's event loop alive; idle ones must not hold up its exit. */
  hold(busy: boolean): void;
  job?: Job;
  idleTimer?: NodeJS.Timeout;
  /** Last lines the worker wrote to stderr, quoted when it crashes. */
  stderrTail: string;
  crashDetail?: string;
}

export class WorkerPool {
  private readonly threads: number;
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private description?: Promise<WorkerDescription>;
  private disposed = false;

  constructor(private readonly opts: PoolOptions) {
    this.threads = Math.max(1, opts.threads ?? Math.min(4, os.cpus().length - 1));
  }

  /** Runs a registered job off this thread. Rejects with CancelledError, InputError, or another Error. */
  run<K extends JobKind>(kind: K, params: JobParams<K>, opts?: PoolRunOptions): Promise<JobResult<K>>;
  run(kind: string, params: unknown, opts?: PoolRunOptions): Promise<unknown>;
  async run(kind: string, params: unknown, opts: PoolRunOptions = {}): Promise<unknown> {
    const { ortJobs } = await this.describe();
    return this.enqueue(kind, params, opts, ortJobs.includes(kind) ? 'process' : 'thread');
  }

  /** Which kinds the worker knows and which run in the child process (asked once, then cached). */
  describe(): Promise<WorkerDescription> {
    this.description ??= this.enqueue(DESCRIBE_KIND, null, {}, 'thread').then(
      (d) => d as WorkerDescription,
      (err: Error) => {
        this.description = undefined;
        throw err;
      },
    );
    return this.description;
  }

  get stats(): { running: number; queued: number; threads: number; processes: number } {
    const count = (t: Transport) => [...this.slots].filter((s) => s.transport === t).length;
    return {
      running: [...this.slots].filter((s) => s.job).length,
      queued: this.queue.length,
      threads: count('thread'),
      processes: count('process'),
    };
  }

  /** Cancels every queued and running job. */
  cancelAll(): void {
    for (const job of [...this.jobs.values()]) this.cancel(job);
  }

  dispose(): void {
    this.disposed = true;
    for (const job of [...this.jobs.values()]) this.settle(job, new CancelledError());
    for (const slot of [...this.slots]) this.retire(slot);
  }

  private enqueue(
    kind: string,
    params: unknown,
    opts: PoolRunOptions,
    transport: Transport,
  ): Promise<unknown> {
    if (this.disposed) return Promise.reject(new CancelledError());
    if (opts.signal?.aborted) return Promise.reject(new CancelledError());
    return new Promise((resolve, reject) => {
      const job: Job = {
        id: this.nextId++,
        kind,
        params,
        opts,
        transport,
        resolve,
        reject,
        cancelled: false,
      };
      if (opts.signal) {
        const onAbort = () => this.cancel(job);
        opts.signal.addEventListener('abort', onAbort, { once: true });
        job.detachSignal = () => opts.signal?.removeEventListener('abort', onAbort);
      }
      this.jobs.set(job.id, job);
      this.queue.push(job);
      this.dispatch();
    });
  }

  private cancel(job: Job): void {
    if (job.cancelled || !this.jobs.has(job.id)) return;
    job.cancelled = true;
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(job, new CancelledError());
      return;
    }
    const slot = this.slotOf(job);
    if (!slot) return;
    if (job.cancelFlag) {
      Atomics.store(job.cancelFlag, 0, 1);
      Atomics.notify(job.cancelFlag, 0);
    }
    slot.send({ type: 'cancel', id: job.id });
    job.killTimer = setTimeout(() => {
      if (slot.job !== job) return;
      this.opts.log?.(
        'warn',
        `${job.kind} ignored cancellation for ${this.grace} ms: stopping its ${slot.transport}`,
      );
      this.retire(slot);
      this.settle(job, new CancelledError());
      this.dispatch();
    }, this.grace);
  }

  private get grace(): number {
    return this.opts.cancelGraceMs ?? 750;
  }

  private slotOf(job: Job): Slot | undefined {
    for (const s of this.slots) if (s.job === job) return s;
    return undefined;
  }

  private dispatch(): void {
    for (let i = 0; i < this.queue.length;) {
      const job = this.queue[i];
      const slot = this.freeSlot(job.transport);
      if (!slot) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.start(slot, job);
    }
  }

  private freeSlot(transport: Transport): Slot | undefined {
    for (const s of this.slots) if (s.transport === transport && !s.job) return s;
    const limit = transport === 'thread' ? this.threads : 1;
    const count = [...this.slots].filter((s) => s.transport === transport).length;
    if (count >= limit) return undefined;
    const slot = transport === 'thread' ? this.spawnThread() : this.spawnProcess();
    this.slots.add(slot);
    return slot;
  }

  private start(slot: Slot, job: Job): void {
    clearTimeout(slot.idleTimer);
    slot.job = job;
    slot.hold(true);
    let cancelFlag: SharedArrayBuffer | undefined;
    if (slot.transport === 'thread') {
      cancelFlag = new SharedArrayBuffer(4);
      job.cancelFlag = new Int32Array(cancelFlag);
    }
    slot.send({ type: 'run', id: job.id, kind: job.kind as JobKind, params: job.params, cancelFlag });
  }

  private onMessage(slot: Slot, msg: WorkerToHost): void {
    if (msg.type === 'ready') return;
    const job = this.jobs.get(msg.id);
    if (!job) return;
    if (msg.type === 'progress') job.opts.onProgress?.(msg.fraction, msg.message);
    else if (msg.type === 'log') job.opts.onLog?.(msg.message);
    else {
      slot.job = undefined;
      if (msg.type === 'result') this.settle(job, undefined, msg.result);
      else this.settle(job, deserializeError(msg.error));
      this.park(slot);
      this.dispatch();
    }
  }

  private onExit(slot: Slot, how: string): void {
    if (!this.slots.delete(slot)) return;
    clearTimeout(slot.idleTimer);
    const job = slot.job;
    if (job) {
      const detail = slot.crashDetail ?? slot.stderrTail.trim().split('\n').slice(-3).join(' | ');
      const reason = `the analysis worker running "${job.kind}" stopped unexpectedly (${how})${detail ? `: ${detail}` : ''}`;
      this.opts.log?.('error', reason);
      this.settle(job, job.cancelled ? new CancelledError() : new WorkerCrashedError(reason));
    }
    this.dispatch();
  }

  private settle(job: Job, err?: Error, result?: unknown): void {
    if (!this.jobs.delete(job.id)) return;
    clearTimeout(job.killTimer);
    job.detachSignal?.();
    if (err) job.reject(err);
    else if (job.cancelled) job.reject(new CancelledError());
    else job.resolve(result);
  }

  /** An idle worker stays warm for the next job, then is shut down. */
  private park(slot: Slot): void {
    slot.hold(false);
    slot.idleTimer = setTimeout(() => {
      if (!slot.job) this.retire(slot);
    }, this.opts.idleMs ?? 120_000);
    slot.idleTimer.unref();
  }

  private retire(slot: Slot): void {
    this.slots.delete(slot);
    clearTimeout(slot.idleTimer);
    slot.kill();
  }

  private onStderr(slot: Slot, chunk: Buffer): void {
    const text = chunk.toString();
    slot.stderrTail = (slot.stderrTail + text).slice(-2000);
    this.opts.log?.('warn', text.trimEnd());
  }

  private workerEnv(): NodeJS.ProcessEnv {
    return { ...process.env, ...this.opts.env };
  }

  private spawnThread(): Slot {
    const worker = new Worker(this.opts.workerScript, {
      env: this.workerEnv(),
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: this.opts.memoryMB ?? 4096 },
    });
    const slot: Slot = {
      transport: 'thread',
      send: (m) => worker.postMessage(m),
      kill: () => void worker.terminate(),
      hold: (busy) => (busy ? worker.ref() : worker.unref()),
      stderrTail: '',
    };
    worker.stderr.on('data', (d: Buffer) => this.onStderr(slot, d));
    worker.on('message', (m: WorkerToHost) => this.onMessage(slot, m));
    worker.on('error', (err) => {
      slot.crashDetail = err.message;
    });
    worker.on('exit', (code) => this.onExit(slot, `exit code ${code}`));
    return slot;
  }

  private spawnProcess(): Slot {
    const child: ChildProcess = fork(this.opts.workerScript, [], {
      serialization: 'advanced',
      // Inside VS Code process.execPath is Electron: run it as plain Node.
      env: { ...this.workerEnv(), ELECTRON_RUN_AS_NODE: '1' },
      execArgv: [`--max-old-space-size=${this.opts.memoryMB ?? 4096}`],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    const slot: Slot = {
      transport: 'process',
      send: (m) => {
        if (child.connected) child.send(m);
      },
      kill: () => {
        child.kill('SIGKILL');
      },
      hold: (busy) => {
        const stderr = child.stderr as unknown as { ref(): void; unref(): void } | null;
        for (const h of [child, child.channel, stderr]) {
          if (busy) h?.ref();
          else h?.unref();
        }
      },
      stderrTail: '',
    };
    child.stderr?.on('data', (d: Buffer) => this.onStderr(slot, d));
    child.on('message', (m: WorkerToHost) => this.onMessage(slot, m));
    child.on('error', (err) => {
      slot.crashDetail = err.message;
      this.onExit(slot, 'could not start');
    });
    child.on('exit', (code, signal) => this.onExit(slot, signal ? `signal ${signal}` : `exit code ${code}`));
    return slot;
  }
}

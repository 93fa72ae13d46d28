/**
 * The analysis worker (bundled to dist/worker.js). The same file serves both transports of the pool: a
 * worker thread (pure-JS jobs; cancel through a shared flag) and a forked child process (onnxruntime jobs;
 * cancel by message, killed if it does not stop). It runs jobs with runJob from the one job protocol.
 */
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../../core/errors';
import { localContext } from '../../core/jobs/context';
import { handlers, ORT_JOBS } from '../../core/jobs/registry';
import { runJob } from '../../core/jobs/run';
import type { HostToWorker, JobKind, WorkerToHost } from '../../core/jobs/types';
import {
  internalJob,
  TEST_ORT_KINDS,
  testJobKinds,
  testJobsEnabled,
  type WorkerDescription,
} from './internal-jobs';

/** Progress messages are rate-limited: a job may report every step, the host needs ~20 a second. */
const PROGRESS_INTERVAL_MS = 50;

interface Transport {
  send(msg: WorkerToHost): void;
  onMessage(cb: (msg: HostToWorker) => void): void;
}

function openTransport(): Transport | undefined {
  const port = parentPort;
  if (port) return { send: (m) => port.postMessage(m), onMessage: (cb) => port.on('message', cb) };
  const send = process.send?.bind(process);
  if (send) {
    // The host went away (extension host closed or crashed): nothing left to answer to.
    process.on('disconnect', () => process.exit(0));
    return { send: (m) => send(m), onMessage: (cb) => process.on('message', cb) };
  }
  return undefined;
}

function describe(): WorkerDescription {
  return {
    kinds: [...Object.keys(handlers), ...testJobKinds()],
    ortJobs: [...ORT_JOBS, ...(testJobsEnabled() ? TEST_ORT_KINDS : [])],
  };
}

function serve(transport: Transport): void {
  const cancelFlags = new Map<number, Int32Array>();

  async function run(msg: Extract<HostToWorker, { type: 'run' }>): Promise<void> {
    const cancelFlag = msg.cancelFlag ? new Int32Array(msg.cancelFlag) : new Int32Array(1);
    cancelFlags.set(msg.id, cancelFlag);
    let lastProgress = 0;
    const opts = {
      cancelFlag,
      onProgress: (fraction: number, message?: string) => {
        const now = Date.now();
        if (fraction < 1 && now - lastProgress < PROGRESS_INTERVAL_MS) return;
        lastProgress = now;
        transport.send({ type: 'progress', id: msg.id, fraction, message });
      },
      onLog: (message: string) => transport.send({ type: 'log', id: msg.id, message }),
    };
    try {
      const internal = internalJob(msg.kind, describe);
      const result = internal
        ? await internal(msg.params, localContext(opts))
        : await runJob(msg.kind as JobKind, msg.params as never, opts);
      transport.send({ type: 'result', id: msg.id, result });
    } catch (err) {
      transport.send({ type: 'error', id: msg.id, error: serializeError(err) });
    } finally {
      cancelFlags.delete(msg.id);
    }
  }

  transport.onMessage((msg) => {
    if (msg.type === 'run') void run(msg);
    else if (msg.type === 'cancel') {
      const flag = cancelFlags.get(msg.id);
      if (flag) Atomics.store(flag, 0, 1);
    }
  });
  transport.send({ type: 'ready' });
}

const transport = openTransport();
if (transport) serve(transport);
else {
  process.stderr.write('dist/worker.js is started by the TopoScope worker pool, not directly.\n');
  process.exitCode = 2;
}

/**
 * DBSCAN of a cover's preimages on helper threads beside the calling one. Costliest first, the calling
 * thread keeps each helper supplied with preimages between its own, then collects the last answers —
 * reading them with receiveMessageOnPort and waiting with Atomics.wait, so a mapper run stays
 * synchronous and its callers (the panel's worker job, the CLI, the report) do not change.
 * Results are those of `dbscanBlock` on the calling thread: the same function runs on the same block.
 *
 * Helpers start on first use and stay (unref'd) for later runs. Set TOPOSCOPE_HELPERS=0 to turn them off.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { DbscanResult } from './dbscan';
import { dbscanBlock } from './dbscan';
import { blockMessage, type BlockMessage, type PointBlock } from './neighbors';

export interface HelperTask {
  run: number;
  index: number;
  block: BlockMessage;
  eps: number;
  minSamples: number;
}

export type HelperReply =
  | { run: number; index: number; labels: Int32Array; core: Uint8Array; clusters: number }
  | { run: number; index: number; error: string };

interface Helper {
  worker: Worker;
  port: MessagePort;
}

/** At most this many helper threads. */
const MAX_HELPERS = 3;
/** Preimages sent to a helper and not yet answered, at most. */
const IN_FLIGHT = 2;
/**
 * Below this much work (Σ rows² · d over the preimages) a run stays on the calling thread: a hop costs
 * copies and, the first time, a cold helper. Measured on 2 cores with warm helpers: 60 000 × 10
 * (5·10⁹) maps in 0.61–0.64 s instead of 0.79–0.82 s; re-clustering 10 000 × 10 (~10⁸) takes 25 ms
 * alone.
 */
const MIN_WORK = 1e9;

let helpers: Helper[] | undefined;
/** [0]: answers posted by all helpers, [1]: helpers loaded; the calling thread waits on them. */
const signal = new Int32Array(new SharedArrayBuffer(8));
let runs = 0;

/** How long the first run waits for its helpers to load before it goes on alone. */
const START_TIMEOUT_MS = 10_000;

/**
 * Starts the helpers and waits until each has loaded (it bumps signal[1]); none when the script is
 * missing or they fail to load in time (a helper that never loaded would never answer).
 */
function startHelpers(): Helper[] {
  const wanted = Number(process.env.TOPOSCOPE_HELPERS ?? Math.min(MAX_HELPERS, availableParallelism() - 1));
  // the bundle's helper beside the bundle, or, running from sources under tsx, the TypeScript one (an
  // ES module bundle has no __filename: it runs alone)
  if (!(wanted > 0) || typeof __filename !== 'string') return [];
  const fromSources = __filename.endsWith('.ts');
  const script = path.join(__dirname, fromSources ? 'cluster-helper.ts' : 'cluster-helper.js');
  if (!existsSync(script)) return [];
  // a worker thread does not inherit tsx's loader: the helper registers it first
  const source = fromSources ? `require('tsx/cjs'); require(${JSON.stringify(script)});` : script;
  const started = Array.from({ length: wanted }, () => {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(source, {
      eval: fromSources,
      workerData: { port: port2, signal },
      transferList: [port2],
    });
    worker.unref();
    port1.unref();
    return { worker, port: port1 };
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (let ready = Atomics.load(signal, 1); ready < wanted; ready = Atomics.load(signal, 1)) {
    if (Date.now() >= deadline) {
      for (const h of started) void h.worker.terminate();
      return [];
    }
    Atomics.wait(signal, 1, ready, deadline - Date.now());
  }
  return started;
}

/**
 * DBSCAN of each block `prepare(i)` (i < count), in order; `cost(i)` estimates the work of task i (only
 * its ratio to the others matters). `done(i)` is called on the calling thread after each of its own
 * tasks, where a cancelled run may throw. Helpers join when the total cost reaches `minWork`.
 */
export function dbscanEach(
  count: number,
  prepare: (i: number) => PointBlock,
  cost: (i: number) => number,
  eps: number,
  minSamples: number,
  done: (i: number) => void,
  minWork = MIN_WORK,
): DbscanResult[] {
  const results: DbscanResult[] = new Array(count);
  const costs = Array.from({ length: count }, (_, i) => cost(i));
  const total = costs.reduce((a, b) => a + b, 0);
  helpers ??= total >= minWork ? startHelpers() : undefined;
  const pool = total >= minWork ? (helpers ?? []) : [];
  // costliest first: whichever thread is free takes the next one, so the small ones even out the end
  const queue = Array.from({ length: count }, (_, i) => i).sort((a, b) => costs[b] - costs[a]);
  let next = 0;
  const run = ++runs;
  const inFlight = new Int32Array(pool.length);
  let pending = 0;
  let failure: string | undefined;
  // keeps each helper at most IN_FLIGHT preimages ahead (each one a copy of its rows in transit)
  const feed = (): void => {
    pool.forEach((h, t) => {
      while (inFlight[t] < IN_FLIGHT && next < queue.length) {
        const i = queue[next++];
        const block = blockMessage(prepare(i));
        const task: HelperTask = { run, index: i, block, eps, minSamples };
        // the preimage's own arrays move; the whole set's tree arrays are shared memory or small
        const own = [
          block.rows,
          block.local,
          block.inv,
          block.start,
          block.end,
          block.radius,
          block.leafDist,
        ];
        h.port.postMessage(
          task,
          own.map((a) => a.buffer as ArrayBuffer),
        );
        inFlight[t]++;
        pending++;
      }
    });
  };
  // answers of this run (late ones of a cancelled run carry its number and are skipped)
  const collect = (): void => {
    pool.forEach((h, t) => {
      for (let m = receiveMessageOnPort(h.port); m; m = receiveMessageOnPort(h.port)) {
        const reply = m.message as HelperReply;
        if (reply.run !== run) continue;
        inFlight[t]--;
        pending--;
        if ('error' in reply) failure ??= reply.error;
        else results[reply.index] = { labels: reply.labels, core: reply.core, clusters: reply.clusters };
      }
    });
  };
  feed();
  while (next < queue.length) {
    const i = queue[next++];
    results[i] = dbscanBlock(prepare(i), eps, minSamples);
    done(i);
    collect();
    feed();
  }
  while (pending > 0) {
    const seen = Atomics.load(signal, 0);
    collect();
    if (pending > 0) Atomics.wait(signal, 0, seen, 1000);
  }
  if (failure !== undefined) throw new Error(`mapper helper thread: ${failure}`);
  return results;
}

/** Helper threads running (started by the first run heavy enough to use them). */
export function helperThreads(): number {
  return helpers?.length ?? 0;
}

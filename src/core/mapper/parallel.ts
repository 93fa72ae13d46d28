/**
 * The mapper's heavy loops on helper threads beside the calling one: DBSCAN of a cover's preimages and
 * the ε rule's k-nearest distances. The whole set's tree is sent to each helper once; its coordinates
 * stay in the kernel's shared WebAssembly memory, so a task carries only row indices. The calling thread
 * keeps each helper supplied with tasks (costliest first) between its own, then collects the last
 * answers — reading them with receiveMessageOnPort and waiting with Atomics.wait, so a mapper run stays
 * synchronous and its callers (the panel's worker job, the CLI, the report) do not change. Results are
 * those of the same functions on the calling thread.
 *
 * Helpers start on first use and stay (unref'd) for later runs. Set TOPOSCOPE_HELPERS=0 to turn them off.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { dbscanBlock, type DbscanResult } from './dbscan';
import { restrictBlock, shareBlock, type PointBlock, type SharedBlock } from './neighbors';
import type { QuantisedDistances } from './quantised';
import { AREAS, type SquaredDistances } from './sqdist';
import { kthNeighbourDistancesTiled } from './tiled';

/** Calling thread → helper ('pause' blocks it, for tests: a stand-in for a helper that hangs). */
export type HelperTask =
  | { kind: 'block'; block: number; shared: SharedBlock }
  | { kind: 'pause'; ms: number }
  | {
      kind: 'dbscan';
      run: number;
      index: number;
      block: number;
      members: Int32Array;
      eps: number;
      minSamples: number;
    }
  | { kind: 'kth'; run: number; index: number; block: number; positions: Int32Array; k: number };

/** Helper → calling thread. */
export type HelperReply =
  | { run: number; index: number; labels: Int32Array; core: Uint8Array; clusters: number }
  | { run: number; index: number; distances: Float64Array }
  | { run: number; index: number; error: string };

interface Helper {
  worker: Worker;
  port: MessagePort;
  /** The blocks it holds. */
  blocks: Set<number>;
  /** Whether it has served a run: its code is compiled. */
  warm: boolean;
}

/** At most this many helper threads (each uses its own scratch area of a shared kernel). */
const MAX_HELPERS = AREAS - 1;
/**
 * Tasks sent to a helper and not yet answered, at most: a second one waits in its queue so that it never
 * idles between answers (while the calling thread has other work enough: `share`).
 */
const IN_FLIGHT = 2;
/** Trees a helper keeps, the newest last: both sides drop the oldest beyond this. */
export const TREES_KEPT = 2;
/** ε-rule queries per task (small: equal tasks, so the last one's wait is all the imbalance). */
const KTH_CHUNK = 32;

/**
 * Below this much work a run stays on the calling thread: a hop costs a message and, the first time, a
 * cold helper. Work: Σ rows² · d over the preimages, or queries · rows · d for the ε rule. Measured on 2
 * cores with warm helpers: 60 000 × 10 (5·10⁹) maps in 0.61–0.64 s instead of 0.79–0.82 s; re-clustering
 * 10 000 × 10 (~10⁸) takes 17 ms alone.
 */
const MIN_WORK = 1e9;
/**
 * A helper that has not answered for this long while holding tasks is taken for dead and its tasks are
 * done on the calling thread (a task is seconds at most on the benchmarks' largest sets).
 */
const STALL_MS = 120_000;
/** How long the first run waits for its helpers to load before it goes on alone. */
const START_TIMEOUT_MS = 10_000;

let helpers: Helper[] | undefined;
/** [0]: answers posted by all helpers, [1]: helpers loaded; the calling thread waits on them. */
const signal = new Int32Array(new SharedArrayBuffer(8));
let runs = 0;
/** Blocks sent to helpers, by identity: their number. */
const sentBlocks = new WeakMap<PointBlock, number>();
let blocks = 0;

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
  const started = Array.from({ length: Math.min(wanted, MAX_HELPERS) }, (_, t) => {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(source, {
      eval: fromSources,
      workerData: { port: port2, signal, area: t + 1 },
      transferList: [port2],
    });
    worker.unref();
    port1.unref();
    const helper = { worker, port: port1, blocks: new Set<number>(), warm: false };
    // seen between runs (a run blocks this thread's event loop): later runs go on without it
    worker.on('exit', () => (helpers = helpers?.filter((x) => x !== helper)));
    return helper;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (let ready = Atomics.load(signal, 1); ready < started.length; ready = Atomics.load(signal, 1)) {
    if (Date.now() >= deadline) {
      for (const h of started) void h.worker.terminate();
      return [];
    }
    Atomics.wait(signal, 1, ready, deadline - Date.now());
  }
  return started;
}

/** The helpers to use for a run of `work`: none below minWork or for a block without a kernel. */
function helpersFor(whole: PointBlock, work: number, minWork: number): Helper[] {
  if (!whole.kernel || work < minWork) return [];
  helpers ??= startHelpers();
  return helpers;
}

/**
 * Runs `count` tasks, costliest first: `own(i)` on the calling thread, or `send(i)` to the next free
 * helper (which answers through `receive`). `done(i)` follows each of the calling thread's tasks, where
 * a cancelled run may throw. A helper silent for `stallMs` with tasks in hand is retired and its tasks
 * run here.
 */
function share(
  pool: Helper[],
  whole: PointBlock,
  costs: number[],
  send: (i: number, run: number, block: number) => HelperTask,
  own: (i: number) => void,
  receive: (reply: HelperReply) => void,
  done: (i: number) => void,
  stallMs: number,
): void {
  // costliest first; a helper in its first run (code not yet compiled) takes from the cheap end, so it
  // never holds a large task at the end of the run
  const queue = Array.from(costs.keys()).sort((a, b) => costs[b] - costs[a]);
  let next = 0;
  let last = queue.length;
  // the cost of the tasks not yet started or sent
  let left = costs.reduce((a, b) => a + b, 0);
  // a task queued behind a helper's current one starts only when that one ends: worth it while the
  // calling thread has at least as much other work left meanwhile, else it had better run that task
  // itself (at the end a queued task would leave it waiting instead)
  const worthQueueing = (cost: number): boolean => left - cost >= cost;
  const run = ++runs;
  let block = sentBlocks.get(whole);
  if (pool.length > 0 && block === undefined) {
    block = ++blocks;
    sentBlocks.set(whole, block);
  }
  // each helper's tasks not yet answered, and when it last answered (or was first sent one)
  const flight = pool.map(() => new Set<number>());
  const heard = pool.map(() => Date.now());
  const alive = pool.map(() => true);
  let failure: string | undefined;
  const pending = (): number => flight.reduce((a, f) => a + f.size, 0);
  const feed = (): void => {
    pool.forEach((h, t) => {
      if (!alive[t]) return;
      if (!h.blocks.has(block!)) {
        // a helper holds the last TREES_KEPT trees it was sent
        h.port.postMessage({ kind: 'block', block: block!, shared: shareBlock(whole) } satisfies HelperTask);
        h.blocks.add(block!);
        if (h.blocks.size > TREES_KEPT) h.blocks.delete(h.blocks.values().next().value!);
      }
      while (next < last) {
        const i = h.warm ? queue[next] : queue[last - 1];
        if (flight[t].size > 0 && (flight[t].size >= IN_FLIGHT || !worthQueueing(costs[i]))) break;
        if (h.warm) next++;
        else last--;
        left -= costs[i];
        if (flight[t].size === 0) heard[t] = Date.now();
        h.port.postMessage(send(i, run, block!));
        flight[t].add(i);
      }
    });
  };
  // answers of this run (late ones of a cancelled run carry its number and are skipped)
  const collect = (): void => {
    pool.forEach((h, t) => {
      for (let m = receiveMessageOnPort(h.port); m; m = receiveMessageOnPort(h.port)) {
        const reply = m.message as HelperReply;
        if (reply.run !== run || !flight[t].delete(reply.index)) continue;
        heard[t] = Date.now();
        if ('error' in reply) failure ??= reply.error;
        else receive(reply);
      }
    });
  };
  // a helper silent for stallMs with work in hand is taken for dead (it cannot say so while this thread
  // waits): it is stopped for good and its tasks are done here
  const rescue = (): void => {
    pool.forEach((h, t) => {
      if (!alive[t] || flight[t].size === 0 || Date.now() - heard[t] < stallMs) return;
      alive[t] = false;
      retire(h);
      for (const i of flight[t]) own(i);
      flight[t].clear();
    });
  };
  feed();
  while (next < last) {
    const i = queue[next++];
    left -= costs[i];
    own(i);
    done(i);
    collect();
    feed();
  }
  while (pending() > 0) {
    const seen = Atomics.load(signal, 0);
    collect();
    rescue();
    if (pending() > 0) Atomics.wait(signal, 0, seen, Math.min(1000, stallMs));
  }
  pool.forEach((h, t) => (h.warm ||= alive[t]));
  if (failure !== undefined) throw new Error(`mapper helper thread: ${failure}`);
}

/** Stops a helper and forgets it: later runs start without it. */
function retire(h: Helper): void {
  void h.worker.terminate();
  helpers = helpers?.filter((x) => x !== h);
}

/**
 * DBSCAN of preimages of the whole set's block, one at a time on one thread: each takes over its
 * predecessor's kernel memory (the largest comes first, so the memory is allocated once).
 */
export function preimageClusterer(): (
  whole: PointBlock,
  members: Int32Array,
  eps: number,
  minSamples: number,
) => DbscanResult {
  let arena: SquaredDistances | QuantisedDistances | null = null;
  return (whole, members, eps, minSamples) => {
    const block = restrictBlock(whole, members, arena, eps);
    arena = block.quantised ?? block.kernel;
    return dbscanBlock(block, eps, minSamples);
  };
}

/**
 * DBSCAN of the rows `preimages[i]` of the whole set's block, each as `dbscanBlock(restrictBlock(…))`.
 * Helpers join when Σ rows² · d reaches `minWork`. `done(i)` as for `share`.
 */
export function dbscanEach(
  whole: PointBlock,
  preimages: Int32Array[],
  eps: number,
  minSamples: number,
  done: (i: number) => void,
  minWork = MIN_WORK,
  stallMs = STALL_MS,
): DbscanResult[] {
  const results: DbscanResult[] = new Array(preimages.length);
  const costs = preimages.map((rows) => rows.length ** 2 * whole.d);
  const pool = helpersFor(
    whole,
    costs.reduce((a, b) => a + b, 0),
    minWork,
  );
  const cluster = preimageClusterer();
  share(
    pool,
    whole,
    costs,
    (i, run, block) => ({ kind: 'dbscan', run, index: i, block, members: preimages[i], eps, minSamples }),
    (i) => (results[i] = cluster(whole, preimages[i], eps, minSamples)),
    (reply) => {
      if ('labels' in reply) results[reply.index] = reply;
    },
    done,
    stallMs,
  );
  return results;
}

/**
 * For each listed position of the whole set's block, the exact distance to its k-th nearest other row,
 * as `kthNeighbourDistancesTiled`, in chunks shared with the helpers (queries · rows · d ≥ minWork).
 */
export function kthEach(
  whole: PointBlock,
  positions: Int32Array,
  k: number,
  minWork = MIN_WORK,
  stallMs = STALL_MS,
): Float64Array {
  const out = new Float64Array(positions.length);
  const kernel = whole.kernel!;
  // neighbouring positions in tree order share most of their search: chunk them in that order
  const order = Int32Array.from(positions.keys()).sort((i, j) => positions[i] - positions[j]);
  const chunks = Math.ceil(order.length / KTH_CHUNK);
  const slice = (c: number): Int32Array => order.subarray(c * KTH_CHUNK, (c + 1) * KTH_CHUNK);
  const pool = helpersFor(whole, positions.length * whole.m * whole.d, minWork);
  share(
    pool,
    whole,
    new Array<number>(chunks).fill(1),
    (c, run, block) => ({
      kind: 'kth',
      run,
      index: c,
      block,
      positions: Int32Array.from(slice(c), (i) => positions[i]),
      k,
    }),
    (c) => {
      const chunk = slice(c);
      const got = kthNeighbourDistancesTiled(
        whole,
        kernel,
        Int32Array.from(chunk, (i) => positions[i]),
        k,
      );
      chunk.forEach((i, t) => (out[i] = got[t]));
    },
    (reply) => {
      if ('distances' in reply) slice(reply.index).forEach((i, t) => (out[i] = reply.distances[t]));
    },
    () => undefined,
    stallMs,
  );
  return out;
}

/** Helper threads running (started by the first run heavy enough to use them). */
export function helperThreads(): number {
  return helpers?.length ?? 0;
}

/** For tests: blocks every helper for `ms`, as if it hung. */
export function pauseHelpers(ms: number): void {
  for (const h of helpers ?? []) h.port.postMessage({ kind: 'pause', ms } satisfies HelperTask);
}

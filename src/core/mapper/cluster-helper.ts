/**
 * A helper thread of parallel.ts (bundled to dist/cluster-helper.js): clusters the preimages it is sent
 * and answers on its port, then bumps the shared counter the calling thread waits on.
 */
import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { dbscanBlock } from './dbscan';
import { adoptBlock } from './neighbors';
import type { HelperReply, HelperTask } from './parallel';
import type { SquaredDistances } from './sqdist';

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
// one preimage at a time: each takes over the previous one's kernel memory
let arena: SquaredDistances | null = null;

port.on('message', (task: HelperTask) => {
  let reply: HelperReply;
  try {
    const block = adoptBlock(task.block, arena);
    arena = block.kernel;
    const r = dbscanBlock(block, task.eps, task.minSamples);
    reply = { run: task.run, index: task.index, labels: r.labels, core: r.core, clusters: r.clusters };
  } catch (e) {
    reply = { run: task.run, index: task.index, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});

Atomics.add(signal, 1, 1);
Atomics.notify(signal, 1);

/**
 * A helper thread of parallel.ts (bundled to dist/cluster-helper.js): keeps the trees it is sent (their
 * rows in shared memory), runs the tasks it is sent on them, answers on its port, then bumps the shared
 * counter the calling thread waits on.
 */
import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { attachBlock, type PointBlock } from './neighbors';
import { preimageClusterer, TREES_KEPT, type HelperReply, type HelperTask } from './parallel';
import { kthNeighbourDistancesTiled } from './tiled';

const { port, signal, area } = workerData as { port: MessagePort; signal: Int32Array; area: number };
// a session's tree is sent once; the oldest beyond TREES_KEPT are dropped, as the sender assumes
const trees = new Map<number, PointBlock>();
const cluster = preimageClusterer();

function answer(task: Extract<HelperTask, { kind: 'dbscan' | 'kth' }>): HelperReply {
  const whole = trees.get(task.block);
  if (!whole) throw new Error(`tree ${task.block} was not sent`);
  if (task.kind === 'kth') {
    return {
      run: task.run,
      index: task.index,
      distances: kthNeighbourDistancesTiled(whole, whole.kernel!, task.positions, task.k),
    };
  }
  const r = cluster(whole, task.members, task.eps, task.minSamples);
  return { run: task.run, index: task.index, labels: r.labels, core: r.core, clusters: r.clusters };
}

port.on('message', (task: HelperTask) => {
  if (task.kind === 'block') {
    trees.set(task.block, attachBlock(task.shared, area));
    while (trees.size > TREES_KEPT) trees.delete(trees.keys().next().value!);
    return;
  }
  if (task.kind === 'pause') {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, task.ms);
    return;
  }
  let reply: HelperReply;
  try {
    reply = answer(task);
  } catch (e) {
    reply = { run: task.run, index: task.index, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});

Atomics.add(signal, 1, 1);
Atomics.notify(signal, 1);

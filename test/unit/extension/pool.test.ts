import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CancelledError, InputError } from '../../../src/core/errors';
import { WorkerCrashedError, WorkerPool } from '../../../src/extension/worker/pool';
import path from 'node:path';
import { ensureBuiltWorker, isAlive, repoRoot } from './worker-fixture';

const digits = path.resolve(repoRoot, '../shared/fixtures/digits');

interface Where {
  pid: number;
  isMainThread: boolean;
  threadId: number;
  ortLoaded: boolean;
}
interface CountResult {
  steps: number;
  doubled: Float64Array;
  where: Where;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Starts a job, cancels it once it is running, and resolves with how long the rejection took. */
async function cancelWhileRunning(
  pool: WorkerPool,
  kind: string,
  params: unknown,
  whenRunning: () => Promise<void>,
) {
  const ac = new AbortController();
  const done = pool.run(kind, params, { signal: ac.signal }).then(
    () => assert.fail('a cancelled job must not resolve'),
    (err: unknown) => err,
  );
  await whenRunning();
  const t0 = Date.now();
  ac.abort();
  const err = await done;
  return { err, ms: Date.now() - t0 };
}

describe('worker pool against dist/worker.js', () => {
  let pool: WorkerPool;
  before(() => {
    process.env.TOPOSCOPE_TEST_JOBS = '1';
    pool = new WorkerPool({
      workerScript: ensureBuiltWorker(),
      threads: 2,
      memoryMB: 96,
      cancelGraceMs: 500,
    });
  });
  after(() => pool.dispose());

  it('describes its kinds and routes the child-process kinds', async () => {
    const d = await pool.describe();
    assert.ok(d.kinds.includes('toposcope.test.count'));
    assert.ok(d.ortJobs.includes('toposcope.test.ortSpin'));
    assert.ok(!d.ortJobs.includes('toposcope.test.count'));
  });

  it('returns results with typed arrays and reports progress and logs from a worker thread', async () => {
    const progress: number[] = [];
    const logs: string[] = [];
    const values = Float64Array.from([1, 2.5, -3]);
    const r = (await pool.run(
      'toposcope.test.count',
      { steps: 40, stepMs: 5, values },
      { onProgress: (f) => progress.push(f), onLog: (m) => logs.push(m) },
    )) as CountResult;
    assert.equal(r.steps, 40);
    assert.ok(r.doubled instanceof Float64Array);
    assert.deepEqual([...r.doubled], [2, 5, -6]);
    assert.equal(r.where.isMainThread, false);
    assert.equal(r.where.pid, process.pid);
    assert.ok(progress.length >= 2, `progress events: ${progress.length}`);
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
    );
    assert.equal(progress.at(-1), 1);
    assert.deepEqual(logs, ['counted 40 steps']);
  });

  it('runs child-process kinds in another process', async () => {
    const r = (await pool.run('toposcope.test.ortCount', { steps: 3 })) as CountResult;
    assert.notEqual(r.where.pid, process.pid);
    assert.equal(r.where.isMainThread, true);
  });

  it('turns worker errors into typed errors', async () => {
    await assert.rejects(pool.run('toposcope.test.fail', { input: true }), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.equal(e.file, 'bad.npy');
      assert.equal(e.code, 'truncated');
      return true;
    });
    await assert.rejects(pool.run('toposcope.test.fail', { input: false }), /internal test failure/);
    await assert.rejects(pool.run('no-such-kind', {}), (e: unknown) => e instanceof InputError);
  });

  it('cancels a cooperative thread job within a second and keeps the thread', async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const ac = new AbortController();
    const job = pool.run(
      'toposcope.test.count',
      { steps: 2000, stepMs: 5 },
      { signal: ac.signal, onProgress: () => started() },
    );
    await running;
    const t0 = Date.now();
    ac.abort();
    await assert.rejects(job, (e: unknown) => e instanceof CancelledError);
    assert.ok(Date.now() - t0 < 1000, `cancel took ${Date.now() - t0} ms`);
    const after = (await pool.run('toposcope.test.whereAmI', {})) as Where;
    assert.equal(after.isMainThread, false);
  });

  it('terminates a thread that ignores cancellation, then runs the next job in a fresh thread', async () => {
    const before = (await pool.run('toposcope.test.whereAmI', {})) as Where;
    const { err, ms } = await cancelWhileRunning(pool, 'toposcope.test.spin', { ms: 20_000 }, () =>
      sleep(200),
    );
    assert.ok(err instanceof CancelledError, String(err));
    assert.ok(ms < 1000, `cancel took ${ms} ms`);
    const r = (await pool.run('toposcope.test.count', { steps: 2 })) as CountResult;
    assert.equal(r.steps, 2);
    assert.ok(pool.stats.threads <= 2);
    assert.equal(before.isMainThread, false);
  });

  it('kills the child process that ignores cancellation and replaces it', async () => {
    const first = (await pool.run('toposcope.test.ortCount', { steps: 1 })) as CountResult;
    const { err, ms } = await cancelWhileRunning(pool, 'toposcope.test.ortSpin', { ms: 20_000 }, () =>
      sleep(200),
    );
    assert.ok(err instanceof CancelledError, String(err));
    assert.ok(ms < 1000, `cancel took ${ms} ms`);
    await sleep(50);
    assert.equal(isAlive(first.where.pid), false, 'the spinning child must be killed');
    const next = (await pool.run('toposcope.test.ortCount', { steps: 1 })) as CountResult;
    assert.notEqual(next.where.pid, first.where.pid);
  });

  it('cancels a cooperative child job by message without killing the child', async () => {
    const first = (await pool.run('toposcope.test.ortCount', { steps: 1 })) as CountResult;
    const { err, ms } = await cancelWhileRunning(
      pool,
      'toposcope.test.ortCount',
      { steps: 5000, stepMs: 5 },
      () => sleep(150),
    );
    assert.ok(err instanceof CancelledError, String(err));
    assert.ok(ms < 1000, `cancel took ${ms} ms`);
    const next = (await pool.run('toposcope.test.ortCount', { steps: 1 })) as CountResult;
    assert.equal(next.where.pid, first.where.pid);
  });

  it('turns a native abort of the child into a typed error, and the next job runs normally', async () => {
    await assert.rejects(pool.run('toposcope.test.abort', {}), (e: unknown) => {
      assert.ok(e instanceof WorkerCrashedError);
      assert.match(e.message, /SIGABRT/);
      return true;
    });
    const next = (await pool.run('toposcope.test.ortCount', { steps: 2 })) as CountResult;
    assert.equal(next.steps, 2);
  });

  it('turns a thread running out of memory into a typed error, and the next job runs normally', async () => {
    await assert.rejects(pool.run('toposcope.test.oom', {}), (e: unknown) => {
      assert.ok(e instanceof WorkerCrashedError);
      assert.match(e.message, /memory/i);
      return true;
    });
    const next = (await pool.run('toposcope.test.count', { steps: 2 })) as CountResult;
    assert.equal(next.steps, 2);
  });

  it('queues jobs beyond the worker count and cancels queued jobs at once', async () => {
    const jobs = [1, 2, 3, 4, 5].map((steps) => pool.run('toposcope.test.count', { steps, stepMs: 20 }));
    const ac = new AbortController();
    const queued = pool.run('toposcope.test.count', { steps: 1 }, { signal: ac.signal });
    await sleep(10);
    assert.ok(pool.stats.queued >= 1, `queued: ${pool.stats.queued}`);
    ac.abort();
    await assert.rejects(queued, (e: unknown) => e instanceof CancelledError);
    const results = (await Promise.all(jobs)) as CountResult[];
    assert.deepEqual(
      results.map((r) => r.steps),
      [1, 2, 3, 4, 5],
    );
    assert.ok(pool.stats.threads <= 2);
  });

  it('runs the registered jobs: info in a thread, layers in the child process that loads onnxruntime', async () => {
    const model = path.join(digits, 'mlp_clean.onnx');
    const d = await pool.describe();
    assert.ok(d.ortJobs.includes('layers') && d.ortJobs.includes('attack'));
    assert.ok(!d.ortJobs.includes('info'));
    const info = await pool.run('info', { file: model, stats: false });
    assert.equal(info.opset, 13);
    assert.deepEqual(info.reluMlp?.widths, [784, 128, 64, 10]);
    const layers = await pool.run('layers', { model });
    assert.ok(layers.layers.some((l) => l.name === 'logits'));
    const child = (await pool.run('toposcope.test.ortCount', { steps: 1 })) as CountResult;
    assert.equal(child.where.ortLoaded, true, 'the model process has loaded onnxruntime');
  });

  it('cancels a running PGD attack within a second, and the next model job runs', async () => {
    const model = path.join(digits, 'mlp_clean.onnx');
    const params = {
      model,
      inputs: path.join(digits, 'test_images.npy'),
      labels: path.join(digits, 'test_labels.npy'),
      attack: 'pgd-linf' as const,
      eps: 0.1,
      steps: 100_000,
    };
    let running!: () => void;
    const started = new Promise<void>((r) => (running = r));
    const ac = new AbortController();
    const job = pool.run('attack', params, { signal: ac.signal, onProgress: () => running() });
    await Promise.race([started, sleep(5000)]);
    const t0 = Date.now();
    ac.abort();
    await assert.rejects(job, (e: unknown) => e instanceof CancelledError);
    assert.ok(Date.now() - t0 < 1000, `cancel took ${Date.now() - t0} ms`);
    const layers = await pool.run('layers', { model });
    assert.equal(layers.opset, 13);
  });

  it('never loads onnxruntime on the calling thread', () => {
    assert.ok(!Object.keys(require.cache).some((k) => k.includes('onnxruntime')));
  });
});

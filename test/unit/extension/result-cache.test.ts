import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  estimateBytes,
  FileHasher,
  jobCacheKey,
  ResultCache,
} from '../../../src/extension/worker/result-cache';

describe('result cache', () => {
  it('keeps the most recently used results within its byte budget', () => {
    const cache = new ResultCache(3 * 8000 + 200);
    for (const k of ['a', 'b', 'c']) cache.set(k, { data: new Float64Array(1000) });
    cache.get('a');
    cache.set('d', { data: new Float64Array(1000) });
    assert.equal(cache.has('b'), false, 'the least recently used entry leaves first');
    assert.ok(cache.has('a') && cache.has('c') && cache.has('d'));
    assert.ok(cache.size.bytes <= 3 * 8000 + 200);
    cache.set('huge', { data: new Float64Array(10_000) });
    assert.equal(cache.has('huge'), false, 'a result larger than the budget is not cached');
  });

  it('returns copies, so callers cannot corrupt the cache', () => {
    const cache = new ResultCache(1e6);
    cache.set('k', { nodes: [1, 2], data: Float32Array.from([1, 2]) });
    const first = cache.get('k') as { nodes: number[]; data: Float32Array };
    first.nodes.push(3);
    first.data[0] = 99;
    assert.deepEqual(cache.get('k'), { nodes: [1, 2], data: Float32Array.from([1, 2]) });
  });

  it('stays within budget under any sequence of insertions (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.nat(400)), { maxLength: 40 }),
        (ops) => {
          const cache = new ResultCache(2000);
          for (const [k, n] of ops) cache.set(k, new Uint8Array(n));
          const reachable = ['a', 'b', 'c', 'd', 'e'].filter((k) => cache.has(k));
          const sum = reachable.reduce((s, k) => s + estimateBytes(cache.get(k)), 0);
          return (
            cache.size.bytes <= 2000 && sum === cache.size.bytes && cache.size.entries === reachable.length
          );
        },
      ),
    );
  });

  it('keys by file content, not by path or modification time', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'toposcope-cache-'));
    const a = path.join(dir, 'a.npy');
    const b = path.join(dir, 'b.npy');
    writeFileSync(a, 'same bytes');
    writeFileSync(b, 'same bytes');
    const hasher = new FileHasher();
    const ka = await jobCacheKey('mapper', { activations: a, intervals: 20 }, hasher);
    assert.equal(await jobCacheKey('mapper', { intervals: 20, activations: b }, hasher), ka);
    assert.notEqual(await jobCacheKey('mapper', { activations: a, intervals: 21 }, hasher), ka);
    assert.notEqual(await jobCacheKey('info', { activations: a, intervals: 20 }, hasher), ka);
    writeFileSync(a, 'other bytes');
    utimesSync(a, new Date(), new Date(Date.now() + 5000));
    assert.notEqual(await jobCacheKey('mapper', { activations: a, intervals: 20 }, hasher), ka);
    const kk = await jobCacheKey('info', { file: `${b}:weights` }, hasher);
    assert.match(kk ?? '', /file:[0-9a-f]{64}:weights/);
  });

  it('never caches a job that writes a file', async () => {
    const hasher = new FileHasher();
    assert.equal(
      await jobCacheKey('activations', { model: '/m.onnx', out: '/tmp/a.npy' }, hasher),
      undefined,
    );
    assert.equal(await jobCacheKey('attack', { predictionsOut: '/tmp/p.npy' }, hasher), undefined);
    assert.equal(await jobCacheKey('x', { nested: { out: '/tmp/p.npy' } }, hasher), undefined);
    assert.equal(typeof (await jobCacheKey('activations', { model: '/m.onnx' }, hasher)), 'string');
  });

  it('keys a folder by the files inside it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'toposcope-cache-'));
    const ck = path.join(dir, 'checkpoints');
    mkdirSync(ck);
    writeFileSync(path.join(ck, 'epoch_1.onnx'), 'one');
    const hasher = new FileHasher();
    const k1 = await jobCacheKey('sweep', { dir: ck }, hasher);
    writeFileSync(path.join(ck, 'epoch_2.onnx'), 'two');
    assert.notEqual(await jobCacheKey('sweep', { dir: ck }, hasher), k1);
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { ensureBuiltWorker, repoRoot } from './worker-fixture';

describe('built bundles', () => {
  before(() => ensureBuiltWorker());

  it('the extension host bundle never requires onnxruntime when it loads', () => {
    // A static import becomes a top-level require; lazy imports inside job code never run on the host
    // (the e2e tests check the extension host process never maps libonnxruntime).
    const ext = readFileSync(path.join(repoRoot, 'dist', 'extension.js'), 'utf8');
    assert.doesNotMatch(ext, /require\(["']onnxruntime/);
  });

  it('the worker serves both transports and reaches the job registry', () => {
    const worker = readFileSync(path.join(repoRoot, 'dist', 'worker.js'), 'utf8');
    assert.match(worker, /parentPort/);
    assert.match(worker, /process\.send/);
    assert.match(worker, /toposcope\.describe/);
  });
});

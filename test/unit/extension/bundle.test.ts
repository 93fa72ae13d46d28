import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { ensureBuiltWorker, repoRoot } from './worker-fixture';

describe('built bundles', () => {
  before(() => ensureBuiltWorker());

  it('the extension host bundle never loads onnxruntime nor the job handlers', () => {
    const ext = readFileSync(path.join(repoRoot, 'dist', 'extension.js'), 'utf8');
    assert.doesNotMatch(ext, /require\(["']onnxruntime/);
    assert.doesNotMatch(ext, /InferenceSession/);
  });

  it('the worker serves both transports and reaches the job registry', () => {
    const worker = readFileSync(path.join(repoRoot, 'dist', 'worker.js'), 'utf8');
    assert.match(worker, /parentPort/);
    assert.match(worker, /process\.send/);
    assert.match(worker, /toposcope\.describe/);
  });
});

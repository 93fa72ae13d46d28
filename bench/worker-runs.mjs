/**
 * Mapper analyses as the panel runs them: in the extension's worker bundle (dist/worker.js, run
 * `npm run build` first), one worker, four analyses of one file with a parameter changed each time.
 * `node bench/worker-runs.mjs FILE.npy` prints each analysis' seconds; TOPOSCOPE_HELPERS=0 compares the
 * worker alone.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const file = path.resolve(process.argv[2] ?? '');
const worker = new Worker(path.join(path.dirname(fileURLToPath(import.meta.url)), '../dist/worker.js'));
const analyses = [{}, { minSamples: 6 }, { minSamples: 7 }, { overlap: 0.35 }];
const seconds = [];
let id = 0;

function next() {
  if (id === analyses.length) {
    console.log(`${path.basename(file)}: ${seconds.join(', ')} s`);
    void worker.terminate();
    return;
  }
  worker.postMessage({
    type: 'run',
    id: ++id,
    kind: 'mapper',
    params: { activations: file, ...analyses[id - 1] },
  });
}

worker.on('message', (m) => {
  if (m.type === 'ready') next();
  else if (m.type === 'result') {
    seconds.push(m.result.summary.seconds.toFixed(2));
    next();
  } else if (m.type === 'error') {
    console.error(m.error.message);
    void worker.terminate();
  }
});

// Bundles the extension, the worker, the CLI and the webviews with esbuild (DESIGN.md §2).
// `vscode` and `onnxruntime-node` stay external: ORT's native binaries ship beside the bundle.
import { build, context } from 'esbuild';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external: ['vscode', 'onnxruntime-node'],
  define: { TOPOSCOPE_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
};

const nodeEntries = [
  ['src/extension/extension.ts', 'dist/extension.js'],
  ['src/extension/worker/worker-main.ts', 'dist/worker.js'],
  ['src/cli/main.ts', 'dist/cli.js', { banner: { js: '#!/usr/bin/env node' } }],
  // the mapper's helper threads (src/core/mapper/parallel.ts finds it beside the bundle that starts it)
  ['src/core/mapper/cluster-helper.ts', 'dist/cluster-helper.js'],
].filter(([src]) => existsSync(path.join(root, src)));

// Every webview/<view>/main.ts becomes dist/webview/<view>.js (browser bundle, no Node APIs).
const webviewDir = path.join(root, 'webview');
const webviewEntries = existsSync(webviewDir)
  ? readdirSync(webviewDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(webviewDir, d.name, 'main.ts')))
      .map((d) => [`webview/${d.name}/main.ts`, `dist/webview/${d.name}.js`])
  : [];

const configs = [
  ...nodeEntries.map(([src, out, extra]) => ({
    ...node,
    ...extra,
    entryPoints: [path.join(root, src)],
    outfile: path.join(root, out),
  })),
  ...webviewEntries.map(([src, out]) => ({
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    entryPoints: [path.join(root, src)],
    outfile: path.join(root, out),
    loader: { '.css': 'text', '.ttf': 'dataurl' },
    logLevel: 'warning',
  })),
];

if (watch) {
  for (const c of configs) await (await context(c)).watch();
} else {
  await Promise.all(configs.map((c) => build(c)));
}

// Packages the linux-x64 VSIX from a staging folder (.cache/vsix-stage): the bundles, media, docs, and of
// node_modules only onnxruntime-node (its linux/x64 binaries) and onnxruntime-common, nested package.json
// files kept (dropping onnxruntime-common/dist/cjs/package.json breaks module loading). Run after
// `node scripts/build.mjs --production` (npm run package does both). `--out FILE` names the VSIX.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const stage = path.join(root, '.cache', 'vsix-stage');
const TARGET = 'linux-x64';
const ORT_BINARIES = path.join('bin', 'napi-v6');

const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const outArg = process.argv.indexOf('--out');
const out =
  outArg > 0
    ? path.resolve(process.argv[outArg + 1])
    : path.join(root, `${manifest.name}-${TARGET}-${manifest.version}.vsix`);

function copy(rel, filter = () => true) {
  const from = path.join(root, rel);
  if (!existsSync(from)) return;
  cpSync(from, path.join(stage, rel), { recursive: true, filter: (src) => filter(path.relative(from, src)) });
}

if (
  !existsSync(path.join(root, 'dist', 'extension.js')) ||
  !existsSync(path.join(root, 'dist', 'worker.js'))
) {
  console.error('package-vsix: dist/ is missing the extension or worker bundle: run npm run build first');
  process.exit(1);
}
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

// The installed extension needs no scripts and no dev dependencies; `dependencies` stays for the record.
const { devDependencies: _dev, scripts: _scripts, ...shipped } = manifest;
writeFileSync(path.join(stage, 'package.json'), JSON.stringify(shipped, null, 2) + '\n');
copy('dist', (rel) => !rel.endsWith('.map'));
copy('media');
for (const doc of ['CHANGELOG.md', 'LICENSE']) copy(doc);
// vsce refuses images with relative paths when the manifest names no repository: the README shipped in
// the VSIX (the extension's details page) goes without the screenshots, which stay in the repository.
writeFileSync(
  path.join(stage, 'README.md'),
  readFileSync(path.join(root, 'README.md'), 'utf8')
    .split('\n')
    .filter((line) => !/!\[[^\]]*\]\((?!https:)[^)]*\)/.test(line))
    .join('\n'),
);
copy('node_modules/onnxruntime-common', (rel) => !rel.endsWith('.map'));
copy('node_modules/onnxruntime-node', (rel) => {
  if (rel.startsWith('script') || rel.endsWith('.map')) return false;
  if (!rel.startsWith(ORT_BINARIES) || rel === ORT_BINARIES) return true;
  // Keep bin/napi-v6, bin/napi-v6/linux and bin/napi-v6/linux/x64/**; drop other platforms' binaries.
  const [os, arch] = path.relative(ORT_BINARIES, rel).split(path.sep);
  return os === 'linux' && (arch === undefined || arch === 'x64');
});
// onnxruntime-node's other dependencies (adm-zip, global-agent) serve only its install script, which is not
// shipped; without them in its manifest, vsce's `npm list` sees a complete tree of exactly the two packages.
const ortManifestPath = path.join(stage, 'node_modules', 'onnxruntime-node', 'package.json');
const ortManifest = JSON.parse(readFileSync(ortManifestPath, 'utf8'));
ortManifest.dependencies = { 'onnxruntime-common': ortManifest.dependencies['onnxruntime-common'] };
delete ortManifest.scripts;
writeFileSync(ortManifestPath, JSON.stringify(ortManifest, null, 2) + '\n');
writeFileSync(path.join(stage, '.vscodeignore'), '**/*.map\n');

const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const args = [
  vsce,
  'package',
  '--target',
  TARGET,
  '--allow-missing-repository',
  '--skip-license',
  '--out',
  out,
];
const r = spawnSync(process.execPath, args, { cwd: stage, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
console.log(`package-vsix: ${path.relative(root, out)} (${(statSync(out).size / 2 ** 20).toFixed(1)} MB)`);

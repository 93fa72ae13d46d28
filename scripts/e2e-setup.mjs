// Installs the real editor for the end-to-end tests: code-server 4.100.3 (VS Code 1.100.3) into
// .cache/code-server, offline except for the npm and Debian registries (notes/toolchain.md). Idempotent:
// a stamp file marks a finished install. Writes only under the repo's .cache and the temp dir.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const self = fileURLToPath(import.meta.url);
const root = path.dirname(path.dirname(self));
const cacheDir = path.join(root, '.cache');
const installDir = path.join(cacheDir, 'code-server');
const stamp = path.join(installDir, `.installed-${CODE_SERVER_VERSION}`);
const DEBIAN_PACKAGES = ['chromium', 'ripgrep', 'libkrb5-dev'];

function run(cmd, args, cwd, env) {
  process.stderr.write(`e2e-setup: ${cmd} ${args.join(' ')}  (in ${path.relative(root, cwd) || '.'})\n`);
  const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with status ${r.status}`);
}

function missingDebianPackages() {
  return DEBIAN_PACKAGES.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function ensureDebianPackages() {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing Debian packages: ${missing.join(' ')} (run: sudo apt-get install -y ${missing.join(' ')})`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], root, env);
  run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], root, env);
}

function installCodeServer() {
  const home = mkdtempSync(path.join(os.tmpdir(), 'toposcope-e2e-home-'));
  // The npm cache and HOME stay inside .cache and the temp dir; native addons build against the system
  // Node headers because nodejs.org (where node-gyp fetches them) is unreachable.
  const env = {
    ...process.env,
    HOME: home,
    npm_config_cache: path.join(cacheDir, 'npm'),
    npm_config_yes: 'true',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
    ...(existsSync('/usr/include/node/node.h') ? { npm_config_nodedir: '/usr' } : {}),
  };
  try {
    rmSync(installDir, { recursive: true, force: true });
    mkdirSync(installDir, { recursive: true });
    writeFileSync(
      path.join(installDir, 'package.json'),
      JSON.stringify({ name: 'toposcope-e2e-editor', private: true }, null, 2),
    );
    run(
      'npm',
      ['install', '--ignore-scripts', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`],
      installDir,
      env,
    );
    const vscodeDir = path.join(installDir, 'node_modules', 'code-server', 'lib', 'vscode');
    run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-package-lock'], vscodeDir, env);
    run('npm', ['rebuild', 'kerberos', 'node-pty', '@parcel/watcher'], vscodeDir, env);
    const rgDir = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
    mkdirSync(rgDir, { recursive: true });
    copyFileSync('/usr/bin/rg', path.join(rgDir, 'rg'));
    const asar = path.join(vscodeDir, 'node_modules.asar');
    if (!existsSync(asar)) symlinkSync('node_modules', asar);
    run('npm', ['rebuild', 'argon2'], installDir, { ...env, npm_config_build_from_source: 'true' });
    writeFileSync(stamp, new Date().toISOString() + '\n');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Path of code-server's entry script once installed. */
export const codeServerEntry = path.join(
  installDir,
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);

if (process.argv[1] === self) {
  try {
    ensureDebianPackages();
    if (!existsSync(stamp)) installCodeServer();
    process.stderr.write(
      `e2e-setup: code-server ${CODE_SERVER_VERSION} ready at ${path.relative(root, installDir)}\n`,
    );
  } catch (err) {
    process.stderr.write(`e2e-setup: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

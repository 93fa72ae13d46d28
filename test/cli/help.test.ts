import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const repoRoot = path.resolve(__dirname, '../..');
const toposcope = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), ...args], { encoding: 'utf8' });

/** Every command of DESIGN.md §11. */
const COMMANDS = [
  'info',
  'mapper',
  'compare',
  'weak-regions',
  'layers',
  'activations',
  'attack',
  'polytope',
  'betti',
  'sweep',
  'patterns',
  'report',
  'demo',
];

describe('toposcope --help', () => {
  it('lists every command of the contract and exits 0', () => {
    const r = toposcope('--help');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: toposcope \[options\] \[command\]/);
    const listed = [...r.stdout.matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1]);
    for (const c of COMMANDS) assert.ok(listed.includes(c), `--help does not list ${c}`);
  });

  it('shows each command’s own options', () => {
    const r = toposcope('mapper', '--help');
    assert.equal(r.status, 0, r.stderr);
    for (const opt of [
      '--labels',
      '--predictions',
      '--intervals',
      '--overlap',
      '--eps',
      '--min-samples',
      '--json',
    ]) {
      assert.ok(r.stdout.includes(opt), `mapper --help lacks ${opt}`);
    }
  });

  it('exits 2 on an unknown command or option, naming it on stderr', () => {
    const cmd = toposcope('frobnicate');
    assert.equal(cmd.status, 2);
    assert.match(cmd.stderr, /unknown command 'frobnicate'/);
    assert.equal(cmd.stdout, '');
    const opt = toposcope('info', '--no-such-option', 'x.npy');
    assert.equal(opt.status, 2);
    assert.match(opt.stderr, /unknown option '--no-such-option'/);
  });

  it('prints the package version', () => {
    const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    const r = toposcope('--version');
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), version);
  });
});

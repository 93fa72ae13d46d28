import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from './worker-fixture';

interface Manifest {
  name: string;
  displayName: string;
  engines: { vscode: string };
  devDependencies: Record<string, string>;
  icon: string;
  contributes: {
    commands: { command: string; title: string; category: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    customEditors: { viewType: string; selector: { filenamePattern: string }[]; priority: string }[];
    configuration: { properties: Record<string, { default: unknown }> };
    walkthroughs: { steps: { media: { markdown: string } }[] }[];
  };
  capabilities: { untrustedWorkspaces: { supported: string }; virtualWorkspaces: { supported: boolean } };
}

const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;
const contributes = manifest.contributes;

describe('package.json manifest', () => {
  it('pins the editor API to the code-server build it is tested in', () => {
    assert.equal(manifest.name, 'toposcope');
    assert.equal(manifest.displayName, 'TopoScope');
    assert.equal(manifest.engines.vscode, '^1.100.0');
    assert.equal(manifest.devDependencies['@types/vscode'], '~1.100.0');
    assert.ok(existsSync(path.join(repoRoot, manifest.icon)));
  });

  it('declares the shared commands with their titles in the TopoScope category', () => {
    const byId = new Map(contributes.commands.map((c) => [c.command, c]));
    const expected: Record<string, string> = {
      'toposcope.analyzeActivations': 'Analyze Activations',
      'toposcope.analyzeModel': 'Analyze Model',
      'toposcope.showPolytopes': 'Show Polytopes',
      'toposcope.compareSets': 'Compare Sets',
      'toposcope.openSpec': 'Open Analysis Spec',
    };
    for (const [id, title] of Object.entries(expected)) {
      assert.equal(byId.get(id)?.title, title, id);
      assert.equal(byId.get(id)?.category, 'TopoScope', id);
    }
  });

  it('puts every Explorer entry behind a when clause naming its files', () => {
    const explorer = new Map(contributes.menus['explorer/context'].map((m) => [m.command, m.when ?? '']));
    assert.match(explorer.get('toposcope.analyzeActivations')!, /npy\|npz\|safetensors\|csv\|tsv\|json\|pt/);
    assert.match(explorer.get('toposcope.analyzeModel')!, /\.onnx/);
    assert.match(explorer.get('toposcope.showPolytopes')!, /explorerResourceIsFolder/);
    assert.match(explorer.get('toposcope.showPolytopes')!, /onnx/);
    assert.match(explorer.get('toposcope.openSpec')!, /toposcope\\\.json/);
    assert.match(explorer.get('toposcope.compareSets')!, /listMultiSelection/);
  });

  it('has a default inspector for .onnx and an optional one for tensor files', () => {
    const model = contributes.customEditors.find((e) => e.viewType === 'toposcope.modelInspector');
    const tensor = contributes.customEditors.find((e) => e.viewType === 'toposcope.tensorInspector');
    assert.deepEqual(model?.selector, [{ filenamePattern: '*.onnx' }]);
    assert.equal(model?.priority, 'default');
    assert.equal(tensor?.priority, 'option');
    assert.deepEqual(
      tensor?.selector.map((s) => s.filenamePattern),
      ['*.npy', '*.npz', '*.safetensors'],
    );
  });

  it('limits itself in untrusted workspaces and refuses virtual ones', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(manifest.capabilities.virtualWorkspaces.supported, false);
  });

  it('declares every setting under toposcope.* with a default, and ships the walkthrough pages', () => {
    const props = Object.entries(contributes.configuration.properties);
    assert.ok(props.length >= 10);
    for (const [key, p] of props) {
      assert.match(key, /^toposcope\./);
      assert.ok('default' in p, key);
    }
    for (const step of contributes.walkthroughs[0].steps) {
      assert.ok(existsSync(path.join(repoRoot, step.media.markdown)), step.media.markdown);
    }
  });
});

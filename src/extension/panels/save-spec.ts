/**
 * "Save analysis": asks where, then writes the analysis as a *.toposcope.json spec (the IO team's writeSpec,
 * paths relative to the spec) so "Open Analysis Spec" reopens it with the same files and parameters.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { writeSpec } from '../../core/spec/spec';
import type { AnalysisSpec } from '../../core/spec/types';
import type { ViewChannel } from './view-channel';

export async function saveAnalysisSpec(
  channel: ViewChannel,
  spec: AnalysisSpec,
  stem: string,
): Promise<void> {
  const folder = channel.saveFolder ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `${stem.replace(/[^\w.-]+/g, '_')}.toposcope.json`;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: { 'TopoScope analysis': ['json'] },
    title: 'Save analysis',
  });
  if (!target) return;
  const file = target.fsPath.endsWith('.toposcope.json')
    ? target.fsPath
    : target.fsPath.replace(/(\.json)?$/, '.toposcope.json');
  await writeSpec(file, spec);
  channel.post({ type: 'saved', path: file });
  void vscode.window.showInformationMessage(`TopoScope: saved ${path.basename(file)}`);
}

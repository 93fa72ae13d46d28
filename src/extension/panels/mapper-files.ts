/**
 * The files that belong with an activation file: labels, predictions and samples found by name beside it
 * (the IO team's discoverCompanions). A clear best candidate is taken; a tie is asked with a quick pick.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { discoverCompanions, type Candidate } from '../../core/io/discover';

export interface AnalysisFiles {
  labels?: string;
  predictions?: string;
  samples?: string;
}

async function choose(kind: string, candidates: Candidate[]): Promise<string | undefined> {
  if (candidates.length === 0) return undefined;
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  if (sorted.length === 1 || sorted[0].score > sorted[1].score) return sorted[0].path;
  const none = { label: `No ${kind}`, description: '', detail: '', path: undefined as string | undefined };
  const picked = await vscode.window.showQuickPick(
    [
      ...sorted.map((c) => ({
        label: path.basename(c.path),
        description: c.reason,
        detail: c.path,
        path: c.path as string | undefined,
      })),
      none,
    ],
    { title: `TopoScope: which ${kind}?`, placeHolder: `Several files could hold the ${kind}` },
  );
  return picked?.path;
}

export async function discoverAnalysisFiles(activations: string): Promise<AnalysisFiles> {
  const c = await discoverCompanions(activations);
  return {
    labels: await choose('labels', c.labels),
    predictions: await choose('predictions', c.predictions),
    samples: await choose('samples', c.manifest),
  };
}

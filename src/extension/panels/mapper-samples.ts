/**
 * Samples behind graph nodes, for the panel's gallery: image files become webview URIs (the workspace is a
 * local resource root), images in an .npy are rendered to PNG data URLs. Opening a sample happens only for
 * a row of this analysis whose file lies inside a workspace folder; exports add files, labels, predictions.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { encodeNpy } from '../../core/io/npy';
import { loadSamples, type SampleSet } from '../../core/io/manifest';
import type { Sample } from '../../../webview/shared/protocol';
import type { Services } from '../services';
import { saveBytes, type ViewChannel } from './view-channel';
import { csvCell } from '../../../webview/shared/csv';

export interface SampleSource {
  set: SampleSet;
  webview: vscode.Webview;
}

export interface RowInfo {
  labels?: Int32Array;
  predictions?: Int32Array;
}

const IMAGE = /\.(png|jpe?g|gif|bmp|webp)$/i;

export async function loadSampleSource(file: string, webview: vscode.Webview): Promise<SampleSource> {
  return { set: await loadSamples(file), webview };
}

function sampleOf(src: SampleSource, i: number, rows: RowInfo): Sample {
  const file = src.set.files?.[i];
  let image: string | undefined;
  if (file && IMAGE.test(file)) image = src.webview.asWebviewUri(vscode.Uri.file(file)).toString();
  else if (src.set.render)
    image = `data:image/png;base64,${Buffer.from(src.set.render(i)).toString('base64')}`;
  return {
    index: i,
    label: rows.labels?.[i] ?? src.set.labels?.[i] ?? null,
    prediction: rows.predictions?.[i] ?? null,
    src: image,
    name: file ? path.basename(file) : `row ${i}`,
  };
}

export async function answerSamples(
  channel: ViewChannel,
  src: SampleSource,
  nodeId: number,
  members: number[],
  rows: RowInfo,
): Promise<void> {
  const valid = members.filter((i) => i >= 0 && i < src.set.count);
  channel.post({
    type: 'samples',
    nodeId,
    total: valid.length,
    samples: valid.map((i) => sampleOf(src, i, rows)),
  });
}

/** Opens row `index`'s file beside the panel (image preview for images). */
export async function openSample(services: Services, src: SampleSource, index: number): Promise<void> {
  const file = index >= 0 && index < src.set.count ? src.set.files?.[index] : undefined;
  if (!file) return;
  const uri = vscode.Uri.file(file);
  if (!services.confineToWorkspace(uri)) {
    void vscode.window.showWarningMessage(`TopoScope: ${file} is outside the workspace; not opened.`);
    return;
  }
  await vscode.commands.executeCommand('vscode.open', uri, {
    viewColumn: vscode.ViewColumn.Beside,
    preview: true,
  });
}

/** Writes rows as CSV `index,file,label,prediction,node` or their indices as an int64 .npy. */
export async function exportRows(
  channel: ViewChannel,
  name: string,
  format: 'csv' | 'npy',
  picks: { index: number; node: number }[],
  src: SampleSource | undefined,
  rows: RowInfo,
): Promise<void> {
  if (format === 'npy') {
    const data = BigInt64Array.from(picks, (p) => BigInt(p.index));
    await saveBytes(channel, `${name}.npy`, 'npy', encodeNpy({ dtype: 'int64', shape: [data.length], data }));
    return;
  }
  const lines = ['index,file,label,prediction,node'];
  for (const p of picks) {
    const file = src?.set.files?.[p.index] ?? '';
    lines.push(
      [p.index, file, rows.labels?.[p.index] ?? '', rows.predictions?.[p.index] ?? '', p.node]
        .map(csvCell)
        .join(','),
    );
  }
  await saveBytes(channel, `${name}.csv`, 'csv', lines.join('\n') + '\n');
}

/**
 * Samples behind graph nodes, for the panel's gallery: image files become webview URIs (the workspace is a
 * local resource root), images in an .npy are rendered to PNG data URLs. Opening a sample happens only for
 * a row of this analysis whose file lies inside a workspace folder; exports add files, labels, predictions.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { parseCsv } from '../../core/io/csv';
import { encodeNpy } from '../../core/io/npy';
import { loadSamples, type SampleSet } from '../../core/io/manifest';
import type { Sample } from '../../../webview/shared/protocol';
import type { Services } from '../services';
import { saveBytes, type ViewChannel } from './view-channel';
import { csvCell } from '../../../webview/shared/csv';

/** Sample files (manifest, folder, or images in an .npy), or the rows of the activation table itself. */
export type SampleSource =
  { set: SampleSet; webview: vscode.Webview } | { table: string; firstDataLine: number; count: number };

export interface RowInfo {
  labels?: Int32Array;
  predictions?: Int32Array;
}

const IMAGE = /\.(png|jpe?g|gif|bmp|webp)$/i;

export async function loadSampleSource(file: string, webview: vscode.Webview): Promise<SampleSource> {
  return { set: await loadSamples(file), webview };
}

/** A CSV/TSV of activations: a sample is its row, opened at its line. */
export async function tableRowSource(file: string): Promise<SampleSource> {
  const text = await readFile(file, 'utf8');
  const table = parseCsv(text, file, /\.tsv$/i.test(file) ? '\t' : undefined);
  return { table: file, firstDataLine: table.hasHeader ? 1 : 0, count: table.rows };
}

const sourceCount = (src: SampleSource): number => ('set' in src ? src.set.count : src.count);

function sampleOf(src: SampleSource, i: number, rows: RowInfo): Sample {
  if (!('set' in src)) {
    return {
      index: i,
      label: rows.labels?.[i] ?? null,
      prediction: rows.predictions?.[i] ?? null,
      name: `row ${i} (line ${src.firstDataLine + i + 1})`,
    };
  }
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
  const valid = members.filter((i) => i >= 0 && i < sourceCount(src));
  channel.post({
    type: 'samples',
    nodeId,
    total: valid.length,
    samples: valid.map((i) => sampleOf(src, i, rows)),
  });
}

/** Opens row `index`'s file beside the panel (image preview for images), or reveals its table line. */
export async function openSample(services: Services, src: SampleSource, index: number): Promise<void> {
  if (index < 0 || index >= sourceCount(src)) return;
  if (!('set' in src)) {
    const uri = vscode.Uri.file(src.table);
    if (!services.confineToWorkspace(uri)) return;
    const line = src.firstDataLine + index;
    await vscode.window.showTextDocument(uri, {
      viewColumn: vscode.ViewColumn.Beside,
      preview: true,
      selection: new vscode.Range(line, 0, line, 0),
    });
    return;
  }
  const file = src.set.files?.[index];
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
    const file = src && 'set' in src ? (src.set.files?.[p.index] ?? '') : '';
    lines.push(
      [p.index, file, rows.labels?.[p.index] ?? '', rows.predictions?.[p.index] ?? '', p.node]
        .map(csvCell)
        .join(','),
    );
  }
  await saveBytes(channel, `${name}.csv`, 'csv', lines.join('\n') + '\n');
}

/**
 * The host's side of a mapper-family webview: creates or adopts the panel with the strict shell, checks
 * every incoming message against the protocol before any handler sees it, and answers the requests every
 * view shares (saving an exported figure or data file through a save dialog).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import {
  parseHostMessage,
  parseViewMessage,
  type HostMessage,
  type ViewMessage,
} from '../../../webview/shared/protocol';
import type { Services } from '../services';
import { renderWebviewHtml, webviewOptions } from './webview-html';

export interface ViewChannel {
  readonly panel: vscode.WebviewPanel;
  post(msg: HostMessage): void;
  onMessage(handler: (msg: ViewMessage) => void | Promise<void>): void;
  /** Folder a save dialog starts in (the analysed data's folder). */
  saveFolder?: vscode.Uri;
}

export interface OpenViewOptions {
  viewType: string;
  /** Bundle name (dist/webview/<view>.js). */
  view: string;
  title: string;
  initialState: unknown;
  /** Folders the webview may load files from (sample images): the workspace folders. */
  extraRoots?: vscode.Uri[];
  /** Adopt a restored panel instead of creating one. */
  panel?: vscode.WebviewPanel;
  column?: vscode.ViewColumn;
}

export function workspaceRoots(): vscode.Uri[] {
  return (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri);
}

export function openView(services: Services, o: OpenViewOptions): ViewChannel {
  const { extensionUri } = services.context;
  const roots = o.extraRoots ?? workspaceRoots();
  const panel =
    o.panel ??
    vscode.window.createWebviewPanel(o.viewType, o.title, o.column ?? vscode.ViewColumn.Active, {
      ...webviewOptions(extensionUri, roots),
      retainContextWhenHidden: true,
    });
  panel.webview.options = webviewOptions(extensionUri, roots);
  panel.title = o.title;
  panel.webview.html = renderWebviewHtml(panel.webview, extensionUri, {
    view: o.view,
    title: o.title,
    initialState: o.initialState,
  });
  const handlers: ((msg: ViewMessage) => void | Promise<void>)[] = [];
  // Work starts with the panel, in parallel with the page loading; what is posted before the view's
  // script listens would be lost, so it waits for the view's "ready".
  let viewReady = false;
  const queue: HostMessage[] = [];
  const channel: ViewChannel = {
    panel,
    post: (msg) => {
      const checked = parseHostMessage(msg);
      if (viewReady) void panel.webview.postMessage(checked);
      else queue.push(checked);
    },
    onMessage: (h) => void handlers.push(h),
  };
  panel.webview.onDidReceiveMessage(
    async (raw: unknown) => {
      let msg: ViewMessage;
      try {
        msg = parseViewMessage(raw);
      } catch (err) {
        services.log.warn(`${o.title}: refused a message from the view: ${(err as Error).message}`);
        return;
      }
      if (msg.type === 'ready' && !viewReady) {
        viewReady = true;
        for (const m of queue.splice(0)) void panel.webview.postMessage(m);
      }
      try {
        if (msg.type === 'save') await saveFromView(channel, msg);
        for (const h of handlers) await h(msg);
      } catch (err) {
        channel.post({ type: 'error', message: (err as Error).message });
      }
    },
    undefined,
    services.context.subscriptions,
  );
  return channel;
}

const FILTERS: Record<string, Record<string, string[]>> = {
  png: { 'PNG image': ['png'] },
  svg: { 'SVG image': ['svg'] },
  json: { JSON: ['json'] },
  csv: { CSV: ['csv'] },
  npy: { 'NumPy array': ['npy'] },
};

/** Asks where to save and writes the bytes; reports the saved path to the view. */
export async function saveBytes(
  channel: ViewChannel,
  name: string,
  format: string,
  bytes: Uint8Array | string,
): Promise<string | undefined> {
  const base = channel.saveFolder ?? workspaceRoots()[0];
  const target = await vscode.window.showSaveDialog({
    defaultUri: base ? vscode.Uri.joinPath(base, path.basename(name)) : undefined,
    filters: FILTERS[format],
    title: `Save ${path.basename(name)}`,
  });
  if (!target) return undefined;
  await writeFile(target.fsPath, bytes);
  channel.post({ type: 'saved', path: target.fsPath });
  return target.fsPath;
}

async function saveFromView(
  channel: ViewChannel,
  msg: Extract<ViewMessage, { type: 'save' }>,
): Promise<void> {
  const bytes = msg.encoding === 'base64' ? Buffer.from(msg.data, 'base64') : msg.data;
  await saveBytes(channel, msg.name, msg.format, bytes);
}

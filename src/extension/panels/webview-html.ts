/**
 * The HTML shell of every TopoScope webview: a strict CSP (default-src 'none', scripts by nonce, images and
 * fonts from the webview's own source), the view's bundle from dist/webview/<view>.js, and the initial
 * state as JSON in a data attribute (never interpolated into script).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewShellOptions {
  /** Bundle name: dist/webview/<view>.js, built from webview/<view>/main.ts. */
  view: string;
  title: string;
  /** JSON-able state handed to the view at start (e.g. what to load, restored UI state). */
  initialState?: unknown;
}

/** Options for createWebviewPanel / custom editors: scripts on, only the extension's dist and media. */
export function webviewOptions(
  extensionUri: vscode.Uri,
  extraRoots: vscode.Uri[] = [],
): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'dist'),
      vscode.Uri.joinPath(extensionUri, 'media'),
      ...extraRoots,
    ],
  };
}

export function renderWebviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  o: WebviewShellOptions,
): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${o.view}.js`));
  const css = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'webview.css'));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const state = escapeAttribute(JSON.stringify(o.initialState ?? null));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}" nonce="${nonce}">
<title>${escapeAttribute(o.title)}</title>
</head>
<body data-view="${escapeAttribute(o.view)}" data-state="${state}">
<div id="app" role="main"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The HTML shell of every TopoScope webview: a strict CSP (default-src 'none', scripts by nonce, images and
 * fonts from the webview's own source), the view's bundle from dist/webview/<view>.js, and the initial
 * state as JSON in a data attribute (never interpolated into script).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { htmlPage } from '../../core/report/html-page';

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
  return htmlPage({
    csp,
    title: o.title,
    head: `<link rel="stylesheet" href="${css}" nonce="${nonce}">`,
    view: { name: o.view, script: script.toString(), nonce, state: o.initialState ?? null },
  });
}

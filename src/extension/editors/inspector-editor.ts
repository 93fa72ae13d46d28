/**
 * Read-only custom editors: `.onnx` opens in the model inspector by default; `.npy/.npz/.safetensors`
 * can be reopened in the tensor inspector ("Reopen With…"). Both show what the `info` job finds, run
 * through the worker pool, and offer to start an analysis of the file.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError } from '../../core/errors';
import {
  parseInspectorHostMessage,
  parseInspectorViewMessage,
  type InspectorHostMessage,
  type InspectorState,
} from '../../../webview/inspector/protocol';
import { renderWebviewHtml, webviewOptions } from '../panels/webview-html';
import type { Services } from '../services';

export const MODEL_INSPECTOR = 'toposcope.modelInspector';
export const TENSOR_INSPECTOR = 'toposcope.tensorInspector';

class InspectorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(
    private readonly services: Services,
    private readonly kind: InspectorState['kind'],
  ) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const { extensionUri } = this.services.context;
    const name = path.basename(document.uri.fsPath);
    const state: InspectorState = { kind: this.kind, name };
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = renderWebviewHtml(panel.webview, extensionUri, {
      view: 'inspector',
      title: name,
      initialState: state,
    });
    const cancel = new vscode.CancellationTokenSource();
    // A hidden inspector is discarded and reloads when shown again: each load says "ready" and gets the
    // latest message again.
    let viewReady = false;
    let last: InspectorHostMessage | undefined;
    const send = (msg: InspectorHostMessage) =>
      void panel.webview.postMessage(parseInspectorHostMessage(msg));
    const post = async (msg: InspectorHostMessage) => {
      last = msg;
      if (viewReady) send(msg);
    };
    panel.onDidDispose(() => cancel.cancel());
    panel.webview.onDidReceiveMessage((raw: unknown) => {
      let msg;
      try {
        msg = parseInspectorViewMessage(raw);
      } catch (err) {
        this.services.log.warn(`inspector: ignored an invalid message: ${(err as Error).message}`);
        return;
      }
      if (msg.type === 'ready') {
        viewReady = true;
        if (last) send(last);
      } else void vscode.commands.executeCommand(msg.command, document.uri);
    });
    // The editor appears only once this method returns: load in the background, or the view never gets
    // to say it is ready.
    void this.load(document.uri, name, cancel.token, post);
  }

  private async load(
    uri: vscode.Uri,
    name: string,
    token: vscode.CancellationToken,
    post: (msg: InspectorHostMessage) => Promise<void>,
  ): Promise<void> {
    if (uri.scheme !== 'file') {
      await post({ type: 'error', message: `${name}: only files on disk can be inspected` });
      return;
    }
    try {
      const info = await this.services.runJob('info', { file: uri.fsPath }, { token });
      await post({ type: 'info', info });
    } catch (err) {
      if (err instanceof CancelledError) return;
      await post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }
}

export function registerInspectors(services: Services): void {
  const options = {
    webviewOptions: { retainContextWhenHidden: false },
    supportsMultipleEditorsPerDocument: true,
  };
  services.context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(
      MODEL_INSPECTOR,
      new InspectorProvider(services, 'model'),
      options,
    ),
    vscode.window.registerCustomEditorProvider(
      TENSOR_INSPECTOR,
      new InspectorProvider(services, 'tensor'),
      options,
    ),
  );
}

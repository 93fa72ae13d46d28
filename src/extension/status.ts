/**
 * The status bar entry: shows that TopoScope is loaded and how many analyses run; a click opens the log.
 * (The end-to-end harness also waits for it: it appears once the extension has activated.)
 */
import * as vscode from 'vscode';
import type { ExtensionServices } from './create-services';

export function createStatusItem(services: ExtensionServices): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('toposcope.status', vscode.StatusBarAlignment.Left, 0);
  item.name = 'TopoScope';
  item.command = 'toposcope.showLog';
  const update = (running: number) => {
    item.text = running > 0 ? `$(sync~spin) TopoScope: ${running}` : '$(type-hierarchy) TopoScope';
    item.tooltip =
      running > 0
        ? `TopoScope: ${running} analyses running (click for the log)`
        : 'TopoScope: idle (click for the log)';
    item.accessibilityInformation = { label: item.tooltip };
  };
  update(0);
  item.show();
  const sub = services.onDidChangeRunning(update);
  return vscode.Disposable.from(item, sub);
}

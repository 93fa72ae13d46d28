/**
 * The extension's entry point: one log channel, one Services object (the worker pool behind runJob), the
 * inspectors, and every panel family's registration (src/extension/panels/index.ts).
 */
import * as vscode from 'vscode';
import { createServices, type ExtensionServices } from './create-services';
import { registerInspectors } from './editors/inspector-editor';
import { panelRegistrations } from './panels/index';
import { createStatusItem } from './status';

declare const TOPOSCOPE_VERSION: string;

/** What `activate` returns (reachable through vscode.extensions.getExtension('toposcope.toposcope').exports). */
export interface ToposcopeApi {
  services: ExtensionServices;
}

export function activate(context: vscode.ExtensionContext): ToposcopeApi {
  const log = vscode.window.createOutputChannel('TopoScope', { log: true });
  const services = createServices(context, log);
  context.subscriptions.push(
    log,
    { dispose: () => services.dispose() },
    vscode.commands.registerCommand('toposcope.showLog', () => log.show()),
    vscode.commands.registerCommand('toposcope.cancelAll', () => services.cancelAll()),
    createStatusItem(services),
  );
  registerInspectors(services);
  for (const register of panelRegistrations) {
    try {
      register(services);
    } catch (err) {
      // One broken panel family must not take the others down.
      log.error(
        `registering ${register.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    }
  }
  log.info(`TopoScope ${typeof TOPOSCOPE_VERSION === 'string' ? TOPOSCOPE_VERSION : 'dev'} activated`);
  return { services };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

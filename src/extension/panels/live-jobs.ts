/**
 * Live recomputation for a panel: each new request cancels the one still running (its result would be
 * stale), so dragging a slider never queues work; only the latest answer reaches the view.
 */
import * as vscode from 'vscode';
import { CancelledError } from '../../core/errors';

export class LatestOnly {
  private current: vscode.CancellationTokenSource | undefined;

  /** Runs `work` with a fresh token after cancelling the previous run; resolves undefined if superseded. */
  async run<T>(work: (token: vscode.CancellationToken) => Promise<T>): Promise<T | undefined> {
    this.current?.cancel();
    this.current?.dispose();
    const cts = new vscode.CancellationTokenSource();
    this.current = cts;
    try {
      const result = await work(cts.token);
      return cts.token.isCancellationRequested ? undefined : result;
    } catch (err) {
      if (err instanceof CancelledError || cts.token.isCancellationRequested) return undefined;
      throw err;
    } finally {
      if (this.current === cts) {
        this.current = undefined;
        cts.dispose();
      }
    }
  }

  cancel(): void {
    this.current?.cancel();
  }
}

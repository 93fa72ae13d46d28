/**
 * What every command and panel of the extension gets: the worker pool behind one call, the log channel,
 * and the workspace-path guard. Created once in `activate` and passed down; panels never make their own.
 */
import type * as vscode from 'vscode';
import type { JobKind, JobParams, JobResult } from '../core/jobs/types';

export interface RunOptions {
  /** Shown in the cancellable progress notification; omit to run quietly (e.g. live re-clustering). */
  title?: string;
  /** Cancelling this token cancels the job within a second. */
  token?: vscode.CancellationToken;
  onProgress?: (fraction: number, message?: string) => void;
}

export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  /** Runs a job off the extension host's thread (worker thread, or child process for onnxruntime jobs). */
  runJob<K extends JobKind>(kind: K, params: JobParams<K>, opts?: RunOptions): Promise<JobResult<K>>;
  /** The file's fsPath if it lies inside a workspace folder; otherwise undefined (never open it then). */
  confineToWorkspace(uri: vscode.Uri): string | undefined;
}

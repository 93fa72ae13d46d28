/**
 * The one Services object of the extension: jobs through the worker pool with a cancellable progress
 * notification, results cached by file content + parameters, a question before loading very large
 * files, the Workspace Trust rule for running models, and the log channel.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError } from '../core/errors';
import type { JobKind, JobParams, JobResult } from '../core/jobs/types';
import type { RunOptions, Services } from './services';
import { readSettings } from './settings';
import { WorkerPool } from './worker/pool';
import { FileHasher, jobCacheKey, ResultCache } from './worker/result-cache';

/** Running a workspace's ONNX model needs trust (package.json `capabilities.untrustedWorkspaces`). */
export class UntrustedWorkspaceError extends Error {
  override readonly name = 'UntrustedWorkspaceError';
  constructor() {
    super(
      'Running a model needs a trusted workspace: trust this folder (Manage Workspace Trust) and try again.',
    );
  }
}

export interface ExtensionServices extends Services {
  /** Cancels every running and queued job. */
  cancelAll(): void;
  /** Jobs running now (for the status bar). */
  readonly running: number;
  readonly onDidChangeRunning: vscode.Event<number>;
  dispose(): void;
}

const POOL_SETTINGS = ['toposcope.workers', 'toposcope.workerMemoryMB'];

export function createServices(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
): ExtensionServices {
  const workerScript = context.asAbsolutePath(path.join('dist', 'worker.js'));
  const makePool = () => {
    const s = readSettings();
    return new WorkerPool({
      workerScript,
      threads: s.workers > 0 ? s.workers : undefined,
      memoryMB: s.workerMemoryMB,
      log: (level, message) => log[level](message),
    });
  };
  let pool = makePool();
  const retiring = new Set<WorkerPool>();
  const cache = new ResultCache(readSettings().cacheSizeMB * 2 ** 20);
  const hasher = new FileHasher();
  const allowedLarge = new Set<string>();
  const controllers = new Set<AbortController>();
  const runningChanged = new vscode.EventEmitter<number>();

  const configWatch = vscode.workspace.onDidChangeConfiguration((e) => {
    if (POOL_SETTINGS.some((k) => e.affectsConfiguration(k))) {
      // Running jobs finish in the old pool; new jobs start in one built from the new settings.
      retiring.add(pool);
      pool = makePool();
      retireIdle();
    }
    if (e.affectsConfiguration('toposcope.cacheSizeMB')) cache.clear();
  });

  function retireIdle(): void {
    for (const p of retiring) {
      if (p.stats.running + p.stats.queued > 0) continue;
      p.dispose();
      retiring.delete(p);
    }
  }

  /** Asks once per file and size before a job reads a file above the size limit. */
  async function confirmLargeFiles(params: unknown): Promise<void> {
    const limit = readSettings().maxFileSizeMB * 2 ** 20;
    for (const file of pathsIn(params)) {
      const st = await stat(file).catch(() => undefined);
      if (!st?.isFile() || st.size <= limit) continue;
      const key = `${file}\0${st.size}`;
      if (allowedLarge.has(key)) continue;
      const mb = (st.size / 2 ** 20).toFixed(0);
      const load = 'Load Anyway';
      const answer = await vscode.window.showWarningMessage(
        `${path.basename(file)} is ${mb} MB, above the toposcope.maxFileSizeMB limit. Loading it may take a lot of memory.`,
        { modal: true },
        load,
      );
      if (answer !== load) throw new CancelledError();
      allowedLarge.add(key);
    }
  }

  async function execute(
    kind: string,
    params: unknown,
    opts: RunOptions,
    report?: (fraction: number, message?: string) => void,
    token?: vscode.CancellationToken,
  ): Promise<unknown> {
    const ac = new AbortController();
    controllers.add(ac);
    runningChanged.fire(controllers.size);
    const subs = [opts.token, token].map((t) => t?.onCancellationRequested(() => ac.abort()));
    if (opts.token?.isCancellationRequested || token?.isCancellationRequested) ac.abort();
    const started = Date.now();
    const active = pool;
    try {
      const result = await active.run(kind, params, {
        signal: ac.signal,
        onProgress: (f, m) => {
          report?.(f, m);
          opts.onProgress?.(f, m);
        },
        onLog: (m) => log.info(`${kind}: ${m}`),
      });
      log.info(`${kind} finished in ${Date.now() - started} ms`);
      return result;
    } catch (err) {
      if (err instanceof CancelledError) log.info(`${kind} cancelled after ${Date.now() - started} ms`);
      else log.error(`${kind} failed: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    } finally {
      subs.forEach((s) => s?.dispose());
      controllers.delete(ac);
      runningChanged.fire(controllers.size);
      retireIdle();
    }
  }

  async function runJob<K extends JobKind>(
    kind: K,
    params: JobParams<K>,
    opts: RunOptions = {},
  ): Promise<JobResult<K>> {
    const { ortJobs } = await pool.describe();
    if (ortJobs.includes(kind) && !vscode.workspace.isTrusted) throw new UntrustedWorkspaceError();
    const key = await jobCacheKey(kind, params, hasher);
    if (key !== undefined && cache.has(key)) {
      log.debug(`${kind}: cached result`);
      return cache.get(key) as JobResult<K>;
    }
    await confirmLargeFiles(params);
    const result = opts.title
      ? await vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Notification,
            title: `TopoScope: ${opts.title}`,
            cancellable: true,
          },
          (progress, token) => {
            let shown = 0;
            const report = (fraction: number, message?: string) => {
              // The notification takes increments: report only the growth since the last update.
              const pct = Math.round(fraction * 100);
              progress.report({ increment: Math.max(0, pct - shown), message });
              shown = Math.max(shown, pct);
            };
            return execute(kind, params, opts, report, token);
          },
        )
      : await execute(kind, params, opts);
    if (key !== undefined) cache.set(key, result);
    return result as JobResult<K>;
  }

  function confineToWorkspace(uri: vscode.Uri): string | undefined {
    if (uri.scheme !== 'file') return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return undefined;
    const rel = path.relative(folder.uri.fsPath, uri.fsPath);
    return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : uri.fsPath;
  }

  return {
    context,
    log,
    runJob,
    confineToWorkspace,
    cancelAll: () => {
      for (const ac of controllers) ac.abort();
    },
    get running() {
      return controllers.size;
    },
    onDidChangeRunning: runningChanged.event,
    dispose: () => {
      configWatch.dispose();
      runningChanged.dispose();
      pool.dispose();
      for (const p of retiring) p.dispose();
    },
  };
}

/** Absolute paths among a job's string parameters (`file.npz:key` counts as `file.npz`). */
function pathsIn(params: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'string' && path.isAbsolute(v)) out.push(v.replace(/:[^:/\\]+$/, ''));
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) Object.values(v).forEach(visit);
  };
  visit(params);
  return out;
}

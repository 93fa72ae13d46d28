/** The built worker the pool tests run against (dist/worker.js), built on first use when missing. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../../..');
export const workerScript = path.join(repoRoot, 'dist', 'worker.js');

export function ensureBuiltWorker(): string {
  if (!existsSync(workerScript))
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')]);
  return workerScript;
}

/** True while a process with this id exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

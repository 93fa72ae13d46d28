/** File-name helpers shared by the readers (no node:path, so they run in any host). */

/** The name without folder and last extension: `/a/b/test_labels.npy` → `test_labels`. */
export function fileStem(path: string): string {
  return (path.split(/[\\/]/).pop() ?? path).replace(/\.[^.]*$/, '');
}

/**
 * Finds the labels, predictions and sample manifest that belong to an activation file by their names in
 * the same folder (DESIGN.md §1), ranked best first; the extension asks with a quick pick when several fit.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { formatOf } from './read';

export interface Candidate {
  path: string;
  /** Higher is a better fit; only the order matters. */
  score: number;
  /** Why it was picked, for the quick pick's detail line. */
  reason: string;
}

export interface Companions {
  labels: Candidate[];
  predictions: Candidate[];
  manifest: Candidate[];
}

/** Prefixes that name the activation tensor itself: `act_clean_eps0.00` → tag `clean_eps0.00`. */
const ACT_PREFIX = /^(activations?|acts?|features?|feats?|embeddings?|emb|logits|hidden|x)(?:[_\-.]|$)/i;
const PRED_PREFIX = /^(predictions?|preds?|yhat|y_pred)(?:[_\-.]|$)/i;
const LABEL_PREFIX = /^(labels?|targets?|y_true|y|gt|classes)(?:[_\-.]|$)/i;

/** The part of a file stem that identifies the run: the stem without its role prefix. */
export function runTag(stem: string, prefix: RegExp): string | undefined {
  const m = prefix.exec(stem);
  return m ? stem.slice(m[0].length) : undefined;
}

const stemOf = (name: string) => name.replace(/\.[^.]*$/, '');

function rank(list: Candidate[]): Candidate[] {
  return list.sort((a, b) => b.score - a.score || a.path.localeCompare(b.path));
}

function scoreRole(stem: string, prefix: RegExp, word: RegExp, tag: string | undefined): number {
  const own = runTag(stem, prefix);
  if (own !== undefined && tag !== undefined && own === tag && tag !== '') return 100;
  if (own !== undefined && own === '') return 60;
  // `test_labels`, `mnist_labels`: the role word anywhere, as a token.
  if (!word.test(stem)) return 0;
  // Runs that share tokens (`clean` in act_clean_eps0.05 and pred_clean_eps0.00) rank first among the rest.
  const tokens = new Set((tag ?? '').split(/[_-]/).filter(Boolean));
  const shared = (own ?? '').split(/[_-]/).filter((t) => tokens.has(t)).length;
  return (own !== undefined ? 40 : 30) + Math.min(shared, 9);
}

export async function discoverCompanions(activationPath: string): Promise<Companions> {
  const dir = path.dirname(path.resolve(activationPath));
  const self = path.basename(activationPath);
  const tag = runTag(stemOf(self), ACT_PREFIX);
  let entries: { name: string; isDirectory(): boolean; isFile(): boolean }[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return { labels: [], predictions: [], manifest: [] };
  }
  const out: Companions = { labels: [], predictions: [], manifest: [] };
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (/^(samples?|images?|imgs?)$/i.test(e.name)) {
        out.manifest.push({ path: full, score: 20, reason: 'folder of sample images' });
      }
      continue;
    }
    if (!e.isFile() || e.name === self) continue;
    const stem = stemOf(e.name);
    if (/\.csv$/i.test(e.name) && /manifest|samples/i.test(stem)) {
      out.manifest.push({
        path: full,
        score: stem.toLowerCase() === 'manifest' ? 50 : 40,
        reason: 'sample manifest',
      });
    }
    const format = formatOf(e.name);
    if (!format || format === 'png') continue;
    if (format === 'npy' && /(^|[_\-.])(images?|imgs?)([_\-.]|$)/i.test(stem)) {
      out.manifest.push({ path: full, score: 10, reason: 'images rendered from an array' });
    }
    const p = scoreRole(stem, PRED_PREFIX, /(^|[_\-.])(pred|preds|predictions?)([_\-.]|$)/i, tag);
    if (p > 0) {
      out.predictions.push({
        path: full,
        score: p,
        reason: p === 100 ? `predictions of the same run (${tag})` : 'predictions by name',
      });
      continue;
    }
    const l = scoreRole(stem, LABEL_PREFIX, /(^|[_\-.])(labels?|targets?)([_\-.]|$)/i, tag);
    if (l > 0)
      out.labels.push({
        path: full,
        score: l,
        reason: l === 100 ? `labels of the same run (${tag})` : 'labels by name',
      });
  }
  return { labels: rank(out.labels), predictions: rank(out.predictions), manifest: rank(out.manifest) };
}

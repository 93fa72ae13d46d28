/** Attack parameters (DESIGN.md §6) and their defaults, validated once for the CLI and the jobs. */
import { InputError } from '../errors';

export type AttackKind = 'none' | 'fgsm' | 'pgd-linf' | 'pgd-l2';

export const ATTACK_KINDS: readonly AttackKind[] = ['none', 'fgsm', 'pgd-linf', 'pgd-l2'];

export interface AttackParams {
  kind: AttackKind;
  eps: number;
  /** PGD iterations (default 10; FGSM is one step of size ε). */
  steps?: number;
  /** Step size α (default 2.5ε/T). */
  stepSize?: number;
  /** PGD random start (default true). */
  randomStart?: boolean;
  seed?: number;
  /** Valid input range [lo, hi] (default [0, 1]). */
  clip?: [number, number];
}

export interface ResolvedAttack {
  kind: AttackKind;
  eps: number;
  steps: number;
  stepSize: number;
  randomStart: boolean;
  seed: number;
  clip: [number, number];
}

export function resolveAttack(p: AttackParams): ResolvedAttack {
  if (!ATTACK_KINDS.includes(p.kind)) {
    throw new InputError('', `unknown attack '${String(p.kind)}' (expected ${ATTACK_KINDS.join(', ')})`);
  }
  const eps = p.kind === 'none' ? 0 : p.eps;
  if (!Number.isFinite(eps) || eps < 0) throw new InputError('', `--eps must be a number ≥ 0, got ${p.eps}`);
  const steps = p.kind === 'fgsm' ? 1 : p.kind === 'none' ? 0 : (p.steps ?? 10);
  if (!Number.isInteger(steps) || steps < 0)
    throw new InputError('', `--steps must be an integer ≥ 0, got ${p.steps}`);
  const stepSize = p.kind === 'fgsm' ? eps : (p.stepSize ?? (steps > 0 ? (2.5 * eps) / steps : 0)); // α = 2.5ε/T
  if (!Number.isFinite(stepSize) || stepSize < 0) {
    throw new InputError('', `--step-size must be a number ≥ 0, got ${p.stepSize}`);
  }
  const clip = p.clip ?? [0, 1];
  if (clip.length !== 2 || !clip.every(Number.isFinite) || clip[0] > clip[1]) {
    throw new InputError('', `--clip must be lo,hi with lo ≤ hi, got ${clip.join(',')}`);
  }
  return {
    kind: p.kind,
    eps,
    steps,
    stepSize,
    randomStart: p.kind === 'fgsm' ? false : (p.randomStart ?? true),
    seed: p.seed ?? 0,
    clip,
  };
}

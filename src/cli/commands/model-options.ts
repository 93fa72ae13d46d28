/** Options shared by `activations` and `attack` (DESIGN.md §11), parsed into the jobs' parameters. */
import { InputError } from '../../core/errors';
import { ATTACK_KINDS, type AttackKind } from '../../core/attack/params';
import type { Command } from 'commander';
import type { ModelRunParams } from '../../core/jobs/model';

export interface ModelRunOptions {
  inputs: string;
  labels?: string;
  attack?: string;
  eps?: string;
  steps?: string;
  stepSize?: string;
  randomStart?: boolean;
  seed?: string;
  clip?: string;
  chunk?: string;
  threads?: string;
  json?: boolean;
}

export function addModelRunOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--inputs <tensor>', 'input rows (.npy .npz:key .safetensors:key .csv .json .pt:key)')
    .option('--labels <tensor>', 'true labels, one per row (needed by attacks and accuracy)')
    .option('--attack <kind>', `none | ${ATTACK_KINDS.filter((k) => k !== 'none').join(' | ')}`)
    .option('--eps <number>', 'attack budget ε (ℓ∞ or ℓ2 radius)')
    .option('--steps <n>', 'PGD steps T (default 10)')
    .option('--step-size <number>', 'PGD step α (default 2.5ε/T)')
    .option('--random-start', 'PGD starts at a random point of the ε-ball (default)')
    .option('--no-random-start', 'PGD starts at the clean input')
    .option('--seed <n>', 'seed of the random start (default 0)')
    .option('--clip <lo,hi>', 'valid input range (default 0,1)')
    .option('--chunk <rows>', 'rows per onnxruntime run (default 1024)')
    .option('--threads <n>', 'onnxruntime intra-op threads (default 1)')
    .option('--json', 'print one JSON object');
}

function num(name: string, v: string | undefined, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || (integer && !Number.isInteger(x))) {
    throw new InputError('', `${name} must be ${integer ? 'an integer' : 'a number'}, got '${v}'`);
  }
  return x;
}

export function modelRunParams(model: string, o: ModelRunOptions): ModelRunParams {
  const attack = (o.attack ?? 'none') as AttackKind;
  if (!ATTACK_KINDS.includes(attack)) {
    throw new InputError('', `--attack must be one of ${ATTACK_KINDS.join(', ')}, got '${o.attack}'`);
  }
  if (attack !== 'none' && o.eps === undefined) throw new InputError('', `--attack ${attack} needs --eps`);
  let clip: [number, number] | undefined;
  if (o.clip !== undefined) {
    const parts = o.clip.split(',');
    if (parts.length !== 2) throw new InputError('', `--clip must be lo,hi, got '${o.clip}'`);
    clip = [num('--clip lo', parts[0])!, num('--clip hi', parts[1])!];
  }
  return {
    model,
    inputs: o.inputs,
    labels: o.labels,
    attack,
    eps: num('--eps', o.eps),
    steps: num('--steps', o.steps, true),
    stepSize: num('--step-size', o.stepSize),
    randomStart: o.randomStart,
    seed: num('--seed', o.seed, true),
    clip,
    chunk: num('--chunk', o.chunk, true),
    intraOpNumThreads: num('--threads', o.threads, true),
  };
}

export const pct = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(2)} %`);

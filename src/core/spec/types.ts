/** The analysis spec file `*.toposcope.json` (DESIGN.md §4): what to analyse and with which parameters. */
import type { MapperParams } from '../mapper/types';

export interface SpecSet {
  name: string;
  /** Attack strength of this set (0 for clean inputs). */
  epsilon?: number;
  /** Tensor spec (`file` or `file:key`) of the activations. */
  activations: string;
  predictions?: string;
  /** Overrides the spec-wide labels for this set. */
  labels?: string;
}

export type AttackKind = 'none' | 'fgsm' | 'pgd-linf' | 'pgd-l2';

export interface SpecAttack {
  kind: AttackKind;
  epsilons: number[];
  steps?: number;
  stepSize?: number;
  randomStart?: boolean;
  seed?: number;
  /** Valid input range [lo, hi]. */
  clip?: [number, number];
}

export interface AnalysisSpec {
  name?: string;
  classes?: string[];
  /** Manifest CSV, folder of images, or .npy of images. */
  samples?: string;
  labels?: string;
  sets?: SpecSet[];
  mapper?: MapperParams;
  /** A model analysis: the ONNX model, its inputs, the layer to read, and the attack levels. */
  model?: string;
  inputs?: string;
  layer?: string;
  attack?: SpecAttack;
  /** Free-form view state the panels save (layout, colours); kept as written. */
  view?: Record<string, unknown>;
}

/**
 * Reading, validating and writing analysis specs (DESIGN.md §4). Every problem is an InputError
 * 'bad-spec' whose reason starts with the path of the offending field (`sets[1].activations: missing`).
 * Paths are resolved against the spec's folder on load and written back relative to it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors';
import { splitTensorSpec } from '../io/read';
import type { MapperParams } from '../mapper/types';
import type { AnalysisSpec, SpecAttack, SpecSet } from './types';

type Obj = Record<string, unknown>;

class Checker {
  constructor(readonly file: string) {}

  fail(at: string, why: string): never {
    throw new InputError(this.file, `${at}: ${why}`, 'bad-spec');
  }

  object(x: unknown, at: string, allowed: readonly string[]): Obj {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) this.fail(at, 'must be an object');
    for (const k of Object.keys(x)) {
      if (!allowed.includes(k))
        this.fail(at ? `${at}.${k}` : k, `unknown field (expected one of ${allowed.join(', ')})`);
    }
    return x as Obj;
  }

  string(o: Obj, key: string, at: string, required: true): string;
  string(o: Obj, key: string, at: string, required?: false): string | undefined;
  string(o: Obj, key: string, at: string, required = false): string | undefined {
    const v = o[key];
    if (v === undefined) return required ? this.fail(at, 'missing') : undefined;
    if (typeof v !== 'string' || v.length === 0) this.fail(at, 'must be a non-empty string');
    return v;
  }

  number(o: Obj, key: string, at: string, ok: (x: number) => boolean, range: string): number | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v))
      this.fail(at, `must be ${range}, got ${JSON.stringify(v)}`);
    return v;
  }

  oneOf<T extends string>(o: Obj, key: string, at: string, values: readonly T[]): T | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (!values.includes(v as T))
      this.fail(at, `must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  }
}

const isInt = (lo: number) => (x: number) => Number.isInteger(x) && x >= lo;

function checkSet(c: Checker, x: unknown, at: string): SpecSet {
  const o = c.object(x, at, ['name', 'epsilon', 'activations', 'predictions', 'labels']);
  const set: SpecSet = {
    name: c.string(o, 'name', `${at}.name`, true),
    activations: c.string(o, 'activations', `${at}.activations`, true),
  };
  const eps = c.number(o, 'epsilon', `${at}.epsilon`, (v) => v >= 0, 'a number ≥ 0');
  if (eps !== undefined) set.epsilon = eps;
  const pred = c.string(o, 'predictions', `${at}.predictions`);
  if (pred !== undefined) set.predictions = pred;
  const labels = c.string(o, 'labels', `${at}.labels`);
  if (labels !== undefined) set.labels = labels;
  return set;
}

const LENSES = ['l2norm', 'linf', 'mean', 'pca1', 'density', 'eccentricity'] as const;

function checkMapper(c: Checker, x: unknown): MapperParams {
  const keys = [
    'lens',
    'densityBandwidth',
    'cover',
    'intervals',
    'overlap',
    'clusterer',
    'eps',
    'epsQuantile',
    'minSamples',
    'metric',
    'noise',
    'linkageBins',
  ] as const;
  const o = c.object(x, 'mapper', keys);
  const m: MapperParams = {};
  if (o.lens !== undefined) {
    const lens = c.string(o, 'lens', 'mapper.lens');
    const ok =
      (LENSES as readonly string[]).includes(lens!) ||
      /^coordinate:\d+$/.test(lens!) ||
      /^file:.+/.test(lens!);
    if (!ok)
      c.fail(
        'mapper.lens',
        `must be one of ${LENSES.join(', ')}, coordinate:<i> or file:<tensor>, got "${lens}"`,
      );
    m.lens = lens as MapperParams['lens'];
  }
  const auto = (key: 'eps' | 'densityBandwidth') => {
    if (o[key] === 'auto') return 'auto' as const;
    if (o[key] === undefined) return undefined;
    return c.number(o, key, `mapper.${key}`, (v) => v > 0, 'a number > 0 or "auto"');
  };
  const set = <K extends keyof MapperParams>(k: K, v: MapperParams[K] | undefined) => {
    if (v !== undefined) m[k] = v;
  };
  set('densityBandwidth', auto('densityBandwidth'));
  set('cover', c.oneOf(o, 'cover', 'mapper.cover', ['uniform', 'balanced', 'keplermapper'] as const));
  set('intervals', c.number(o, 'intervals', 'mapper.intervals', isInt(1), 'an integer ≥ 1'));
  set(
    'overlap',
    c.number(o, 'overlap', 'mapper.overlap', (v) => v >= 0 && v < 1, 'in [0, 1)'),
  );
  set('clusterer', c.oneOf(o, 'clusterer', 'mapper.clusterer', ['dbscan', 'single-linkage'] as const));
  set('eps', auto('eps'));
  set(
    'epsQuantile',
    c.number(o, 'epsQuantile', 'mapper.epsQuantile', (v) => v > 0 && v <= 1, 'in (0, 1]'),
  );
  set('minSamples', c.number(o, 'minSamples', 'mapper.minSamples', isInt(1), 'an integer ≥ 1'));
  set('metric', c.oneOf(o, 'metric', 'mapper.metric', ['euclidean', 'cosine'] as const));
  set('noise', c.oneOf(o, 'noise', 'mapper.noise', ['drop', 'node'] as const));
  set('linkageBins', c.number(o, 'linkageBins', 'mapper.linkageBins', isInt(2), 'an integer ≥ 2'));
  return m;
}

function checkAttack(c: Checker, x: unknown): SpecAttack {
  const o = c.object(x, 'attack', ['kind', 'epsilons', 'steps', 'stepSize', 'randomStart', 'seed', 'clip']);
  const kind = c.oneOf(o, 'kind', 'attack.kind', ['none', 'fgsm', 'pgd-linf', 'pgd-l2'] as const);
  if (kind === undefined) c.fail('attack.kind', 'missing');
  const eps = o.epsilons;
  if (eps === undefined) c.fail('attack.epsilons', 'missing');
  if (!Array.isArray(eps) || eps.length === 0)
    c.fail('attack.epsilons', 'must be a non-empty list of numbers ≥ 0');
  eps.forEach((e, i) => {
    if (typeof e !== 'number' || !(e >= 0) || !Number.isFinite(e))
      c.fail(`attack.epsilons[${i}]`, 'must be a number ≥ 0');
  });
  const a: SpecAttack = { kind, epsilons: eps as number[] };
  const steps = c.number(o, 'steps', 'attack.steps', isInt(1), 'an integer ≥ 1');
  if (steps !== undefined) a.steps = steps;
  const stepSize = c.number(o, 'stepSize', 'attack.stepSize', (v) => v > 0, 'a number > 0');
  if (stepSize !== undefined) a.stepSize = stepSize;
  const seed = c.number(o, 'seed', 'attack.seed', isInt(0), 'an integer ≥ 0');
  if (seed !== undefined) a.seed = seed;
  if (o.randomStart !== undefined) {
    if (typeof o.randomStart !== 'boolean') c.fail('attack.randomStart', 'must be true or false');
    a.randomStart = o.randomStart;
  }
  if (o.clip !== undefined) {
    const clip = o.clip;
    if (
      !Array.isArray(clip) ||
      clip.length !== 2 ||
      !clip.every((v) => typeof v === 'number') ||
      !(clip[0] < clip[1])
    ) {
      c.fail('attack.clip', 'must be [lo, hi] with lo < hi');
    }
    a.clip = [clip[0], clip[1]];
  }
  return a;
}

const TOP = [
  'name',
  'classes',
  'samples',
  'labels',
  'sets',
  'mapper',
  'model',
  'inputs',
  'layer',
  'attack',
  'view',
];

/** Validates a parsed spec document; paths are left as written. */
export function validateSpec(doc: unknown, file: string): AnalysisSpec {
  const c: Checker = new Checker(file);
  const o = c.object(doc, '', TOP);
  const spec: AnalysisSpec = {};
  for (const key of ['name', 'samples', 'labels', 'model', 'inputs', 'layer'] as const) {
    const v = c.string(o, key, key);
    if (v !== undefined) spec[key] = v;
  }
  if (o.classes !== undefined) {
    if (!Array.isArray(o.classes)) c.fail('classes', 'must be a list of class names');
    o.classes.forEach((v, i) => {
      if (typeof v !== 'string') c.fail(`classes[${i}]`, 'must be a string');
    });
    spec.classes = o.classes as string[];
  }
  if (o.sets !== undefined) {
    if (!Array.isArray(o.sets) || o.sets.length === 0) c.fail('sets', 'must be a non-empty list');
    spec.sets = o.sets.map((s, i) => checkSet(c, s, `sets[${i}]`));
    const seen = new Map<string, number>();
    spec.sets.forEach((s, i) => {
      if (seen.has(s.name))
        c.fail(`sets[${i}].name`, `"${s.name}" is already the name of sets[${seen.get(s.name)}]`);
      seen.set(s.name, i);
    });
  }
  if (o.mapper !== undefined) spec.mapper = checkMapper(c, o.mapper);
  if (o.attack !== undefined) spec.attack = checkAttack(c, o.attack);
  if (o.view !== undefined) spec.view = c.object(o.view, 'view', Object.keys(o.view as Obj));
  if (!spec.sets && !spec.model) c.fail('sets', 'missing (a spec needs "sets" of activations, or a "model")');
  if (spec.model && !spec.inputs) c.fail('inputs', 'missing (a model analysis needs its inputs)');
  if (spec.attack && !spec.model) c.fail('attack', 'needs a "model" to attack');
  return spec;
}

/** Applies `f` to every path of the spec (tensor specs keep their `:key`), returning a new spec. */
function mapPaths(spec: AnalysisSpec, f: (p: string) => string): AnalysisSpec {
  const tensor = (s: string) => {
    const { path: p, key } = splitTensorSpec(s);
    return key === undefined ? f(p) : `${f(p)}:${key}`;
  };
  const opt = (s: string | undefined) => (s === undefined ? undefined : tensor(s));
  const out: AnalysisSpec = { ...spec };
  for (const key of ['samples', 'labels', 'model', 'inputs'] as const) {
    if (spec[key] !== undefined) out[key] = opt(spec[key]);
  }
  if (spec.sets) {
    out.sets = spec.sets.map((s) => {
      const t: SpecSet = { ...s, activations: tensor(s.activations) };
      if (s.predictions !== undefined) t.predictions = tensor(s.predictions);
      if (s.labels !== undefined) t.labels = tensor(s.labels);
      return t;
    });
  }
  if (spec.mapper?.lens?.startsWith('file:')) {
    out.mapper = { ...spec.mapper, lens: `file:${tensor(spec.mapper.lens.slice(5))}` };
  }
  return out;
}

/** Parses spec text; relative paths are resolved against the folder of `file`. */
export function parseSpec(text: string, file: string): AnalysisSpec {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InputError(file, `not valid JSON (${(e as Error).message})`, 'bad-spec');
  }
  const dir = path.dirname(path.resolve(file));
  return mapPaths(validateSpec(doc, file), (p) => path.resolve(dir, p));
}

export async function loadSpec(file: string): Promise<AnalysisSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InputError(file, 'file not found or unreadable', 'not-found');
  }
  return parseSpec(text, file);
}

/** The spec as the file should hold it: validated, paths relative to the spec's folder with '/' separators. */
export function serializeSpec(file: string, spec: AnalysisSpec): string {
  const dir = path.dirname(path.resolve(file));
  const rel = mapPaths(validateSpec(spec, file), (p) =>
    path.isAbsolute(p) ? path.relative(dir, p).split(path.sep).join('/') || '.' : p,
  );
  return JSON.stringify(rel, null, 2) + '\n';
}

export async function writeSpec(file: string, spec: AnalysisSpec): Promise<void> {
  await writeFile(file, serializeSpec(file, spec));
}

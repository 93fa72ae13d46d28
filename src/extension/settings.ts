/**
 * The extension's settings (package.json `contributes.configuration`, all under `toposcope.*`), read with
 * their declared defaults. Panels read mapper, attack and polytope defaults from here.
 */
import * as vscode from 'vscode';

export interface MapperDefaults {
  lens: string;
  cover: 'uniform' | 'balanced' | 'keplermapper';
  intervals: number;
  overlap: number;
  eps: 'auto' | number;
  epsQuantile: number;
  minSamples: number;
  metric: 'euclidean' | 'cosine';
  noise: 'drop' | 'node';
}

export interface AttackDefaults {
  kind: 'fgsm' | 'pgd-linf' | 'pgd-l2';
  epsilons: number[];
  steps: number;
  clip: [number, number];
}

export interface Settings {
  /** Files larger than this ask before loading. */
  maxFileSizeMB: number;
  /** Worker threads for pure-JS analyses; 0 means CPU count − 1 (at most 4). */
  workers: number;
  /** onnxruntime intra-op threads in the model process. */
  ortThreads: number;
  /** Heap limit of each worker. */
  workerMemoryMB: number;
  /** Memory for cached results (by file content + parameters). */
  cacheSizeMB: number;
  mapper: MapperDefaults;
  attack: AttackDefaults;
  weakThreshold: number;
  refineFraction: number;
  bettiTrials: number;
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration('toposcope', scope);
  const get = <T>(key: string, fallback: T): T => c.get<T>(key) ?? fallback;
  const eps = get<string | number>('mapper.eps', 'auto');
  return {
    maxFileSizeMB: get('maxFileSizeMB', 512),
    workers: get('workers', 0),
    ortThreads: get('ortThreads', 1),
    workerMemoryMB: get('workerMemoryMB', 4096),
    cacheSizeMB: get('cacheSizeMB', 256),
    mapper: {
      lens: get('mapper.lens', 'l2norm'),
      cover: get('mapper.cover', 'uniform'),
      intervals: get('mapper.intervals', 20),
      overlap: get('mapper.overlap', 0.3),
      eps: eps === 'auto' || typeof eps !== 'number' ? 'auto' : eps,
      epsQuantile: get('mapper.epsQuantile', 0.9),
      minSamples: get('mapper.minSamples', 5),
      metric: get('mapper.metric', 'euclidean'),
      noise: get('mapper.noise', 'drop'),
    },
    attack: {
      kind: get('attack.kind', 'pgd-linf'),
      epsilons: get('attack.epsilons', [0, 0.05, 0.1, 0.2, 0.3]),
      steps: get('attack.steps', 20),
      clip: [get('attack.clipMin', 0), get('attack.clipMax', 1)],
    },
    weakThreshold: get('weakRegions.threshold', 0.9),
    refineFraction: get('weakRegions.refineFraction', 0.2),
    bettiTrials: get('polytope.bettiTrials', 25),
  };
}

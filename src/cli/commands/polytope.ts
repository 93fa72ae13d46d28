/**
 * `toposcope polytope MODEL [--box x0,x1,y0,y1 | --slice P0,P1,P2 --inputs X] [--train CSV]
 * [--dual facet|hamming1] [--out complex.json] [--json]`: the exact 2-D complex, dual graphs and Fiedler
 * partitions (DESIGN.md §11).
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InputError } from '../../core/errors';
import type { FiedlerSummary, PolytopeDomainParams, PolytopeJobResult } from '../../core/jobs/polytope';
import { runJob } from '../../core/jobs/run';
import { parseBox } from '../../core/polytope/domain';
import { emit, exitWithError, formatTable, progressOptions } from '../output';

export interface DomainOptions {
  box?: string;
  slice?: string;
  inputs?: string;
  train?: string;
}

/** Adds the options that choose the 2-D domain (shared by `polytope` and `betti`). */
export function domainOptions(cmd: Command): Command {
  return cmd
    .option('--box <x0,x1,y0,y1>', 'the box (default: training points bounding box + 5 %)')
    .option('--slice <p0,p1,p2>', 'a 2-D slice through three rows of --inputs (inputs of dimension > 2)')
    .option('--inputs <file>', 'the samples the slice anchors index into')
    .option('--train <csv>', 'training points x0,x1,label (weights the Laplacian, sets the default box)');
}

/** The job's domain parameters from the command line, refusing contradictory or incomplete ones. */
export function domainParams(model: string, o: DomainOptions): PolytopeDomainParams {
  const p: PolytopeDomainParams = { model };
  if (o.box) p.box = parseBox(o.box);
  if (o.slice) {
    const a = o.slice.split(',').map((s) => Number(s.trim()));
    if (a.length !== 3 || !a.every((i) => Number.isInteger(i) && i >= 0)) {
      throw new InputError(
        '',
        `--slice must be three row indices p0,p1,p2, got '${o.slice}'`,
        'bad-parameter',
      );
    }
    if (!o.inputs)
      throw new InputError('', '--slice needs --inputs (the samples its indices refer to)', 'bad-parameter');
    p.slice = { inputs: o.inputs, anchors: [a[0], a[1], a[2]] };
  }
  if (o.train) p.train = o.train;
  return p;
}

function fiedlerJson(f: FiedlerSummary | null): Record<string, unknown> | null {
  return f && { ...f };
}

/** The `--json` object: the §11 keys, plus what the partition rests on. */
export function polytopeJson(r: PolytopeJobResult): Record<string, unknown> {
  return {
    model: r.model,
    widths: r.widths,
    box: r.box,
    fVector: r.fVector,
    euler: r.euler,
    regions: r.regions,
    dual: r.dual,
    dualEdges: r.dualEdges,
    weighting: r.weighting,
    facesWithTrainingPoints: r.training ? r.faces.trainingCount.filter((c) => c > 0).length : null,
    fiedler: { unweighted: fiedlerJson(r.fiedler.unweighted), weighted: fiedlerJson(r.fiedler.weighted) },
    repairs: r.repairs,
    seconds: r.seconds,
  };
}

/** Everything a script needs to redraw the complex, as plain JSON. */
function complexJson(r: PolytopeJobResult): Record<string, unknown> {
  const c = r.complex;
  const F = c.faceArea.length;
  const pattern = (f: number): string => {
    let s = '';
    for (let j = 0; j < c.hidden; j++)
      s += (c.facePatterns[f * c.words + (j >>> 5)] >>> (j & 31)) & 1 ? '1' : '0';
    return s;
  };
  return {
    ...polytopeJson(r),
    vertices: Array.from({ length: c.vertexXY.length / 2 }, (_, v) => [
      c.vertexXY[2 * v],
      c.vertexXY[2 * v + 1],
    ]),
    edges: Array.from({ length: c.edgeVertices.length / 2 }, (_, e) => ({
      vertices: [c.edgeVertices[2 * e], c.edgeVertices[2 * e + 1]],
      faces: c.edgeFaces[2 * e + 1] < 0 ? [c.edgeFaces[2 * e]] : [c.edgeFaces[2 * e], c.edgeFaces[2 * e + 1]],
    })),
    faces: Array.from({ length: F }, (_, f) => ({
      vertices: Array.from(c.faceVertices.subarray(c.faceOffsets[f], c.faceOffsets[f + 1])),
      pattern: pattern(f),
      area: c.faceArea[f],
      centroid: [c.faceCentroid[2 * f], c.faceCentroid[2 * f + 1]],
      predicted: c.facePredicted[f],
      affine: Array.from(c.faceAffine.subarray(f * c.outputs * 3, (f + 1) * c.outputs * 3)),
      trainingPoints: r.faces.trainingCount[f],
      fiedlerUnweighted: r.fiedlerResults.unweighted.vector[f],
      fiedlerWeighted: r.fiedlerResults.weighted ? r.fiedlerResults.weighted.vector[f] : null,
    })),
    dualGraph: Array.from(r.dualGraph.source, (s, k) => [s, r.dualGraph.target[k]]),
  };
}

function fmt(x: number | null): string | number {
  return x === null || !Number.isFinite(x) ? '—' : x;
}

export function registerPolytope(program: Command): void {
  domainOptions(
    program
      .command('polytope')
      .description('exact 2-D cell complex of a ReLU MLP, its dual graph and Fiedler partitions')
      .argument('<model>', '.onnx model or .pt state dict of a ReLU MLP'),
  )
    .option('--dual <kind>', 'dual graph for the partitions: facet or hamming1', 'facet')
    .option('--out <file>', 'write the whole complex as JSON')
    .option('--json', 'print one JSON object')
    .action(async (model: string, opts: DomainOptions & { dual: string; out?: string; json?: boolean }) => {
      const progress = progressOptions();
      try {
        if (opts.dual !== 'facet' && opts.dual !== 'hamming1') {
          throw new InputError('', `--dual must be facet or hamming1, got '${opts.dual}'`, 'bad-parameter');
        }
        const r = await runJob('polytope', { ...domainParams(model, opts), dual: opts.dual }, progress);
        progress.done();
        if (opts.out) await writeFile(opts.out, JSON.stringify(complexJson(r)));
        const u = r.fiedler.unweighted;
        const w = r.fiedler.weighted;
        emit(opts, polytopeJson(r), () =>
          [
            formatTable(
              ['quantity', 'value'],
              [
                ['f-vector (f0, f1, f2)', r.fVector.join(', ')],
                ['Euler characteristic', r.euler],
                ['regions', r.regions],
                ['dual edges (facet)', r.dualEdges.facet],
                ['dual edges (hamming1)', r.dualEdges.hamming1],
                ['seconds', r.seconds],
              ],
            ),
            '',
            formatTable(
              [`Fiedler (${r.dual})`, 'misclassified %', 'L2 error', 'λ2', 'λ3/λ2', 'components'],
              [
                [
                  'unweighted',
                  fmt(u.misclassifiedPct),
                  fmt(u.l2Error),
                  fmt(u.lambda2),
                  fmt(u.gapRatio),
                  u.components,
                ],
                ...(w
                  ? [
                      [
                        'weighted',
                        fmt(w.misclassifiedPct),
                        fmt(w.l2Error),
                        fmt(w.lambda2),
                        fmt(w.gapRatio),
                        w.components,
                      ],
                    ]
                  : []),
              ],
            ),
          ].join('\n'),
        );
      } catch (e) {
        progress.done();
        exitWithError(e);
      }
    });
}

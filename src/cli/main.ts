/**
 * The `toposcope` command (DESIGN.md §11): the same jobs as the extension, headless. Each command lives in
 * `src/cli/commands/<name>.ts` and registers itself on the program.
 */
import { Command } from 'commander';
import { registerActivations } from './commands/activations';
import { registerAttack } from './commands/attack';
import { registerInfo } from './commands/info';
import { registerLayers } from './commands/layers';
import { registerDemo } from './commands/demo';
import { registerReport } from './commands/report';
import { registerMapper } from './commands/mapper';
import { registerCompare } from './commands/compare';
import { registerWeakRegions } from './commands/weak-regions';
import { registerPolytope } from './commands/polytope';
import { registerBetti } from './commands/betti';
import { registerSweep } from './commands/sweep';
import { registerPatterns } from './commands/patterns';
import { exitWithError } from './output';

declare const TOPOSCOPE_VERSION: string;

export function buildProgram(): Command {
  const program = new Command('toposcope')
    .description('Topology of neural-network activations: mapper graphs, attacks, ReLU polytopes.')
    .version(typeof TOPOSCOPE_VERSION === 'string' ? TOPOSCOPE_VERSION : 'dev')
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) })
    .exitOverride((err) => {
      // Usage errors are bad input: exit 2 (help and version exit 0).
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
  registerInfo(program);
  registerLayers(program);
  registerActivations(program);
  registerAttack(program);
  registerReport(program);
  registerDemo(program);
  registerMapper(program);
  registerCompare(program);
  registerWeakRegions(program);
  registerPolytope(program);
  registerBetti(program);
  registerSweep(program);
  registerPatterns(program);
  return program;
}

if (require.main === module) {
  buildProgram().parseAsync(process.argv).catch(exitWithError);
}

// `stepgraph graph <file> --format mermaid|dot`: print the job graph.
import { parseArgs } from 'node:util';
import { compilePaths } from '../../compile.ts';
import { hasErrors } from '../../diagnostics.ts';
import { renderGraph, type GraphFormat } from '../../render/graph.ts';
import { ExitCode, UserError } from '../errors.ts';
import { requirePaths } from '../inputs.ts';
import { printDiagnostics } from '../report.ts';

export const usage = 'stepgraph graph <file> [--format mermaid|dot]';

const FORMATS: GraphFormat[] = ['mermaid', 'dot'];

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { format: { type: 'string', short: 'f', default: 'mermaid' } } });
  const format = values.format as GraphFormat;
  if (!FORMATS.includes(format)) throw new UserError(`unknown format '${values.format}'; use ${FORMATS.join(' or ')}`);
  if (positionals.length !== 1) throw new UserError('give exactly one workflow file');
  const result = compilePaths(requirePaths(positionals, 'workflow file'));
  if (result.sweeps.length > 0) throw new UserError(`${positionals[0]} is a sweep, not a job graph; 'stepgraph sweep launch --param-file ${positionals[0]} --dry-run' shows its plan`);
  if (hasErrors(result.diagnostics) || result.compiled.length === 0) {
    printDiagnostics(result.diagnostics, result.lineMaps, false);
    return ExitCode.user;
  }
  process.stdout.write(renderGraph(result.compiled[0].workflow, format));
  return ExitCode.ok;
}

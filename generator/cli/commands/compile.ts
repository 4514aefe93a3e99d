// `stepgraph compile <files or folders> --out <dir>`: ASL and manifest per workflow; nothing
// for a file with errors, and nothing half-written.
import { parseArgs } from 'node:util';
import { compilePaths } from '../../compile.ts';
import { hasErrors } from '../../diagnostics.ts';
import { ExitCode, UserError } from '../errors.ts';
import { writeCompiled } from '../files.ts';
import { requirePaths } from '../inputs.ts';
import { printDiagnostics } from '../report.ts';

export const summary = 'compile workflows to Step Functions definitions and manifests';
export const usage = 'stepgraph compile <files or folders>... --out <dir> [--json]';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, json: { type: 'boolean', default: false } },
  });
  if (!values.out) throw new UserError("say where to write with '--out <dir>', e.g. '--out build'");
  const result = compilePaths(requirePaths(positionals));
  printDiagnostics(result.diagnostics, result.lineMaps, values.json);
  for (const compiled of result.compiled) {
    const written = writeCompiled(values.out, compiled);
    if (!values.json) console.error(`${compiled.workflow.file} -> ${written.join(', ')}`);
  }
  return hasErrors(result.diagnostics) ? ExitCode.user : ExitCode.ok;
}

// `stepgraph compile <files or folders> --out <dir>`: ASL and manifest per workflow, and per sweep
// file what `stepgraph sweep compile` writes; nothing for a file with errors, nothing
// half-written. Names are unique across workflows and sweeps (each is a stack), so no output
// file is written twice.
import { parseArgs } from 'node:util';
import { compilePaths } from '../../compile.ts';
import { hasErrors } from '../../diagnostics.ts';
import { ExitCode, UserError } from '../../errors.ts';
import { writeCompileResult } from '../files.ts';
import { requirePaths } from '../inputs.ts';
import { printDiagnostics } from '../../terminal/report.ts';

export const usage = 'stepgraph compile <files or folders>... --out <dir> [--json]';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, json: { type: 'boolean', default: false } },
  });
  const out = values.out;
  if (!out) throw new UserError("say where to write with '--out <dir>', e.g. '--out build'");
  const result = compilePaths(requirePaths(positionals));
  printDiagnostics(result.diagnostics, result.lineMaps, values.json);
  for (const { file, written } of writeCompileResult(out, result)) {
    if (!values.json) console.error(`${file} -> ${written.join(', ')}`);
  }
  return hasErrors(result.diagnostics) ? ExitCode.user : ExitCode.ok;
}

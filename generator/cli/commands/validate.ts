// `stepgraph validate <files or folders> [--json]`: every problem of every file in one pass.
import { parseArgs } from 'node:util';
import { compilePaths } from '../../compile.ts';
import { hasErrors } from '../../diagnostics.ts';
import { ExitCode } from '../../errors.ts';
import { requirePaths } from '../inputs.ts';
import { plural, printDiagnostics } from '../../terminal/report.ts';

export const usage = 'stepgraph validate <files or folders>... [--json]';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  // Checks only: a sweep's plan and emission report nothing, so validate does not build them.
  const result = compilePaths(requirePaths(positionals), { emitSweeps: false });
  printDiagnostics(result.diagnostics, result.lineMaps, values.json);
  if (!values.json && !hasErrors(result.diagnostics)) console.error(`${plural(result.compiled.length, 'workflow')} and ${plural(result.checkedSweeps.length, 'sweep')} valid`);
  return hasErrors(result.diagnostics) ? ExitCode.user : ExitCode.ok;
}

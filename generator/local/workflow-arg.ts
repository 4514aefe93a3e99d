// The <workflow> argument of simulate and run: a workflow file, or the name of a workflow in the
// workflows folder. A file with errors prints its diagnostics and stops the command.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { ReportedError, UserError } from '../cli/errors.ts';
import { printDiagnostics } from '../cli/report.ts';
import { compilePaths, WORKFLOW_EXTENSIONS, type CompiledWorkflow } from '../compile.ts';
import { hasErrors } from '../diagnostics.ts';
import type { Workflow } from '../model.ts';
import { loadWorkflow } from '../ops/workflows.ts';
import { parseDurations } from './durations.ts';

export function resolveWorkflow(arg: string, dir: string): CompiledWorkflow {
  const isFile = existsSync(arg) && statSync(arg).isFile();
  if (!isFile && !WORKFLOW_EXTENSIONS.includes(extname(arg))) return loadWorkflow(arg, dir);
  if (!isFile) throw new UserError(`'${arg}' does not exist`);
  const result = compilePaths([arg]);
  if (hasErrors(result.diagnostics) || result.compiled.length === 0) {
    printDiagnostics(result.diagnostics, result.lineMaps, false);
    throw new ReportedError();
  }
  return result.compiled[0];
}

export function readDurations(file: string | undefined, workflow: Workflow): Map<string, number> | undefined {
  if (file === undefined) return undefined;
  if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`--durations ${file}: no such file`);
  return parseDurations(file, readFileSync(file, 'utf8'), workflow);
}

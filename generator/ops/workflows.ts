// The operations commands name a workflow (or give its file); its graph comes from the files in
// workflows/, compiled exactly as deploy compiles them (so selections and names match what runs).
import { existsSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { ReportedError, UserError } from '../errors.ts';
import { printDiagnostics } from '../terminal/report.ts';
import { didYouMean } from '../contract/suggest.ts';
import { compilePaths, compileWorkflow, WORKFLOW_EXTENSIONS, type CompiledWorkflow, type CompileResult } from '../compile.ts';
import { hasErrors } from '../diagnostics.ts';
import type { Workflow } from '../model.ts';
import { parseExecutionArn, type ExecutionArnParts } from './names.ts';

export const DEFAULT_WORKFLOWS_DIR = 'workflows';

export function loadWorkflows(dir = DEFAULT_WORKFLOWS_DIR): CompileResult {
  if (!existsSync(dir)) {
    throw new UserError(`no '${dir}' folder here: run stepgraph from the project's root, or pass --workflows <folder>`);
  }
  const result = compilePaths([dir]);
  for (const c of result.compiled) compiledByWorkflow.set(c.workflow, c);
  return result;
}

const compiledByWorkflow = new WeakMap<Workflow, CompiledWorkflow>();

/** The workflow as compiled: as it was loaded from its folder, or compiled now (a workflow built in code). */
export function compiledOf(workflow: Workflow): CompiledWorkflow {
  let compiled = compiledByWorkflow.get(workflow);
  if (!compiled) compiledByWorkflow.set(workflow, (compiled = compileWorkflow(workflow).compiled));
  return compiled;
}

/** The compiled workflow named `name`; a clear error (with a did-you-mean) when there is none. */
export function findWorkflow(result: CompileResult, name: string, dir = DEFAULT_WORKFLOWS_DIR): CompiledWorkflow {
  const found = result.compiled.find((c) => c.workflow.name === name);
  if (found) return found;
  const names = result.compiled.map((c) => c.workflow.name);
  const broken = [...new Set(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file))];
  const hint = didYouMean(name, names);
  const parts = [`no workflow named '${name}' in ${dir}/`];
  if (hint) parts.push(hint);
  else if (names.length > 0) parts.push(`its workflows: ${names.join(', ')}`);
  if (broken.length > 0) parts.push(`${broken.join(', ')} ${broken.length === 1 ? 'has' : 'have'} errors (see \`npx stepgraph validate ${dir}\`)`);
  throw new UserError(parts.join('; '));
}

/**
 * A workflow argument: a workflow file (compiled on its own; its diagnostics printed and the
 * command stopped when it has errors) or the name of a workflow in the workflows folder.
 */
export function loadWorkflow(nameOrFile: string, dir = DEFAULT_WORKFLOWS_DIR): CompiledWorkflow {
  if (!looksLikeFile(nameOrFile)) return findWorkflow(loadWorkflows(dir), nameOrFile, dir);
  if (!existsSync(nameOrFile) || !statSync(nameOrFile).isFile()) throw new UserError(`'${nameOrFile}' does not exist`);
  const result = compilePaths([nameOrFile]);
  if (result.sweeps.length > 0) throw new UserError(`${nameOrFile} is a sweep, not a workflow; sweeps run with 'stepgraph sweep launch ${nameOrFile}'`);
  if (hasErrors(result.diagnostics) || result.compiled.length === 0) {
    printDiagnostics(result.diagnostics, result.lineMaps, false);
    throw new ReportedError();
  }
  compiledByWorkflow.set(result.compiled[0].workflow, result.compiled[0]);
  return result.compiled[0];
}

/** A path to a file rather than a workflow's name (names have no '/' and no extension). */
export const looksLikeFile = (arg: string): boolean =>
  (existsSync(arg) && statSync(arg).isFile()) || WORKFLOW_EXTENSIONS.includes(extname(arg)) || /[\\/]/.test(arg);

/** The workflow if its file is at hand, else undefined (status of a bare execution ARN still works). */
function tryLoadWorkflow(name: string, dir = DEFAULT_WORKFLOWS_DIR): CompiledWorkflow | undefined {
  if (!existsSync(dir)) return undefined;
  return loadWorkflows(dir).compiled.find((c) => c.workflow.name === name);
}

/**
 * What `status` and `redrive` are pointed at: an execution ARN (its workflow file is optional:
 * the jobs can come from the history) or a workflow name (whose file must exist).
 */
export function runTarget(target: string, date: string | undefined, dir = DEFAULT_WORKFLOWS_DIR): { arnParts?: ExecutionArnParts; workflow?: Workflow } {
  const arnParts = parseExecutionArn(target);
  if (!arnParts) return { workflow: loadWorkflow(target, dir).workflow };
  if (date) throw new UserError('--date goes with a workflow name, not with an execution ARN');
  // The state machine is named after the workflow.
  return { arnParts, workflow: tryLoadWorkflow(arnParts.stateMachine, dir)?.workflow };
}

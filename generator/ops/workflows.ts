// The operations commands name a workflow; its graph comes from the files in workflows/, compiled
// exactly as deploy compiles them (so selections and names match what runs).
import { existsSync } from 'node:fs';
import { UserError } from '../cli/errors.ts';
import { didYouMean } from '../contract/suggest.ts';
import { compilePaths, compileWorkflow, type CompiledWorkflow, type CompileResult } from '../compile.ts';
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

export function loadWorkflow(name: string, dir = DEFAULT_WORKFLOWS_DIR): CompiledWorkflow {
  return findWorkflow(loadWorkflows(dir), name, dir);
}

/** The workflow if its file is at hand, else undefined (status of a bare execution ARN still works). */
export function tryLoadWorkflow(name: string, dir = DEFAULT_WORKFLOWS_DIR): CompiledWorkflow | undefined {
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

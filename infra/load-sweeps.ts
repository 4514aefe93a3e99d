// Compiles the sweep files the app deploys (`<workflows folder>/sweeps/`, JSON or YAML), each to
// its own stack `stepgraph-<sweep name>`. A sweep whose stack name another sweep or a workflow
// already takes is an error at the sweep file, as a duplicate workflow name is.
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { expandPaths } from '../generator/compile.ts';
import { formatDiagnostic, hasErrors, sortDiagnostics, type Diagnostic, type LineMap } from '../generator/diagnostics.ts';
import { Codes } from '../generator/messages.ts';
import { compileSweepFile, type CompiledSweep } from '../generator/sweep/compile.ts';

export const SWEEP_EXTENSIONS = ['.json', '.yaml', '.yml'];

export interface LoadedSweeps {
  ok: boolean;
  compiled: CompiledSweep[];
  /** Diagnostics as the CLI prints them, then a summary line when there are errors. */
  messages: string[];
}

/** `taken`: stack names already in the app (the workflows'), each with the file it comes from. */
export function loadSweeps(dir: string, taken: ReadonlyMap<string, string> = new Map()): LoadedSweeps {
  if (!existsSync(dir)) return { ok: true, compiled: [], messages: [] };
  const owners = new Map(taken);
  const lines = new Map<string, LineMap>();
  const diagnostics: Diagnostic[] = [];
  const compiled: CompiledSweep[] = [];
  for (const path of expandPaths([dir], SWEEP_EXTENSIONS)) {
    const file = relative(process.cwd(), path) || path;
    const result = compileSweepFile(path);
    lines.set(file, result.lines);
    diagnostics.push(...result.diagnostics);
    if (!result.compiled) continue;
    const stack = result.compiled.manifest.stackName;
    const other = owners.get(stack);
    if (other) {
      diagnostics.push({
        file,
        start: 0,
        end: 1,
        severity: 'error',
        code: Codes.duplicateWorkflow,
        message: `sweep '${result.compiled.sweep.name}' would be the stack ${stack}, which ${other} already is`,
        hint: "each sweep and each workflow becomes its own stack: give the sweep a unique 'name:'",
      });
      continue;
    }
    owners.set(stack, file);
    compiled.push(result.compiled);
  }
  const messages = sortDiagnostics(diagnostics).map((d) => formatDiagnostic(d, (f) => lines.get(f)));
  const ok = !hasErrors(diagnostics);
  if (!ok) {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    messages.push(`stepgraph: ${errors} error${errors === 1 ? '' : 's'} in sweeps; nothing was synthesized`);
  }
  return { ok, compiled: ok ? compiled : [], messages };
}

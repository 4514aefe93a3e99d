// Compiles the workflows the app deploys. Sweep files may live beside them (workflows/sweeps/):
// only what the compiler returns as a compiled workflow becomes a stack.
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { compilePaths, type CompiledWorkflow } from '../generator/compile.ts';
import { formatDiagnostic, hasErrors } from '../generator/diagnostics.ts';

export interface LoadedWorkflows {
  ok: boolean;
  compiled: CompiledWorkflow[];
  /** Diagnostics as the CLI prints them, then a summary line when there are errors. */
  messages: string[];
}

export function loadWorkflows(dir: string): LoadedWorkflows {
  if (!existsSync(dir)) return { ok: false, compiled: [], messages: [`stepgraph: no workflows folder at ${relative(process.cwd(), dir) || dir}`] };
  const result = compilePaths([dir]);
  const messages = result.diagnostics.map((d) => formatDiagnostic(d, result.lineMaps));
  const ok = !hasErrors(result.diagnostics);
  if (!ok) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    messages.push(`stepgraph: ${errors} error${errors === 1 ? '' : 's'} in workflows; nothing was synthesized`);
  }
  return { ok, compiled: ok ? result.compiled : [], messages };
}

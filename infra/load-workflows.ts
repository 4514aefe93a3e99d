// Compiles what the app deploys: every workflow and every sweep file in the folder (sweeps
// usually in workflows/sweeps/, JSON or YAML), in one compiler pass that also keeps their names,
// and so their stacks `stepgraph-<name>`, unique across both.
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { compilePaths, type CompiledWorkflow } from '../generator/compile.ts';
import { formatDiagnostic, hasErrors } from '../generator/diagnostics.ts';
import type { CompiledSweep } from '../generator/sweep/compile.ts';

export interface LoadedWorkflows {
  ok: boolean;
  compiled: CompiledWorkflow[];
  sweeps: CompiledSweep[];
  /** Diagnostics as the CLI prints them, then a summary line when there are errors. */
  messages: string[];
}

export function loadWorkflows(dir: string): LoadedWorkflows {
  if (!existsSync(dir)) return { ok: false, compiled: [], sweeps: [], messages: [`stepgraph: no workflows folder at ${relative(process.cwd(), dir) || dir}`] };
  const result = compilePaths([dir]);
  const messages = result.diagnostics.map((d) => formatDiagnostic(d, result.lineMaps));
  const ok = !hasErrors(result.diagnostics);
  if (!ok) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    messages.push(`stepgraph: ${errors} error${errors === 1 ? '' : 's'} in workflows; nothing was synthesized`);
  }
  return { ok, compiled: ok ? result.compiled : [], sweeps: ok ? result.sweeps : [], messages };
}

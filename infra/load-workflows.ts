// Compiles what the app deploys: every workflow and every sweep file in the folder (sweeps
// usually in workflows/sweeps/, JSON or YAML), in one compiler pass that also keeps their names,
// and so their stacks `stepgraph-<name>`, unique across both. A file with errors is named and left
// out; the others are still synthesized.
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { compilePaths, type CompiledWorkflow } from '../generator/compile.ts';
import { formatDiagnostic, hasErrors } from '../generator/diagnostics.ts';
import type { CompiledSweep } from '../generator/sweep/compile.ts';

export interface LoadedWorkflows {
  /** Something to synthesize: false only when nothing compiled (a broken file leaves out just its own stack). */
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
  if (!hasErrors(result.diagnostics)) return { ok: true, compiled: result.compiled, sweeps: result.sweeps, messages };
  // A broken file leaves out its own stack only: `cdk synth stepgraph-<other>` still works.
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const broken = [...new Set(errors.map((d) => d.file))].sort();
  const good = [...result.compiled, ...result.sweeps].length;
  const count = `${errors.length} error${errors.length === 1 ? '' : 's'}`;
  if (good === 0) {
    messages.push(`stepgraph: ${count} in workflows; nothing was synthesized`);
    return { ok: false, compiled: [], sweeps: [], messages };
  }
  messages.push(`stepgraph: ${count} in ${broken.join(', ')}: ${broken.length === 1 ? 'its stack is' : 'their stacks are'} left out of this synth; the other ${good} stack${good === 1 ? ' is' : 's are'} synthesized (npx stepgraph validate ${relative(process.cwd(), dir) || dir} lists the errors)`);
  return { ok: true, compiled: result.compiled, sweeps: result.sweeps, messages };
}

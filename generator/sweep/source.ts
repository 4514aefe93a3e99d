// Reading a sweep file: JSON or YAML (JSON is YAML's flow style, so one parser keeps byte ranges
// for both). The source phase words its "not a workflow" errors for workflows; a sweep file gets
// the same checks, worded for sweeps.
import type { Diagnostic } from '../diagnostics.ts';
import { Codes } from '../messages.ts';
import { readSource, type SourceResult } from '../source.ts';

const SWEEP_HINT = "a sweep file is a mapping with 'params' (a list of parameter sets) and optionally 'defaults', as spawn's parameter files are";

export function readSweepSource(file: string, text: string): SourceResult {
  const result = readSource(file, text);
  return { ...result, diagnostics: result.diagnostics.map(reword) };
}

function reword(d: Diagnostic): Diagnostic {
  if (d.code !== Codes.notAWorkflow) return d;
  return { ...d, message: d.message.replace(/\ba workflow\b/g, 'a sweep file').replace(/\bworkflow\b/g, 'sweep file'), hint: SWEEP_HINT };
}

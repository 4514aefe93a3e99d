// Reading a sweep file: JSON or YAML (JSON is YAML's flow style, so one parser keeps byte ranges
// for both). The source phase words its "not a workflow" errors for workflows; a sweep file gets
// the same checks, worded for sweeps.
import type { Diagnostic } from '../diagnostics.ts';
import { Codes } from '../messages.ts';
import { isMap, isScalar, type Node, type Pair } from 'yaml';
import { readSource, type SourceFile, type SourceResult } from '../source.ts';

const SWEEP_HINT = "a sweep file is a mapping with 'params' (a list of parameter sets) and optionally 'defaults', as spawn's parameter files are";

export function readSweepSource(file: string, text: string): SourceResult {
  const result = readSource(file, text);
  return { ...result, diagnostics: result.diagnostics.map(reword) };
}

function reword(d: Diagnostic): Diagnostic {
  if (d.code !== Codes.notAWorkflow) return d;
  return { ...d, message: d.message.replace(/\ba workflow\b/g, 'a sweep file').replace(/\bworkflow\b/g, 'sweep file'), hint: SWEEP_HINT };
}

/** A file with spawn's `params` (or a `matrix`) and no `jobs` is a sweep, wherever it sits. */
export function isSweepSource(source: SourceFile): boolean {
  if (!isMap(source.root)) return false;
  const keys = new Set((source.root.items as Pair<Node, unknown>[]).map((p) => (isScalar(p.key) ? String(p.key.value) : '')));
  return (keys.has('params') || keys.has('matrix')) && !keys.has('jobs');
}

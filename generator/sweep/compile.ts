// Runs the phases for one sweep file: source -> check -> plan -> emit. Nothing is emitted while
// an error stands.
import { readFileSync } from 'node:fs';
import { displayPath, hasErrors, sortDiagnostics, type Diagnostic, type LineMap } from '../diagnostics.ts';
import type { Definition } from '../emit/asl.ts';
import { emitSweepMachine } from '../emit/sweep.ts';
import { checkSweep, type SweepOverrides } from './check.ts';
import { sweepManifest, type SweepManifest } from './manifest.ts';
import type { Sweep } from './model.ts';
import { planSweep, type SweepPlan } from './plan.ts';
import { readSweepSource } from './source.ts';
import type { SourceFile } from '../source.ts';

export interface CompiledSweep {
  sweep: Sweep;
  plan: SweepPlan;
  definition: Definition;
  /** The definition as written to disk: two-space indented, newline-terminated. */
  text: string;
  manifest: SweepManifest;
  /** Distributed sweeps: the items file the deployed machine reads by default. */
  itemsText?: string;
}

export interface SweepCompileResult {
  compiled?: CompiledSweep;
  diagnostics: Diagnostic[];
  lines: LineMap;
}

export interface SweepCheckTextResult {
  sweep?: Sweep;
  diagnostics: Diagnostic[];
  lines: LineMap;
}

/**
 * Source and check only: every diagnostic a sweep can have comes from these two phases (its plan
 * and emission report nothing), so `validate` stops here and never builds the items' launch data.
 */
function checkSweepText(file: string, text: string, overrides: SweepOverrides = {}): SweepCheckTextResult {
  const { source, diagnostics } = readSweepSource(file, text);
  if (hasErrors(diagnostics)) return { diagnostics: sortDiagnostics(diagnostics), lines: source.lines };
  return checkSweepSource(source, overrides);
}

/** Check a sweep file already read without errors (compile.ts reads each file once). */
export function checkSweepSource(source: SourceFile, overrides: SweepOverrides = {}): SweepCheckTextResult {
  const checked = checkSweep(source, overrides);
  const sorted = sortDiagnostics(checked.diagnostics);
  if (!checked.sweep || hasErrors(sorted)) return { diagnostics: sorted, lines: source.lines };
  return { sweep: checked.sweep, diagnostics: sorted, lines: source.lines };
}

export function compileSweepText(file: string, text: string, overrides: SweepOverrides = {}): SweepCompileResult {
  return emitChecked(checkSweepText(file, text, overrides));
}

/** Check, plan and emit a sweep file already read without errors. */
export function compileSweepSource(source: SourceFile, overrides: SweepOverrides = {}): SweepCompileResult {
  return emitChecked(checkSweepSource(source, overrides));
}

function emitChecked(checked: SweepCheckTextResult): SweepCompileResult {
  if (!checked.sweep) return { diagnostics: checked.diagnostics, lines: checked.lines };
  const plan = planSweep(checked.sweep);
  const definition = emitSweepMachine(plan);
  const definitionText = `${JSON.stringify(definition, null, 2)}\n`;
  return {
    diagnostics: checked.diagnostics,
    lines: checked.lines,
    compiled: {
      sweep: checked.sweep,
      plan,
      definition,
      text: definitionText,
      manifest: sweepManifest(plan, definitionText),
      ...(plan.mode === 'distributed' && { itemsText: `${JSON.stringify(plan.items)}\n` }),
    },
  };
}

export function compileSweepFile(path: string, overrides: SweepOverrides = {}): SweepCompileResult {
  const file = displayPath(path);
  return compileSweepText(file, readFileSync(path, 'utf8'), overrides);
}

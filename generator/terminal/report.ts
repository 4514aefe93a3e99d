// Printing diagnostics for people (with code frames) or for scripts (--json).
import { formatDiagnostic, toJson, type Diagnostic, type LineMaps } from '../diagnostics.ts';

export function printDiagnostics(diagnostics: readonly Diagnostic[], lineMaps: LineMaps, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(diagnostics.map((d) => toJson(d, lineMaps)), null, 2));
    return;
  }
  for (const d of diagnostics) console.error(formatDiagnostic(d, lineMaps));
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (diagnostics.length > 0) console.error(`\n${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

// Printing diagnostics for people (with code frames, coloured on a terminal) or for scripts (--json).
import { formatDiagnostic, toJson, type Diagnostic, type LineMaps } from '../diagnostics.ts';
import { colourFor } from './colour.ts';

export function printDiagnostics(diagnostics: readonly Diagnostic[], lineMaps: LineMaps, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(diagnostics.map((d) => toJson(d, lineMaps)), null, 2));
    return;
  }
  // Diagnostics go to stderr: its being a terminal decides (a pipe or a file gets plain text).
  const colour = colourFor(process.stderr);
  for (const d of diagnostics) console.error(formatDiagnostic(d, lineMaps, colour));
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const count = (n: number, word: string, tone: (s: string) => string): string => (n > 0 ? tone(plural(n, word)) : plural(n, word));
  if (diagnostics.length > 0) console.error(`\n${count(errors, 'error', colour.red)}, ${count(warnings, 'warning', colour.yellow)}`);
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

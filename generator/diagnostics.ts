// Diagnostics: every problem the compiler finds, with a place, a stable code and an optional hint.
// Phases collect them instead of throwing; reporting turns byte offsets into line:column only here.
import { isAbsolute, relative } from 'node:path';

export type Severity = 'error' | 'warning';

export interface Related {
  message: string;
  file: string;
  offset: number;
}

export interface Diagnostic {
  file: string;
  /** Byte range in the source text (start inclusive, end exclusive). */
  start: number;
  end: number;
  severity: Severity;
  code: string;
  message: string;
  hint?: string;
  /** A second place worth pointing at, e.g. the first definition of a duplicate. */
  related?: Related;
}

export interface Position {
  line: number;
  column: number;
}

/** Maps offsets to 1-based line and column for one source text. */
export class LineMap {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }

  lineText(line: number): string {
    const start = this.starts[line - 1] ?? this.text.length;
    const next = this.starts[line] ?? this.text.length + 1;
    return this.text.slice(start, next - 1).replace(/\r$/, '');
  }
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((d) => d.severity === 'error');

/** Sorted by file, then place, then code; exact duplicates dropped. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return [...diagnostics]
    .sort(
      (a, b) =>
        compare(a.file, b.file) || a.start - b.start || compare(a.code, b.code) || compare(a.message, b.message),
    )
    .filter((d) => {
      const key = `${d.file}\0${d.start}\0${d.code}\0${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: string;
  message: string;
  hint: string | null;
}

export type LineMaps = (file: string) => LineMap | undefined;

export function toJson(d: Diagnostic, lineMaps: LineMaps): JsonDiagnostic {
  const map = lineMaps(d.file);
  const start = map?.position(d.start) ?? { line: 1, column: 1 };
  const end = map?.position(d.end) ?? start;
  return {
    file: d.file,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    severity: d.severity,
    code: d.code,
    message: d.message,
    hint: d.hint ?? null,
  };
}

/**
 * `file:line:col error SG2003: message`, then a code frame (the line, a caret underline),
 * then `hint:` and `note:` lines where they exist.
 */
export function formatDiagnostic(d: Diagnostic, lineMaps: LineMaps): string {
  const map = lineMaps(d.file);
  const start = map?.position(d.start) ?? { line: 1, column: 1 };
  const lines = [`${d.file}:${start.line}:${start.column} ${d.severity} ${d.code}: ${d.message}`];
  if (map && map.text.length > 0) {
    const text = map.lineText(start.line);
    const end = map.position(Math.max(d.end, d.start + 1));
    const width = end.line === start.line ? Math.max(1, end.column - start.column) : Math.max(1, text.length - start.column + 1);
    const gutter = String(start.line);
    lines.push(`  ${gutter} | ${text}`);
    lines.push(`  ${' '.repeat(gutter.length)} | ${' '.repeat(start.column - 1)}${'^'.repeat(width)}`);
  }
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  if (d.related) {
    const rmap = lineMaps(d.related.file);
    const at = rmap?.position(d.related.offset) ?? { line: 1, column: 1 };
    lines.push(`  note: ${d.related.message} at ${d.related.file}:${at.line}:${at.column}`);
  }
  return lines.join('\n');
}

/** A file as messages name it: as given when absolute (never '../../dev/null'), else relative to here. */
export const displayPath = (path: string): string => (isAbsolute(path) ? path : relative(process.cwd(), path) || path);

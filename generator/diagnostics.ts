// Diagnostics: every problem the compiler finds, with a place, a stable code and an optional hint.
// Phases collect them instead of throwing; reporting turns byte offsets into line:column only here.
import { isAbsolute, relative } from 'node:path';

type Severity = 'error' | 'warning';

export interface Related {
  message: string;
  file: string;
  offset: number;
}

/** A byte range in a source file, end exclusive. */
export interface Span {
  start: number;
  end: number;
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
    message: clip(d.message),
    hint: d.hint === undefined ? null : clip(d.hint),
  };
}

/** How a terminal colours a diagnostic (the CLI's Colour fits); plain text without one. */
export interface Paint {
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const noPaint: Paint = { red: (s) => s, yellow: (s) => s, cyan: (s) => s, bold: (s) => s, dim: (s) => s };

/**
 * `file:line:col error SG2003: message`, then a code frame (the line, a caret underline),
 * then `hint:` and `note:` lines where they exist. With paint: the severity and the caret in red
 * (error) or yellow (warning), the code and the gutter dim, `hint:` and `note:` in cyan; the
 * source line itself is never coloured, and without paint the text is the same, byte for byte.
 */
export function formatDiagnostic(d: Diagnostic, lineMaps: LineMaps, paint: Paint = noPaint): string {
  const map = lineMaps(d.file);
  const start = map?.position(d.start) ?? { line: 1, column: 1 };
  const tone = d.severity === 'error' ? paint.red : paint.yellow;
  const lines = [`${paint.bold(`${d.file}:${start.line}:${start.column}`)} ${paint.bold(tone(d.severity))} ${paint.dim(d.code)}: ${clip(d.message)}`];
  if (map && map.text.length > 0) {
    const text = map.lineText(start.line);
    const end = map.position(Math.max(d.end, d.start + 1));
    const width = end.line === start.line ? Math.max(1, end.column - start.column) : Math.max(1, text.length - start.column + 1);
    const frame = frameWindow(text, start.column - 1, width);
    const gutter = String(start.line);
    lines.push(`  ${paint.dim(`${gutter} |`)} ${frame.text}`);
    lines.push(`  ${paint.dim(`${' '.repeat(gutter.length)} |`)} ${' '.repeat(frame.caretAt)}${tone('^'.repeat(frame.width))}`);
  }
  if (d.hint) lines.push(`  ${paint.cyan('hint:')} ${clip(d.hint)}`);
  if (d.related) {
    const rmap = lineMaps(d.related.file);
    const at = rmap?.position(d.related.offset) ?? { line: 1, column: 1 };
    lines.push(`  ${paint.cyan('note:')} ${d.related.message} at ${d.related.file}:${at.line}:${at.column}`);
  }
  return lines.join('\n');
}

/** Characters of a source line a code frame shows at most: a 50 MB line prints as one screen line. */
export const FRAME_WIDTH = 120;
/** Of those, how many come before the column (the rest show the span and what follows). */
const FRAME_BEFORE = 40;
/** A message or hint quoting a huge value prints this much of it. */
const TEXT_LIMIT = 400;

/** The part of a line around `column` (0-based) a code frame prints, with '…' where it is cut. */
export function frameWindow(text: string, column: number, width: number): { text: string; caretAt: number; width: number } {
  if (text.length <= FRAME_WIDTH) return { text, caretAt: column, width };
  const from = Math.max(0, Math.min(column - FRAME_BEFORE, text.length - FRAME_WIDTH));
  const to = Math.min(text.length, from + FRAME_WIDTH);
  const lead = from > 0 ? '…' : '';
  const shown = `${lead}${text.slice(from, to)}${to < text.length ? '…' : ''}`;
  const caretAt = column - from + lead.length;
  return { text: shown, caretAt, width: Math.max(1, Math.min(width, to - column)) };
}

const clip = (text: string): string => (text.length <= TEXT_LIMIT ? text : `${text.slice(0, TEXT_LIMIT)}… (${(text.length - TEXT_LIMIT).toLocaleString('en-US')} more characters)`);
/** A file as messages name it: as given when absolute (never '../../dev/null'), else relative to here. */
export const displayPath = (path: string): string => (isAbsolute(path) ? path : relative(process.cwd(), path) || path);

// Plain-text tables for the benchmark's output: a title, a header row, aligned columns
// (text left, numbers right), and optional notes under the table.

export type Cell = string | number;

export interface Table {
  title: string;
  headers: string[];
  rows: Cell[][];
  notes?: string[];
}

export function renderTable({ title, headers, rows, notes = [] }: Table): string {
  const text = rows.map((row) => row.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || /^[\d.,x%-]+\s?\S*$/.test(String(r[i]))));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [`## ${title}`, '', line(headers), line(widths.map((w) => '-'.repeat(w))), ...text.map(line), ...(notes.length > 0 ? ['', ...notes.map((n) => `  ${n}`)] : []), ''].join('\n');
}

/** Integers with thousands separators; other numbers with 3 decimals (ratios). */
export function formatNumber(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(3);
}

export const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
export const max = (xs: readonly number[]): number => xs.reduce((a, b) => Math.max(a, b), -Infinity);
/** A figure with a fixed number of decimals, as text (so the table prints it as is). */
export const fixed = (n: number, digits: number): string => n.toFixed(digits);

// `{param}` and `{index}` in a sweep's `command` (and `name`), as spawn substitutes them, except
// that a value lands in a command as one shell word (data, never code: see shell.ts).
// `{{` and `}}` stand for literal braces, and `${VAR}` is shell syntax, never a parameter.
import type { Json } from './model.ts';

export interface Placeholder {
  name: string;
  /** Offset of the `{` in the template text. */
  offset: number;
}

const TOKEN = /\{\{|\}\}|(\$?)\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

export function placeholders(template: string): Placeholder[] {
  const out: Placeholder[] = [];
  for (const m of template.matchAll(TOKEN)) {
    if (m[2] !== undefined && m[1] === '') out.push({ name: m[2], offset: m.index! });
  }
  return out;
}

/** The text a parameter's value becomes: scalars as written, lists and mappings as JSON. */
export function valueText(value: Json | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Replaces every placeholder with its value; names without a value stay as written (check reports
 * them). `word` turns a value's text into what is pasted (for a command: one shell word, shell.ts).
 */
export function substitute(template: string, values: (name: string) => Json | undefined, word: (text: string) => string = (text) => text): string {
  let out = '';
  for (const part of parts(template)) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = values(part.name);
    out += value === undefined ? part.whole : word(valueText(value));
  }
  return out;
}

type Part = string | { name: string; whole: string };

/** A template cut into literal text and placeholders, once: every item of a sweep fills in the same ones. */
function parts(template: string): readonly Part[] {
  const known = templates.get(template);
  if (known) return known;
  const cut: Part[] = [];
  let last = 0;
  for (const m of template.matchAll(TOKEN)) {
    const literal = template.slice(last, m.index) + (m[0] === '{{' ? '{' : m[0] === '}}' ? '}' : m[1] ? m[0] : '');
    if (literal) cut.push(literal);
    if (m[2] !== undefined && !m[1]) cut.push({ name: m[2], whole: m[0] });
    last = m.index! + m[0].length;
  }
  if (last < template.length) cut.push(template.slice(last));
  if (templates.size >= 1_000) templates.clear();
  templates.set(template, cut);
  return cut;
}

const templates = new Map<string, readonly Part[]>();

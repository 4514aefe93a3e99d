// Typed reading of YAML nodes: each accessor returns a value or undefined, and on bad input
// records a diagnostic at the node instead of throwing, so one pass finds every problem.
import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type Scalar } from 'yaml';
import type { Diagnostic, Related, Span } from '../diagnostics.ts';
import { Codes } from '../messages.ts';
import type { SourceFile } from '../source.ts';
import { didYouMean } from '../contract/suggest.ts';
import { toData } from './data.ts';

export type { Span } from '../diagnostics.ts';

export interface Entry {
  key: string;
  keySpan: Span;
  value: Node | null;
  /** The value's span, or the key's when the value is empty. */
  span: Span;
}

export type Fields = Map<string, Entry>;

export class Reader {
  constructor(
    readonly source: SourceFile,
    readonly diagnostics: Diagnostic[],
  ) {}

  get file(): string {
    return this.source.file;
  }

  span(node: Node | null | undefined, fallback: Span = { start: 0, end: 1 }): Span {
    const r = node?.range;
    return r ? { start: r[0], end: Math.max(r[1], r[0] + 1) } : fallback;
  }

  error(at: Span, code: string, message: string, hint?: string, related?: Related): void {
    this.diagnostics.push({ file: this.file, start: at.start, end: at.end, severity: 'error', code, message, hint, related });
  }

  warning(at: Span, code: string, message: string, hint?: string): void {
    this.diagnostics.push({ file: this.file, start: at.start, end: at.end, severity: 'warning', code, message, hint });
  }

  /** Name of a value's YAML type, for "expected X, got Y" messages. */
  typeName(node: Node | null): string {
    if (node === null) return 'nothing';
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return 'a list';
    if (isScalar(node)) {
      const v = node.value;
      if (v === null) return 'null';
      if (typeof v === 'boolean') return 'a boolean';
      if (typeof v === 'number') return 'a number';
      return 'a string';
    }
    return 'an unknown value';
  }

  wrongType(entry: Entry | { span: Span; value: Node | null; key: string }, expected: string): void {
    const hint = expected === 'a list' || expected === 'a mapping' ? undefined : this.braceHint(entry);
    this.error(entry.span, Codes.wrongType, `'${entry.key}' must be ${expected}, not ${this.typeName(entry.value)}`, hint);
  }

  /** `command: {date}` is a mapping to YAML: when a mapping was not wanted, say how to quote it. */
  private braceHint(entry: { span: Span; value: Node | null; key: string }): string | undefined {
    if (!isPlaceholderMap(entry.value)) return undefined;
    const written = this.source.text.slice(entry.span.start, entry.span.end);
    if (written.includes('\n') || written.length > 200) return "a value starting with '{' is read as a mapping: quote the whole value";
    return `a value starting with '{' is read as a mapping: quote it, e.g. ${entry.key}: "${written.replace(/"/g, '\\"')}"`;
  }

  /**
   * Reads a mapping with a known set of keys. Unknown keys get a did-you-mean, duplicates
   * point at the first occurrence, and required keys that are missing are reported at `at`.
   */
  fields(node: Node | null, where: string, known: readonly string[], required: readonly string[] = []): Fields | undefined {
    if (!isMap(node)) return undefined;
    const out: Fields = new Map();
    for (const pair of node.items as Pair<Node, Node | null>[]) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const keySpan = this.span(keyNode);
      if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
        this.error(keySpan, Codes.wrongType, `keys in ${where} must be plain names`);
        continue;
      }
      const key = String((keyNode as Scalar).value);
      const value = pair.value ?? null;
      const entry: Entry = { key, keySpan, value, span: value ? this.span(value, keySpan) : keySpan };
      if (!known.includes(key)) {
        this.error(keySpan, Codes.unknownKey, `unknown key '${key}' in ${where}`, didYouMean(key, known) ?? `expected one of: ${known.join(', ')}`);
        continue;
      }
      const first = out.get(key);
      if (first) {
        this.error(keySpan, Codes.duplicateKey, `'${key}' is given twice in ${where}`, 'keep one of them', {
          message: 'first given',
          file: this.file,
          offset: first.keySpan.start,
        });
        continue;
      }
      out.set(key, entry);
    }
    const missing = required.filter((key) => !out.has(key));
    if (missing.length > 0) {
      // At the key that holds the mapping (`task:`), not at the mapping's first key, which is fine.
      const owner = this.ownerKey(node);
      const at = owner ? this.span(owner) : { start: this.span(node).start, end: this.span(node).start + 1 };
      for (const key of missing) {
        this.error(at, Codes.missingKey, `${where} needs '${key}'`, owner ? undefined : `add '${key}:' as a top-level key`);
      }
    }
    return out;
  }

  /** The key whose value is `node`, found from the root (only when something is missing, so rarely). */
  private ownerKey(node: Node): Node | undefined {
    const search = (at: Node | null | undefined): Node | undefined => {
      if (isMap(at)) {
        for (const pair of at.items as Pair<Node | null, Node | null>[]) {
          if (pair.value === node) return pair.key ?? undefined;
          const found = search(pair.value);
          if (found) return found;
        }
      } else if (isSeq(at)) {
        for (const item of at.items as (Node | null)[]) {
          const found = search(item);
          if (found) return found;
        }
      }
      return undefined;
    };
    return search(this.source.root);
  }

  /** A mapping whose keys are user-chosen names (jobs, params); duplicates are reported by the caller. */
  entries(node: Node | null): Entry[] {
    if (!isMap(node)) return [];
    const out: Entry[] = [];
    for (const pair of node.items as Pair<Node, Node | null>[]) {
      const keyNode = pair.key as Node | null;
      const keySpan = this.span(keyNode);
      const key = isScalar(keyNode) ? String((keyNode as Scalar).value) : '';
      const value = pair.value ?? null;
      out.push({ key, keySpan, value, span: value ? this.span(value, keySpan) : keySpan });
    }
    return out;
  }

  isMap(entry: Entry | undefined): boolean {
    return !!entry && isMap(entry.value);
  }

  map(entry: Entry | undefined): Node | undefined {
    if (!entry) return undefined;
    if (!isMap(entry.value)) {
      this.wrongType(entry, 'a mapping');
      return undefined;
    }
    return entry.value;
  }

  list(entry: Entry | undefined): { node: Node | null; span: Span }[] | undefined {
    if (!entry) return undefined;
    if (!isSeq(entry.value)) {
      this.wrongType(entry, 'a list');
      return undefined;
    }
    return (entry.value.items as (Node | null)[]).map((n) => ({ node: n, span: this.span(n, entry.span) }));
  }

  /** A list, or a single item standing for a list of one. */
  listOrOne(entry: Entry | undefined): { node: Node | null; span: Span }[] | undefined {
    if (entry && !isSeq(entry.value)) return [{ node: entry.value, span: entry.span }];
    return this.list(entry);
  }

  string(entry: Entry | undefined): string | undefined {
    if (!entry) return undefined;
    const v = this.scalar(entry.value);
    if (typeof v !== 'string' || v === '') {
      this.wrongType(entry, 'a non-empty string');
      return undefined;
    }
    return v;
  }

  number(entry: Entry | undefined): number | undefined {
    if (!entry) return undefined;
    const v = this.scalar(entry.value);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.wrongType(entry, 'a number');
      return undefined;
    }
    return v;
  }

  integer(entry: Entry | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.number(entry);
    if (v === undefined || !entry) return undefined;
    if (!Number.isInteger(v) || v < min || v > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
      this.error(entry.span, Codes.badNumber, `'${entry.key}' must be a whole number ${range}, not ${v}`);
      return undefined;
    }
    return v;
  }

  boolean(entry: Entry | undefined): boolean | undefined {
    if (!entry) return undefined;
    const v = this.scalar(entry.value);
    if (typeof v !== 'boolean') {
      this.wrongType(entry, 'true or false');
      return undefined;
    }
    return v;
  }

  scalar(node: Node | null): unknown {
    return isScalar(node) ? node.value : undefined;
  }

  /** Plain JSON of a node (for params, task parameters and event patterns); mappings have no prototype. */
  json(node: Node | null): unknown {
    return toData(node);
  }
}

/** `{date}` or `{a} {b}`-like: a flow mapping of keys without values, which is what YAML makes of an unquoted placeholder. */
export function isPlaceholderMap(node: Node | null): boolean {
  if (!isMap(node) || !node.flow || node.items.length === 0) return false;
  return (node.items as Pair<Node, Node | null>[]).every((pair) => isScalar(pair.key) && (pair.value === null || (isScalar(pair.value) && pair.value.value === null)));
}

// Phase 1, source: read a file as YAML, keeping a byte range on every node.
// It reports only what stops a file being read at all; the meaning of the content is check's job.
import { isMap, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { LineMap, type Diagnostic } from './diagnostics.ts';
import { Codes } from './messages.ts';
import { resolveAliases } from './source-aliases.ts';
import { readPlainYaml } from './source-plain-yaml.ts';

export interface SourceFile {
  file: string;
  text: string;
  lines: LineMap;
  /** The root mapping, or undefined when the file is not a mapping at all. */
  root: Node | undefined;
  doc: Document | undefined;
  /** The text of the files it names, by path (source-includes.ts); absent: it names none or they were not read. */
  included?: ReadonlyMap<string, string>;
}

export interface SourceResult {
  source: SourceFile;
  diagnostics: Diagnostic[];
}

export function readSource(file: string, written: string): SourceResult {
  // Old Mac line endings (a lone CR) are line breaks to YAML 1.2 but not to the parser: written as
  // LF, one character for one, so every offset stays the file's own.
  const text = written.includes('\r') ? written.replace(/\r(?!\n)/g, '\n') : written;
  // A binary file gets no code frame: its "lines" would print as garbage.
  const lines = new LineMap(text.includes('\u0000') ? '' : text);
  const source: SourceFile = { file, text, lines, root: undefined, doc: undefined };
  const whole = (message: string, hint?: string): SourceResult => ({
    source,
    diagnostics: [{ file, start: 0, end: Math.min(text.length, 1), severity: 'error', code: Codes.notAWorkflow, message, hint }],
  });

  if (text.includes('\u0000')) return whole('this is a binary file, not a workflow', 'a workflow is a YAML text file');
  if (text.trim() === '') {
    return whole('the file is empty', "a workflow is a YAML mapping with at least 'name' and 'jobs'");
  }

  // Most workflows are plain YAML, read in one pass into the same nodes the library would build
  // (source-plain-yaml.ts); anything else, errors included, is the library's to read and report.
  const plain = readPlainYaml(text);
  if (plain) {
    source.root = plain;
    return { source, diagnostics: [] };
  }
  // uniqueKeys off: check reports duplicates itself, pointing at both places.
  const doc = parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: false, prettyErrors: false });
  source.doc = doc;
  // One mistake, one error: the parser's later errors nearly always follow from its first (a
  // tab, an unquoted brace), so only the first is reported, with a hint from its line.
  const first = doc.errors[0];
  if (first) {
    const later = doc.errors.length - 1;
    const indent = lineHint(text, first.pos[0]) === undefined ? indentationHint(text, first.pos[0], first.code) : undefined;
    const hint = lineHint(text, first.pos[0]) ?? indent?.hint ?? yamlHint(first.code);
    const message = `YAML syntax: ${firstLine(first.message)}${later > 0 ? ` (${later === 1 ? '1 more syntax error after it likely follows' : `${later} more syntax errors after it likely follow`} from this one)` : ''}`;
    // "Unexpected end" errors sit at the end of the text (an empty span there): never past it.
    const start = indent?.at?.[0] ?? Math.min(first.pos[0], text.length);
    const end = indent?.at?.[1] ?? Math.max(Math.min(first.pos[1], text.length), Math.min(first.pos[0] + 1, text.length));
    return { source, diagnostics: [{ file, start, end, severity: 'error', code: Codes.yamlSyntax, message, hint }] };
  }
  // An alias is written with '*' and a merge key as a plain '<<': a text with neither has none to
  // resolve, and is not walked for them (a walk of 100,000 jobs' nodes).
  const aliasProblem = text.includes('*') || text.includes('<<') ? resolveAliases(doc) : undefined;
  if (aliasProblem) {
    const [start, end] = aliasProblem.range;
    return { source, diagnostics: [{ file, start, end, severity: 'error', code: Codes.badAlias, message: aliasProblem.message, hint: aliasProblem.hint }] };
  }

  const root = doc.contents as Node | null;
  if (root === null || root === undefined) {
    return whole('the file holds no YAML value', "a workflow is a YAML mapping with at least 'name' and 'jobs'");
  }
  if (!isMap(root)) {
    const what = Array.isArray((root as { items?: unknown }).items) ? 'a list' : 'a single value';
    const r = root.range ?? [0, 1];
    return {
      source,
      diagnostics: [
        {
          file,
          start: r[0],
          end: r[1],
          severity: 'error',
          code: Codes.notAWorkflow,
          message: `this file holds ${what}, not a workflow`,
          hint: "a workflow is a YAML mapping with at least 'name' and 'jobs'",
        },
      ],
    };
  }
  source.root = root;
  return { source, diagnostics: [] };
}

const firstLine = (message: string): string => message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');

/** Lines longer than this get no hint from lineHint. */
const LINE_HINT_LIMIT = 1000;

/**
 * The mistakes people make on one line: a value starting with '{' or holding '{name}' inside
 * a flow mapping (read as a mapping), or holding ': ' (read as a nested key). The hint shows
 * the line's value quoted.
 */
function lineHint(text: string, offset: number): string | undefined {
  const start = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  const end = text.indexOf('\n', start);
  // A huge line (hostile or generated input) gets no hint: the patterns below are not linear on it.
  if ((end === -1 ? text.length : end) - start > LINE_HINT_LIMIT) return undefined;
  const line = text.slice(start, end === -1 ? undefined : end);
  if (line.includes('\t')) return undefined;
  const flow = /([\w-]+):\s*([^,{}]*\{[\w-]+\}[^,}]*)/.exec(line.replace(/^[^{]*\{\s*/, ''));
  if (flow && /^\s*[\w-]+:\s*\{/.test(line)) return `quote a value with { } inside a { ... } mapping, e.g. ${flow[1]}: "${flow[2].trim()}"`;
  const entry = /^\s*(?:-\s+)?([\w-]+):\s+(.+?)\s*$/.exec(line);
  if (!entry) return undefined;
  const [, key, value] = entry;
  if (/^["']/.test(value)) return undefined;
  if (value.startsWith('{') && /\{[\w-]+\}/.test(value)) return `a value starting with '{' is read as a mapping: quote it, e.g. ${key}: "${value}"`;
  if (value.includes(': ')) return `a value containing ': ' is read as a nested key: quote it, e.g. ${key}: "${value}"`;
  return undefined;
}

/** A line of block YAML as `key:` at an indent, or undefined for blank lines, comments and the rest. */
interface KeyLine {
  start: number;
  indent: number;
  key: string;
  keyStart: number;
  /** Something follows the ':' on the line (so the key cannot open a block below it). */
  inlineValue: boolean;
}

const KEY_LINE = /^( *)(?:- +)?([\w.$-]+) *:(?: +(?!#)(\S))?/;

function keyLines(text: string, from: number, to: number): KeyLine[] {
  const out: KeyLine[] = [];
  let start = from;
  while (start < to) {
    const stop = text.indexOf('\n', start);
    const end = stop === -1 ? text.length : stop;
    const line = text.slice(start, Math.min(end, start + LINE_HINT_LIMIT));
    const m = KEY_LINE.exec(line);
    if (m) out.push({ start, indent: m[1].length, key: m[2], keyStart: start + line.indexOf(m[2], m[1].length), inlineValue: m[3] !== undefined });
    else if (line.trim() !== '' && !line.trimStart().startsWith('#')) out.push({ start, indent: line.length - line.trimStart().length, key: '', keyStart: start, inlineValue: true });
    start = end + 1;
  }
  return out;
}

const spaces = (n: number): string => `${n} space${n === 1 ? '' : 's'}`;

/**
 * A key indented to the wrong depth (the mis-indented `needs:`): the parser's error names the
 * line before it or a column, the hint names the key, the key it should line up with and the
 * key it then belongs to; where the parser blames the line above, the error moves to the key.
 */
function indentationHint(text: string, offset: number, code: string): { hint: string; at?: [number, number] } | undefined {
  if (code !== 'BAD_INDENT' && code !== 'BLOCK_AS_IMPLICIT_KEY' && code !== 'MISSING_CHAR') return undefined;
  const lineStart = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  const nextStop = text.indexOf('\n', lineStart);
  const afterNext = nextStop === -1 ? text.length : text.indexOf('\n', nextStop + 1);
  // Only the lines up to the error and the one after it are read.
  const lines = keyLines(text, 0, afterNext === -1 ? text.length : afterNext);
  const here = lines.findIndex((l) => l.start === lineStart);
  if (here === -1) return undefined;
  // The parser blames a `key: value` line when the next line is indented deeper than it.
  let bad = here;
  if (code === 'BLOCK_AS_IMPLICIT_KEY' && lines[here + 1] && lines[here + 1].indent > lines[here].indent && lines[here].inlineValue) bad = here + 1;
  const line = lines[bad];
  const above = lines.slice(0, bad).reverse();
  if (!line.key || above.length === 0) return undefined;
  const previous = above[0];
  const at: [number, number] = [line.keyStart, line.keyStart + line.key.length];
  if (line.indent > previous.indent && previous.inlineValue && previous.key) {
    const parent = above.find((l) => l.indent < previous.indent && l.key);
    const under = parent ? ` to put it under '${parent.key}'` : '';
    return { hint: `'${line.key}' is indented deeper than '${previous.key}' above it, which already has a value: indent it ${spaces(previous.indent)}, like '${previous.key}',${under}`, at };
  }
  // The lines of the block the key sits in: back to the first line indented less than it.
  const outer = above.findIndex((l) => l.indent < line.indent);
  const block = outer === -1 ? above : above.slice(0, outer);
  if (line.indent < previous.indent && previous.key && !block.some((l) => l.indent === line.indent)) {
    // Between two levels: name the deeper one (the block it most likely belongs to) and its owner.
    const parent = outer === -1 ? undefined : above.slice(outer).find((l) => l.key);
    const under = parent ? ` to put it under '${parent.key}'` : '';
    return { hint: `'${line.key}' is indented ${spaces(line.indent)}, which lines up with no key above it: indent it ${spaces(previous.indent)}, like '${previous.key}',${under}`, at };
  }
  return undefined;
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'tabs are not indentation in YAML: indent with spaces';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation of this line against the lines above it';
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return "a key and its ':' must be on one line";
    case 'UNEXPECTED_TOKEN':
      return 'quote values that contain special characters such as : { } [ ] #';
    default:
      return undefined;
  }
}

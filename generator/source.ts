// Phase 1, source: read a file as YAML, keeping a byte range on every node.
// It reports only what stops a file being read at all; the meaning of the content is check's job.
import { isMap, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { LineMap, type Diagnostic } from './diagnostics.ts';
import { Codes } from './messages.ts';
import { resolveAliases } from './source-aliases.ts';

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

  // uniqueKeys off: check reports duplicates itself, pointing at both places.
  const doc = parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: false, prettyErrors: false });
  source.doc = doc;
  // One mistake, one error: the parser's later errors nearly always follow from its first (a
  // tab, an unquoted brace), so only the first is reported, with a hint from its line.
  const first = doc.errors[0];
  if (first) {
    const later = doc.errors.length - 1;
    const hint = lineHint(text, first.pos[0]) ?? yamlHint(first.code);
    const message = `YAML syntax: ${firstLine(first.message)}${later > 0 ? ` (${later === 1 ? '1 more syntax error after it likely follows' : `${later} more syntax errors after it likely follow`} from this one)` : ''}`;
    // "Unexpected end" errors sit at the end of the text (an empty span there): never past it.
    const start = Math.min(first.pos[0], text.length);
    const end = Math.max(Math.min(first.pos[1], text.length), Math.min(first.pos[0] + 1, text.length));
    return { source, diagnostics: [{ file, start, end, severity: 'error', code: Codes.yamlSyntax, message, hint }] };
  }
  const aliasProblem = resolveAliases(doc);
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

function yamlHint(code: string): string | undefined {
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'indent with spaces; YAML does not allow tabs';
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

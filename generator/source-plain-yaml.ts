// A one-pass reader for the plain YAML that workflows are written in: block mappings and
// sequences indented with spaces, one-line scalars (plain, '…' and "…" without unusual escapes),
// one-line flow collections ([a, b], {k: v}) and comments. It builds the same nodes as the yaml
// library's parseDocument (same classes, values and ranges), without its token tree: for a
// 100,000-job file that is most of validate's reading time and hundreds of MB of short-lived
// objects. Anything outside that subset (anchors, aliases, tags, block scalars, multi-line
// scalars or flows, tabs, CR line ends, odd indentation, anything the library would report as an
// error) is not read here: the caller then parses the text with the library, whose result and
// diagnostics stay the reference (test/source/plain-yaml.test.ts holds the two to each other).
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, isScalar, type Node } from 'yaml';

/** Thrown inside the reader when the text leaves the subset; caught by readPlainYaml. */
class NotPlain extends Error {}
const notPlain = (): never => {
  throw new NotPlain();
};

type Range = [number, number, number];
type ScalarTag = { default?: boolean | 'key'; test?: RegExp; resolve: (value: string, onError: (message: string) => void, options: object) => unknown; format?: string };

const SCHEMA = new Document();
// The core schema's scalar tags that plain scalars are resolved by, in the library's order.
const PLAIN_TAGS = (SCHEMA.schema.tags as unknown as ScalarTag[]).filter((t) => t.default === true && t.test !== undefined);
const OPTIONS = SCHEMA.options as object;

// Characters that end the subset wherever they appear: tabs, CR, control characters, byte order
// marks and the Unicode line and paragraph separators (the library treats them specially).
const OUTSIDE = /[\u0000-\u0009\u000b-\u001f\u007f\u0085\u2028\u2029\ufeff]/;
// A plain scalar may not start with an indicator (- ? : only when a space or the end follows).
const INDICATOR_START = /^(?:[[\]{},#&*!|>'"%@`]|[-?:](?:[ ]|$))/;

/** The root mapping of `text`, or undefined when the text is not in the subset (parse it with the library). */
export function readPlainYaml(text: string): Node | undefined {
  if (OUTSIDE.test(text) || text.includes('<<')) return undefined;
  try {
    return new PlainReader(text).document();
  } catch (error) {
    if (error instanceof NotPlain) return undefined;
    throw error;
  }
}

class PlainReader {
  /** Per line: start offset, end offset (its '\n' or the text's end), indent, -1 indent for blank or comment lines. */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly indents: number[] = [];
  private readonly comments: boolean[] = [];
  /** The next line to read. */
  private line = 0;

  constructor(private readonly text: string) {
    let start = 0;
    while (start <= text.length) {
      const stop = text.indexOf('\n', start);
      const end = stop === -1 ? text.length : stop;
      let i = start;
      while (i < end && text.charCodeAt(i) === 32) i++;
      this.starts.push(start);
      this.ends.push(end);
      const comment = i < end && text.charCodeAt(i) === 35; /* # */
      this.indents.push(i === end || comment ? -1 : i - start);
      this.comments.push(comment);
      if (stop === -1) break;
      start = stop + 1;
    }
  }

  document(): Node {
    const first = this.nextContent(0);
    if (first === -1 || this.indents[first] !== 0) notPlain();
    this.commentsBeforeKeys(first);
    const head = this.text.slice(this.starts[first], this.starts[first] + 3);
    if (head === '---' || head === '...' || this.text[this.starts[first]] === '%') notPlain();
    const root = this.blockNode(first, 0);
    if (this.nextContent(this.line) !== -1) notPlain();
    if (!(root instanceof YAMLMap)) notPlain();
    return root;
  }

  /**
   * The library stretches the range of the node before a comment over it when the comment is
   * indented deeper than what follows, or ends the file, or stands among a list's items, by rules
   * of its own. Comments are read here only where they change no range: each on its own line, at
   * the indent of the mapping key that follows it.
   */
  private commentsBeforeKeys(first: number): void {
    let next = -1;
    for (let i = this.starts.length - 1; i > first; i--) {
      if (this.indents[i] >= 0) next = i;
      else if (this.comments[i]) {
        const indent = this.text.indexOf('#', this.starts[i]) - this.starts[i];
        if (next === -1 || this.indents[next] !== indent || this.isSeqItem(next)) notPlain();
      }
    }
  }

  /** The first content line at or after `from`, or -1. */
  private nextContent(from: number): number {
    for (let i = from; i < this.starts.length; i++) if (this.indents[i] >= 0) return i;
    return -1;
  }

  /** Offset after line i's line break (or the text's end). */
  private after(i: number): number {
    return Math.min(this.ends[i] + 1, this.text.length);
  }

  private isSeqItem(i: number): boolean {
    const at = this.starts[i] + this.indents[i];
    return this.text[at] === '-' && (at + 1 === this.ends[i] || this.text[at + 1] === ' ');
  }

  /** A block mapping or sequence whose first line is i, at `indent`. */
  private blockNode(i: number, indent: number): YAMLMap | YAMLSeq {
    return this.isSeqItem(i) ? this.blockSeq(i, indent, false) : this.blockMap(i, indent, this.starts[i] + indent);
  }

  /** Entries at `indent` from line i; the first key may start mid-line (a map in a sequence item), at `firstKey`. */
  private blockMap(i: number, indent: number, firstKey: number): YAMLMap {
    const map = new YAMLMap();
    let keyAt = firstKey;
    let end = firstKey;
    let line = i;
    for (;;) {
      const pair = this.mapEntry(line, indent, keyAt);
      map.items.push(pair.pair);
      end = pair.end;
      const next = this.nextContent(this.line);
      if (next === -1 || this.indents[next] < indent) break;
      if (this.indents[next] > indent || this.isSeqItem(next)) notPlain();
      line = next;
      keyAt = this.starts[next] + indent;
    }
    map.range = [firstKey, end, end];
    return map;
  }

  /** Items at `indent` from line i; `compact`: the value of a key at the same indent, which a sibling key ends. */
  private blockSeq(i: number, indent: number, compact: boolean): YAMLSeq {
    const seq = new YAMLSeq();
    const start = this.starts[i] + indent;
    let end = start;
    let line = i;
    for (;;) {
      const item = this.seqItem(line, indent);
      seq.items.push(item.node);
      end = item.end;
      const next = this.nextContent(this.line);
      if (next === -1 || this.indents[next] < indent) break;
      if (compact && this.indents[next] === indent && !this.isSeqItem(next)) {
        // The library stretches a compact list over a comment before the sibling key that ends it.
        for (let j = this.line; j < next; j++) if (this.comments[j]) notPlain();
        break;
      }
      if (this.indents[next] > indent || !this.isSeqItem(next)) notPlain();
      line = next;
    }
    seq.range = [start, end, end];
    return seq;
  }

  /** `key: value` at `keyAt` on line i (a mapping at `indent`); leaves this.line after the entry. */
  private mapEntry(i: number, indent: number, keyAt: number): { pair: Pair; end: number } {
    const lineEnd = this.ends[i];
    const key = this.blockKey(keyAt, lineEnd);
    let p = key.colon + 1;
    while (p < lineEnd && this.text.charCodeAt(p) === 32) p++;
    const value = this.valueAfter(i, indent, p, lineEnd, true);
    return { pair: new Pair(key.node, value.node), end: value.end };
  }

  /** `- value` on line i (a sequence at `indent`). */
  private seqItem(i: number, indent: number): { node: Node | null; end: number } {
    const lineEnd = this.ends[i];
    let p = this.starts[i] + indent + 1;
    while (p < lineEnd && this.text.charCodeAt(p) === 32) p++;
    if (p < lineEnd && this.text[p] !== '#' && this.keyColon(p, lineEnd) !== -1) {
      // `- key: value`: a mapping whose keys line up with this first one.
      const map = this.blockMap(i, p - this.starts[i], p);
      return { node: map, end: map.range![2] };
    }
    if (p < lineEnd && this.text[p] === '-' && (p + 1 === lineEnd || this.text[p + 1] === ' ')) notPlain();
    return this.valueAfter(i, indent, p, lineEnd, false);
  }

  /**
   * The value that starts at p on line i, after a key (or a sequence's dash) at `indent`: inline
   * on the line, or a block below it, or null. Leaves this.line after it.
   */
  private valueAfter(i: number, indent: number, p: number, lineEnd: number, inMap: boolean): { node: Node | null; end: number } {
    if (p >= lineEnd || this.text[p] === '#') {
      const next = this.nextContent(i + 1);
      if (next !== -1 && this.indents[next] > indent) {
        const node = this.blockNode(next, this.indents[next]);
        return { node, end: node.range![2] };
      }
      if (next !== -1 && inMap && this.indents[next] === indent && this.isSeqItem(next)) {
        const node = this.blockSeq(next, indent, true);
        return { node, end: node.range![2] };
      }
      // Nothing: a null. The library stretches its range over comments after it by rules of its
      // own: a null with a comment on its line or on the lines after it is left to the library.
      if (p < lineEnd) notPlain();
      for (let j = i + 1; j < this.starts.length && this.indents[j] < 0; j++) if (this.comments[j]) notPlain();
      this.line = i + 1;
      const node = new Scalar(null);
      node.range = [p, p, p];
      return { node: this.asPlain(node, ''), end: p };
    }
    const value = this.inlineValue(p, lineEnd, false);
    let q = value.next;
    while (q < lineEnd && this.text.charCodeAt(q) === 32) q++;
    if (q < lineEnd && !(this.text[q] === '#' && q > value.end)) notPlain();
    const end = this.after(i);
    value.node.range = [value.node.range![0], value.node.range![1], end];
    this.line = i + 1;
    // A more indented line after an inline value would continue a multi-line scalar.
    const next = this.nextContent(i + 1);
    if (next !== -1 && this.indents[next] > indent) notPlain();
    return { node: value.node, end };
  }

  /** The offset of the ':' that ends a plain or quoted key starting at p, or -1 when the line holds no key there. */
  private keyColon(p: number, lineEnd: number): number {
    const c = this.text[p];
    if (c === '"' || c === "'") {
      const close = this.quotedEnd(p, lineEnd);
      let q = close;
      while (q < lineEnd && this.text.charCodeAt(q) === 32) q++;
      return this.text[q] === ':' && (q + 1 === lineEnd || this.text[q + 1] === ' ') ? q : -1;
    }
    for (let q = p; q < lineEnd; q++) {
      const ch = this.text[q];
      if (ch === ':' && (q + 1 === lineEnd || this.text[q + 1] === ' ')) return q;
      if (ch === '#' && this.text[q - 1] === ' ') return -1;
    }
    return -1;
  }

  private blockKey(p: number, lineEnd: number): { node: Scalar; colon: number } {
    const colon = this.keyColon(p, lineEnd);
    if (colon === -1) notPlain();
    const c = this.text[p];
    if (c === '"' || c === "'") {
      return { node: this.quoted(p, lineEnd), colon };
    }
    let end = colon;
    while (end > p && this.text.charCodeAt(end - 1) === 32) end--;
    const source = this.text.slice(p, end);
    if (source === '' || INDICATOR_START.test(source)) notPlain();
    return { node: this.plain(source, [p, end, end]), colon };
  }

  /** A scalar or flow collection at p (block context unless `flow`); `end` after its text, `next` where to go on. */
  private inlineValue(p: number, lineEnd: number, flow: boolean): { node: Node; end: number; next: number } {
    const c = this.text[p];
    if (c === '[' || c === '{') {
      const node = c === '[' ? this.flowSeq(p, lineEnd) : this.flowMap(p, lineEnd);
      return { node, end: node.range![1], next: node.range![1] };
    }
    if (c === '"' || c === "'") {
      const node = this.quoted(p, lineEnd);
      return { node, end: node.range![1], next: node.range![1] };
    }
    // A plain scalar: up to a comment (' #'), the line's end, or in a flow a flow indicator or ': '.
    let q = p;
    for (; q < lineEnd; q++) {
      const ch = this.text[q];
      if (ch === '#' && this.text[q - 1] === ' ') break;
      if (ch === ':' && (q + 1 === lineEnd || this.text[q + 1] === ' ' || (flow && ',[]{}'.includes(this.text[q + 1])))) {
        if (!flow) notPlain();
        break;
      }
      if (flow && (ch === ',' || ch === '[' || ch === ']' || ch === '{' || ch === '}')) break;
    }
    let end = q;
    while (end > p && this.text.charCodeAt(end - 1) === 32) end--;
    const source = this.text.slice(p, end);
    if (source === '' || INDICATOR_START.test(source)) notPlain();
    return { node: this.plain(source, [p, end, end]), end, next: end };
  }

  private plain(source: string, range: Range): Scalar {
    const tag = PLAIN_TAGS.find((t) => t.test!.test(source));
    let value: unknown = source;
    let format: string | undefined;
    if (tag) {
      value = tag.resolve(source, notPlain, OPTIONS);
      format = tag.format;
    }
    const node = isScalar(value) ? value : new Scalar(value);
    node.range = range;
    if (format) node.format = format;
    return this.asPlain(node, source);
  }

  private asPlain(node: Scalar, source: string): Scalar {
    node.source = source;
    node.type = 'PLAIN';
    return node;
  }

  /** The offset after the closing quote of the quoted scalar opening at p (on this line). */
  private quotedEnd(p: number, lineEnd: number): number {
    const quote = this.text[p];
    for (let q = p + 1; q < lineEnd; q++) {
      const ch = this.text[q];
      if (quote === '"' && ch === '\\') q++;
      else if (ch === quote) {
        if (quote === "'" && this.text[q + 1] === "'") q++;
        else return q + 1;
      }
    }
    return notPlain();
  }

  private quoted(p: number, lineEnd: number): Scalar {
    const close = this.quotedEnd(p, lineEnd);
    const inner = this.text.slice(p + 1, close - 1);
    let value: string;
    if (this.text[p] === "'") value = inner.replace(/''/g, "'");
    else value = inner.includes('\\') ? unescape(inner) : inner;
    const node = new Scalar(value);
    node.range = [p, close, close];
    node.source = value;
    node.type = this.text[p] === "'" ? 'QUOTE_SINGLE' : 'QUOTE_DOUBLE';
    return node;
  }

  private skipSpaces(p: number, lineEnd: number): number {
    while (p < lineEnd && this.text.charCodeAt(p) === 32) p++;
    return p;
  }

  /** A flow item or value: its node with range[2] after the spaces that follow it. */
  private flowItem(p: number, lineEnd: number): { node: Node; next: number } {
    const value = this.inlineValue(p, lineEnd, true);
    const next = this.skipSpaces(value.next, lineEnd);
    value.node.range = [value.node.range![0], value.node.range![1], next];
    return { node: value.node, next };
  }

  /**
   * The entries of a one-line flow collection opening at `open`, each read by `entry` from its
   * first character (returning the offset after it and its spaces); the offset of `close`.
   */
  private flowEntries(open: number, lineEnd: number, close: string, entry: (p: number) => number): number {
    let p = this.skipSpaces(open + 1, lineEnd);
    if (this.text[p] === close) return p;
    for (;;) {
      if (p >= lineEnd || ',]}'.includes(this.text[p])) notPlain();
      p = entry(p);
      if (this.text[p] === close) return p;
      if (this.text[p] !== ',') notPlain();
      p = this.skipSpaces(p + 1, lineEnd);
      // A trailing comma is left to the library.
      if (this.text[p] === close) notPlain();
    }
  }

  private flowSeq(open: number, lineEnd: number): YAMLSeq {
    const seq = new YAMLSeq();
    seq.flow = true;
    const close = this.flowEntries(open, lineEnd, ']', (p) => {
      const item = this.flowItem(p, lineEnd);
      // `[a: b]` is a mapping inside the list: not in the subset.
      if (this.text[item.next] === ':') notPlain();
      seq.items.push(item.node);
      return item.next;
    });
    seq.range = [open, close + 1, close + 1];
    return seq;
  }

  private flowMap(open: number, lineEnd: number): YAMLMap {
    const map = new YAMLMap();
    map.flow = true;
    const close = this.flowEntries(open, lineEnd, '}', (at) => {
      if (this.text[at] === '[' || this.text[at] === '{') notPlain();
      const key = this.inlineValue(at, lineEnd, true);
      if (!isScalar(key.node)) notPlain();
      let p = this.skipSpaces(key.next, lineEnd);
      if (this.text[p] !== ':') notPlain();
      p = this.skipSpaces(p + 1, lineEnd);
      let value: Node;
      if (this.text[p] === ',' || this.text[p] === '}') {
        value = this.asPlain(new Scalar(null), '');
        value.range = [p, p, p];
      } else {
        const item = this.flowItem(p, lineEnd);
        value = item.node;
        p = item.next;
      }
      map.items.push(new Pair(key.node, value));
      return p;
    });
    map.range = [open, close + 1, close + 1];
    return map;
  }
}

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0' };

/** A double-quoted scalar's common escapes; any other escape is left to the library. */
function unescape(inner: string): string {
  return inner.replace(/\\(.)/g, (_, c: string) => (Object.hasOwn(ESCAPES, c) ? ESCAPES[c] : notPlain()));
}

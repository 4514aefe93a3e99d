// YAML anchors, aliases and merge keys (`<<: *base`), resolved in the source phase so every later
// phase reads plain nodes: an alias becomes the node it names, shared (later phases only read;
// its byte ranges say where it is written, so a problem in it points there), and a merge key's mappings add
// the keys the mapping does not set itself (earlier merged mappings win over later ones, as in
// YAML 1.1). What aliases stand for is counted against a budget, so a "billion laughs" file is
// refused at once, not expanded.
import { isAlias, isMap, isPair, isScalar, isSeq, Scalar, type Document, type Node, type Pair } from 'yaml';

/** Nodes that aliases may add to one file, in all: far above what a real file repeats. */
export const ALIAS_BUDGET = 100_000;

export interface AliasProblem {
  range: [number, number];
  message: string;
  hint: string;
}

/** Replaces aliases and merge keys in the document's tree in place; the first problem stops it. */
export function resolveAliases(doc: Document): AliasProblem | undefined {
  if (!mayHaveAliases(doc)) return undefined;
  let spent = 0;
  const fail = (node: Node | Pair, message: string, hint: string): never => {
    const range = ('range' in node && node.range) || (isPair(node) && (node.key as Node | null)?.range) || [0, 1];
    throw new Stop({ range: [range[0], Math.max(range[1], range[0] + 1)], message, hint });
  };

  // Anchors as the text defines them, in document order (the latest definition before an alias
  // wins). `open` holds the anchored values being walked (an alias to one of them is a cycle).
  const anchors = new Map<string, Node>();
  const open = new Set<Node>();
  const resolve = (node: Node | null): Node | null => {
    if (node === null) return null;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) return fail(node, `the alias '*${node.source}' names no anchor before it`, `define '&${node.source}' on a value above this line`);
      if (open.has(target)) return fail(node, `the alias '*${node.source}' is inside the value it names`, 'an anchored value cannot contain itself');
      spent += size(target);
      if (spent > ALIAS_BUDGET) return fail(node, `aliases in this file expand to more than ${ALIAS_BUDGET.toLocaleString('en-US')} values`, 'write the values out, or repeat less: nested aliases multiply');
      // The anchored value comes first in the text, so it is resolved already: the alias shares it.
      return target;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) {
      anchors.set(anchor, node);
      open.add(node);
    }
    const out = resolveInside(node);
    if (anchor) open.delete(node);
    return out;
  };

  const resolveInside = (node: Node): Node => {
    if (isSeq(node)) {
      node.items = node.items.map((item) => resolve(item as Node | null));
      return node;
    }
    if (isMap(node)) {
      const own: Pair[] = [];
      const merged: Pair[] = [];
      for (const pair of node.items as Pair<Node | null, Node | null>[]) {
        pair.key = resolve(pair.key);
        pair.value = resolve(pair.value);
        if (!isMergeKey(pair.key)) {
          own.push(pair);
          continue;
        }
        const sources = isSeq(pair.value) ? (pair.value.items as (Node | null)[]) : [pair.value];
        for (const source of sources) {
          if (!isMap(source)) return fail(pair, "'<<' merges mappings: its value must be an alias of a mapping, or a list of them", "write '<<: *name' where '&name' is on a mapping");
          merged.push(...(source.items as Pair[]));
        }
      }
      const seen = new Set(own.map((p) => keyText(p.key as Node | null)));
      for (const pair of merged) {
        const key = keyText(pair.key as Node | null);
        if (seen.has(key)) continue;
        seen.add(key);
        own.push(pair);
      }
      node.items = own;
    }
    return node;
  };

  try {
    doc.contents = resolve(doc.contents as Node | null) as never;
    return undefined;
  } catch (error) {
    if (error instanceof Stop) return error.problem;
    throw error;
  }
}

class Stop extends Error {
  constructor(readonly problem: AliasProblem) {
    super(problem.message);
  }
}

/** Aliases need an anchor and merge keys a `<<`: a file with neither is left alone (and costs nothing). */
function mayHaveAliases(doc: Document): boolean {
  let found = false;
  const visit = (node: unknown): void => {
    if (found || node === null || typeof node !== 'object') return;
    if (isAlias(node) || (isScalar(node) && isMergeKey(node))) {
      found = true;
      return;
    }
    if (isMap(node) || isSeq(node)) for (const item of node.items) visit(item);
    if (isPair(node)) {
      visit(node.key);
      visit(node.value);
    }
  };
  visit(doc.contents);
  return found;
}

const isMergeKey = (key: Node | null): boolean => isScalar(key) && key.value === '<<' && (key.type === Scalar.PLAIN || key.type === undefined);

const keyText = (key: Node | null): string => (isScalar(key) ? `${typeof key.value}:${String(key.value)}` : JSON.stringify(key));

/** Values a node stands for once every alias in it is expanded (shared values counted each time they appear). */
function size(node: unknown): number {
  if (!isMap(node) && !isSeq(node)) return 1;
  const known = sizes.get(node);
  if (known !== undefined) return known;
  let n = 1;
  for (const item of node.items) n += isPair(item) ? 1 + size(item.key) + size(item.value) : size(item);
  sizes.set(node, n);
  return n;
}
const sizes = new WeakMap<object, number>();

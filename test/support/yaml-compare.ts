// Holds the plain-subset reader (generator/source-plain-yaml.ts) to the yaml library: the node
// trees it builds must be the library's, value for value and range for range.
import { isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml';

/** The first difference between two node trees, as a path and what differs; undefined when none. */
export function firstDifference(a: Node | null, b: Node | null, path = '$'): string | undefined {
  if (a === null || b === null) return a === b ? undefined : `${path}: ${a === null ? 'null' : 'node'} vs ${b === null ? 'null' : 'node'}`;
  const kind = (n: Node): string => (isMap(n) ? 'map' : isSeq(n) ? 'seq' : isScalar(n) ? 'scalar' : 'other');
  if (kind(a) !== kind(b)) return `${path}: ${kind(a)} vs ${kind(b)}`;
  if (JSON.stringify(a.range) !== JSON.stringify(b.range)) return `${path}: range ${JSON.stringify(a.range)} vs ${JSON.stringify(b.range)}`;
  if (isScalar(a) && isScalar(b)) {
    if (!Object.is(a.value, b.value)) return `${path}: value ${String(a.value)} vs ${String(b.value)}`;
    if (a.type !== b.type) return `${path}: type ${a.type} vs ${b.type}`;
    return undefined;
  }
  const flowA = (a as { flow?: boolean }).flow === true;
  const flowB = (b as { flow?: boolean }).flow === true;
  if (flowA !== flowB) return `${path}: flow ${flowA} vs ${flowB}`;
  const itemsA = (a as { items: unknown[] }).items;
  const itemsB = (b as { items: unknown[] }).items;
  if (itemsA.length !== itemsB.length) return `${path}: ${itemsA.length} vs ${itemsB.length} items`;
  for (let i = 0; i < itemsA.length; i++) {
    const x = itemsA[i];
    const y = itemsB[i];
    if (isPair(x) && isPair(y)) {
      const d = firstDifference(x.key as Node | null, y.key as Node | null, `${path}[${i}].key`) ?? firstDifference(x.value as Node | null, y.value as Node | null, `${path}[${i}].value`);
      if (d) return d;
    } else if (isPair(x) || isPair(y)) return `${path}[${i}]: pair vs item`;
    else {
      const d = firstDifference(x as Node | null, y as Node | null, `${path}[${i}]`);
      if (d) return d;
    }
  }
  return undefined;
}

/** What the library makes of a text: its root node, or undefined when it reports an error or a warning. */
export function libraryRoot(text: string): Node | null | undefined {
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  return doc.contents as Node | null;
}

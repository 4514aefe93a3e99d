// Plain JSON of a YAML node, for the values stepgraph passes on without interpreting (params,
// task parameters, event patterns, a sweep's custom parameters). Mappings become objects without a
// prototype: a key such as `__proto__`, `constructor` or `toString` is one more own key, never an
// inherited member and never a prototype. Aliases are resolved in the source phase (source-aliases.ts).
import { isMap, isPair, isScalar, isSeq, type Node } from 'yaml';

export type Data = null | boolean | number | string | Data[] | { [key: string]: Data };

export function toData(node: Node | null | undefined): Data {
  if (node === null || node === undefined) return null;
  if (isScalar(node)) return scalar(node.value);
  if (isSeq(node)) return (node.items as (Node | null)[]).map((item) => toData(item));
  if (isMap(node)) {
    const out: { [key: string]: Data } = Object.create(null);
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = pair.key as Node | null;
      out[isScalar(key) ? String(key.value) : JSON.stringify(toData(key))] = toData(pair.value as Node | null);
    }
    return out;
  }
  return null;
}

/** YAML scalars JSON has no type for (dates, binary, NaN) become their text or null. */
function scalar(value: unknown): Data {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** An object without a prototype, for maps keyed by user text (`Object.create(null)` with a type). */
export const ownMap = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

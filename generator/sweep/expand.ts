// Expanding a checked sweep into its items: each `params` entry over the defaults, in file order,
// then the matrix's cartesian product (the last key varies fastest, like nested loops written
// in key order). `name` and `command` get their `{param}` / `{index}` values here.
import { ownMap } from '../check/data.ts';
import type { Entry, Span } from '../check/reader.ts';
import { parseDuration } from '../check/values.ts';
import type { WrittenField } from './check.ts';
import type { FieldValue } from './fields.ts';
import type { Json, SweepItem } from './model.ts';
import { shellWord } from '../shell.ts';
import { substitute } from './template.ts';

export interface ItemSource {
  kind: 'entry' | 'matrix';
  /** The entry's mapping, or the `matrix` key. */
  span: Span;
  /** The fields the source sets itself (for the matrix: its keys, each with its first value). */
  own: Map<string, WrittenField>;
  axes?: { entry: Entry; values: FieldValue[] }[];
  /** How many items the source makes. */
  count: number;
  /** False when one of its fields had an error (no item is made from it). */
  complete: boolean;
}

export function expandItems(sweep: string, defaults: Map<string, WrittenField>, sources: readonly ItemSource[]): SweepItem[] {
  // Keys are the user's: no prototype, so `__proto__` is a field and `toString` is not inherited.
  const base = ownMap<Json>();
  for (const [key, field] of defaults) base[key] = field.value.value;
  const items: SweepItem[] = [];
  for (const source of sources) {
    if (source.kind === 'entry') {
      const fields = Object.assign(ownMap<Json>(), base);
      for (const [key, field] of source.own) fields[key] = field.value.value;
      items.push(makeItem(sweep, items.length, fields, source.span));
      continue;
    }
    const axes = source.axes ?? [];
    const position = axes.map(() => 0);
    for (let n = 0; n < source.count; n++) {
      const fields = Object.assign(ownMap<Json>(), base);
      axes.forEach((axis, i) => (fields[axis.entry.key] = axis.values[position[i]].value));
      items.push(makeItem(sweep, items.length, fields, source.span));
      for (let i = axes.length - 1; i >= 0; i--) {
        if (++position[i] < axes[i].values.length) break;
        position[i] = 0;
      }
    }
  }
  return items;
}

function makeItem(sweep: string, index: number, fields: Record<string, Json>, span: Span): SweepItem {
  const value = (name: string): Json | undefined => (name === 'index' ? index : Object.hasOwn(fields, name) ? fields[name] : undefined);
  const written = fields.name;
  const name = typeof written === 'string' ? substitute(written, (n) => (n === 'name' ? undefined : value(n))) : `${sweep}-${index}`;
  if (typeof written === 'string') fields.name = name;
  // In a command every value is one shell word (`0.6; touch x` stays an argument): data, never code.
  if (typeof fields.command === 'string') fields.command = substitute(fields.command, (n) => (n === 'name' ? name : value(n)), shellWord);
  const ttl = typeof fields.ttl === 'string' ? seconds(fields.ttl) : undefined;
  const idle = typeof fields.idle_timeout === 'string' ? seconds(fields.idle_timeout) : undefined;
  return { index, name, fields, ...(ttl !== undefined && { ttlSeconds: ttl }), ...(idle !== undefined && { idleSeconds: idle }), span };
}

/** Items of a sweep nearly always share their ttl and idle_timeout: each text is parsed once. */
const durations = new Map<string, number | undefined>();
function seconds(text: string): number | undefined {
  if (!durations.has(text)) {
    if (durations.size >= 1_000) durations.clear();
    durations.set(text, parseDuration(text));
  }
  return durations.get(text);
}

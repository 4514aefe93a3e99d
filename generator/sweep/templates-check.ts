// Every `{param}` in a `command` or `name` must have a value in every item that uses it. A
// placeholder no entry defines is reported where it is written; one that only some entries lack
// is reported at each of those entries (their command would otherwise run with a literal `{x}`).
import { Codes } from '../messages.ts';
import type { Reader, Span } from '../check/reader.ts';
import { didYouMean } from '../contract/suggest.ts';
import type { WrittenField } from './check.ts';
import type { ItemSource } from './expand.ts';
import { placeholders } from './template.ts';

const TEMPLATED = ['command', 'name'] as const;
type Templated = (typeof TEMPLATED)[number];

/** Entries reported by name for one missing placeholder; the rest are summed up in one line. */
const REPORT_AT_MOST = 20;

export function checkTemplates(r: Reader, defaults: Map<string, WrittenField>, sources: readonly ItemSource[]): void {
  for (const field of TEMPLATED) checkField(r, field, defaults, sources);
}

function checkField(r: Reader, field: Templated, defaults: Map<string, WrittenField>, sources: readonly ItemSource[]): void {
  const shared = defaults.get(field);
  const sharedText = typeof shared?.value.value === 'string' ? shared.value.value : undefined;
  const users: ItemSource[] = [];
  const missingBy = new Map<string, ItemSource[]>();
  const everything = new Set<string>(['index']);

  for (const source of sources) {
    const available = availableNames(defaults, source, field);
    for (const n of available) everything.add(n);
    const own = ownTemplates(source, field);
    if (own.length > 0) {
      for (const { text, at } of own) {
        for (const p of placeholders(text)) {
          if (available.has(p.name)) continue;
          r.error(placeholderSpan(r, at, p.name), Codes.unknownParam, `'{${p.name}}' in '${field}' names no parameter of this entry`, didYouMean(p.name, available) ?? literalHint(p.name));
        }
      }
      continue;
    }
    if (sharedText === undefined) continue;
    users.push(source);
    for (const p of placeholders(sharedText)) {
      if (available.has(p.name)) continue;
      const list = missingBy.get(p.name) ?? [];
      if (!list.includes(source)) list.push(source);
      missingBy.set(p.name, list);
    }
  }

  for (const [name, missing] of missingBy) {
    const at = placeholderSpan(r, shared!.entry.span, name);
    if (missing.length === users.length) {
      const hint = didYouMean(name, [...everything].filter((n) => !(field === 'name' && n === 'name'))) ?? literalHint(name);
      r.error(at, Codes.unknownParam, `the ${field} in 'defaults' uses '{${name}}', but no entry defines '${name}'`, hint);
      continue;
    }
    for (const source of missing.slice(0, REPORT_AT_MOST)) {
      const what = source.kind === 'matrix' ? "the 'matrix' does" : 'this entry does';
      r.error(source.span, Codes.paramMissing, `${what} not define '${name}', which the ${field} in 'defaults' uses ('{${name}}')`, `add '${name}' here, or a default for it in 'defaults'`, {
        message: 'used',
        file: r.file,
        offset: at.start,
      });
    }
    if (missing.length > REPORT_AT_MOST) {
      r.error(at, Codes.paramMissing, `${missing.length - REPORT_AT_MOST} more entries do not define '${name}', which this ${field} uses`, `add a default for '${name}' in 'defaults'`);
    }
  }
}

function availableNames(defaults: Map<string, WrittenField>, source: ItemSource, field: Templated): Set<string> {
  const names = new Set<string>(['index', ...defaults.keys(), ...source.own.keys()]);
  // A name can use every parameter but itself; a command can use the (substituted) name.
  if (field === 'name') names.delete('name');
  else names.add('name');
  return names;
}

function ownTemplates(source: ItemSource, field: Templated): { text: string; at: Span }[] {
  if (source.kind === 'entry') {
    const own = source.own.get(field);
    return typeof own?.value.value === 'string' ? [{ text: own.value.value, at: own.entry.span }] : [];
  }
  const axis = source.axes?.find((a) => a.entry.key === field);
  if (!axis) return [];
  const texts = [...new Set(axis.values.map((v) => v.value).filter((v): v is string => typeof v === 'string'))];
  return texts.map((text) => ({ text, at: axis.entry.span }));
}

/** The `{name}` inside a written string, or the whole string when escapes make the offsets differ. */
function placeholderSpan(r: Reader, at: Span, name: string): Span {
  const written = r.source.text.slice(at.start, at.end);
  const i = written.indexOf(`{${name}}`);
  return i < 0 ? at : { start: at.start + i, end: at.start + i + name.length + 2 };
}

const literalHint = (name: string): string => `define '${name}' in 'defaults' or in the entries; for literal braces write '{{${name}}}'`;

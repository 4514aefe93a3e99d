// Date templates in a kind's arguments: `s3://raw/{yyyy}/{mm}/{dd}/` is checked when read and
// rendered as a States.Format of the run's date parts (`$.run`, set by the prologue). The text
// around the templates is an intrinsic string literal with its quotes, braces and backslashes
// escaped: a value is always data, never a path or an intrinsic of its own.
import { Codes } from '../messages.ts';
import type { Entry, Reader } from '../check/reader.ts';
import { ownMap } from '../check/data.ts';
import { DATE_TEMPLATE_FIELDS, templateProblem } from '../check/values.ts';
import type { ReadContext, State } from './kind.ts';
import { dataPath, isDataTemplate } from './data-templates.ts';

type TemplateField = (typeof DATE_TEMPLATE_FIELDS)[number];

/** Where each template's value lives in a running state machine's input. */
const PATHS: Record<TemplateField, string> = {
  date: '$.date',
  datekey: '$.run.datekey',
  yyyy: '$.run.yyyy',
  mm: '$.run.mm',
  dd: '$.run.dd',
  hh: '$.run.hh',
};

const TEMPLATE = /\{([a-z][a-z0-9_.]*)\}/g;

/** An intrinsic string literal's text: quote, brace and backslash escaped. */
export const intrinsicText = (text: string): string => text.replace(/[\\'{}]/g, (c) => `\\${c}`);

/**
 * A backslash in the text, as a format argument. Step Functions reads `\\` in an intrinsic string
 * as one backslash, but asl-validator's intrinsic grammar (which the local engine uses too) cannot
 * read that escape and refuses the definition; the base64 of '\\' needs no escape at all.
 */
const BACKSLASH = "States.Base64Decode('XA==')";

/** `States.Format(...)` of a value: templates become the run's date parts, backslashes the argument above. */
function formatOf(value: string): string {
  const args: string[] = [];
  let format = '';
  const text = (t: string): void => {
    t.split('\\').forEach((part, i) => {
      if (i > 0) {
        format += '{}';
        args.push(BACKSLASH);
      }
      format += intrinsicText(part);
    });
  };
  let last = 0;
  for (const m of value.matchAll(TEMPLATE)) {
    text(value.slice(last, m.index));
    format += '{}';
    args.push(isDataTemplate(m[1]) ? dataPath(m[1]) : PATHS[m[1] as TemplateField]);
    last = m.index + m[0].length;
  }
  text(value.slice(last));
  return `States.Format('${format}', ${args.join(', ')})`;
}

const hasTemplate = (value: string): boolean => new RegExp(TEMPLATE.source).test(value);

/** `key: value`, or `key.$: States.Format(...)` when the value has templates. */
export function renderTemplated(key: string, value: string): [string, string] {
  return hasTemplate(value) ? [`${key}.$`, formatOf(value)] : [key, value];
}

/** Every value of a map rendered as above, keys in the order written. */
export function renderTemplatedMap(values: Record<string, string>): State {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => renderTemplated(k, v)));
}

/** A string with date templates; reports an unknown template (or {hh} in a daily workflow). */
export function readTemplated(r: Reader, entry: Entry | undefined, ctx: ReadContext): string | undefined {
  const raw = entry && r.scalar(entry.value);
  const value = typeof raw === 'number' ? String(raw) : r.string(entry);
  if (value === undefined || !entry) return undefined;
  const problem = templateProblem(value, ctx.partition === 'hourly', isDataTemplate);
  if (problem) {
    r.error(entry.span, Codes.badTemplate, problem.message, problem.hint);
    return undefined;
  }
  // Whether each data template names a real output of a job upstream is a graph check (check/references.ts).
  for (const m of value.matchAll(TEMPLATE)) if (isDataTemplate(m[1])) ctx.references?.push({ text: m[1], span: entry.span });
  return value;
}

/**
 * A mapping of names to templated strings (a Glue job's arguments, a Batch job's parameters).
 * A key ending in `.$` would make Step Functions read the value as a path: keys are names, so it
 * is refused.
 */
export function readTemplatedMap(r: Reader, entry: Entry | undefined, ctx: ReadContext, what: string): Record<string, string> | undefined {
  if (!entry) return {};
  if (!r.map(entry)) return undefined;
  const out = ownMap<string>();
  let ok = true;
  for (const item of r.entries(entry.value)) {
    if (item.key.endsWith('.$')) {
      r.error(item.keySpan, Codes.badTemplate, `${what} '${item.key}' ends in '.$', which Step Functions would read as a path`, "values are passed as written; drop the '.$' (date templates such as {date} are filled in for you)");
      ok = false;
      continue;
    }
    const value = readTemplated(r, item, ctx);
    if (value === undefined) ok = false;
    else out[item.key] = value;
  }
  return ok ? out : undefined;
}

/** A list of templated strings (a command, a query's arguments). */
export function readTemplatedList(r: Reader, entry: Entry | undefined, ctx: ReadContext, what: string): string[] | undefined {
  if (!entry) return [];
  const items = r.list(entry);
  if (!items) return undefined;
  const out: string[] = [];
  for (const item of items) {
    const value = readTemplated(r, { key: what, keySpan: item.span, span: item.span, value: item.node }, ctx);
    if (value === undefined) return undefined;
    out.push(value);
  }
  return out;
}

/** A list whose items carry templates: `States.Array(...)` of formats when any does. */
export function renderTemplatedList(key: string, values: readonly string[]): [string, unknown] {
  if (!values.some(hasTemplate)) return [key, [...values]];
  const items = values.map((v) => (hasTemplate(v) || v.includes('\\') ? formatOf(v) : `'${intrinsicText(v)}'`));
  return [`${key}.$`, `States.Array(${items.join(', ')})`];
}

/** `{ NAME: value }` as the `[{ Name, Value }]` list container overrides take (Batch, ECS), values templated. */
export function renderNameValuePairs(values: Record<string, string>): State[] {
  return Object.entries(values).map(([name, value]) => ({ Name: name, ...renderTemplatedMap({ Value: value }) }));
}

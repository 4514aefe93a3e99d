// Data templates in a kind's arguments: `{inputs.<job>.<name>}` (an upstream job's output),
// `{item}` and `{index}` (the element of a `for_each` job). Like the date templates
// (templates.ts) they become arguments of a States.Format that read the run's state, so a
// value is always data: the text around them stays an escaped literal, and the names between the
// braces are checked names (snake_case), never a path the user wrote.
import type { Span } from '../check/reader.ts';

/** A data template met in a job's values, where it was written. */
export interface DataReference {
  /** `inputs.<job>.<name>`, `item` or `index`. */
  text: string;
  span: Span;
}

const NAME = '[a-z][a-z0-9]*(?:_[a-z0-9]+)*';
const DATA = new RegExp(`^(?:inputs\\.${NAME}\\.${NAME}|item|index)$`);

export const isDataTemplate = (field: string): boolean => DATA.test(field);

/** Where a data template's value lives in the state a job's Task reads. */
export function dataPath(field: string): string {
  if (field === 'item' || field === 'index') return `$.${field}`;
  const [, job, name] = field.split('.');
  return `$.outputs.${job}.${name}`;
}

/** `{inputs.a.b}` -> `{ job: 'a', name: 'b' }`; undefined for `{item}` and `{index}`. */
export function inputOf(text: string): { job: string; name: string } | undefined {
  if (!text.startsWith('inputs.')) return undefined;
  const [, job, name] = text.split('.');
  return { job, name };
}

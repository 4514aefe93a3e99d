// What the registry says about kinds in the two places people read: the JSON Schema (editors'
// completion and checks) and the README's kind table. `npm run kinds` writes both; a test keeps
// the committed files equal to what the registry derives.
import { KINDS } from './registry.ts';

/** The kind keys of `definitions.job` in workflow.schema.json: exactly one kind, each with its schema. */
export function jobKindSchema(): { oneOf: { required: string[] }[]; properties: Record<string, unknown> } {
  return {
    oneOf: KINDS.map((k) => ({ required: [k.type] })),
    properties: Object.fromEntries(KINDS.map((k) => [k.type, k.schema])),
  };
}

export const TABLE_START = '<!-- kinds: generated from generator/kinds/registry.ts by `npm run kinds` -->';
export const TABLE_END = '<!-- /kinds -->';

/** The README's table of kinds, between its markers. */
export function kindTable(): string {
  const rows = KINDS.map((k) => `| \`${k.doc.spelling}\` | ${k.doc.runs} | ${k.doc.done} |`);
  return [TABLE_START, '', '| kind | runs | done |', '|---|---|---|', ...rows, '', TABLE_END].join('\n');
}

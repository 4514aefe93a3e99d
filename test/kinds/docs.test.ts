// The registry is the one list of kinds: the checker's keys, the JSON Schema and the README's kind
// table all come from it, and the committed files are what `npm run kinds` writes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readmeWithKinds, schemaWithKinds } from '../../bin/kinds.ts';
import { JOB_KEYS } from '../../generator/check/jobs.ts';
import { KINDS, KIND_TYPES } from '../../generator/kinds/registry.ts';

describe('the kind registry', () => {
  it('gives the checker its kind keys, each once', () => {
    expect(new Set(KIND_TYPES).size).toBe(KINDS.length);
    expect(JOB_KEYS.filter((k) => KIND_TYPES.includes(k))).toEqual([...KIND_TYPES]);
  });

  it('is what the committed JSON Schema and README say (run `npm run kinds` after changing a kind)', () => {
    const schema = readFileSync('schema/workflow.schema.json', 'utf8');
    const readme = readFileSync('README.md', 'utf8');
    expect(schemaWithKinds(schema)).toBe(schema);
    expect(readmeWithKinds(readme)).toBe(readme);
    const job = JSON.parse(schema).definitions.job;
    expect(job.oneOf).toEqual(KIND_TYPES.map((k) => ({ required: [k] })));
    for (const kind of KINDS) expect(readme).toContain(`| \`${kind.doc.spelling}\` |`);
  });

  it('renders a Task for every kind but the sweep, whose states are its own', () => {
    for (const kind of KINDS) expect(kind.task === undefined).toBe(kind.local.mode === 'states');
  });
});

// The JSON Schema editors use agrees with the compiler: it accepts every example, knows the
// same keys the checker knows, and rejects what the checker rejects for structure.
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { JOB_KEYS } from '../../generator/check/jobs.ts';
import { WORKFLOW_KEYS } from '../../generator/check/workflow.ts';
import { expandPaths } from '../../generator/compile.ts';

const schema = JSON.parse(readFileSync('schema/workflow.schema.json', 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const graphs = expandPaths(['workflows']).filter((f) => !f.includes('sweeps'));

describe('schema/workflow.schema.json', () => {
  it.each(graphs)('accepts %s and the file names the schema', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/workflow.schema.json');
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('lists exactly the keys the checker accepts', () => {
    expect(Object.keys(schema.properties).sort()).toEqual([...WORKFLOW_KEYS].sort());
    expect(Object.keys(schema.definitions.job.properties).sort()).toEqual([...JOB_KEYS].sort());
  });

  it('rejects a misspelt key, a job with two kinds and a bad duration', () => {
    expect(validate({ name: 'x', jobs: { a: { lambda: 'f', estimat: '1m' } } })).toBe(false);
    expect(validate({ name: 'x', jobs: { a: { lambda: 'f', task: { resource: 'arn:x' } } } })).toBe(false);
    expect(validate({ name: 'x', jobs: { a: { lambda: 'f', timeout: '2 hours' } } })).toBe(false);
  });
});

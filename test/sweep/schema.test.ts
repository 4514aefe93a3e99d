// The JSON Schema editors use for sweep files agrees with the checker: it accepts every example,
// knows the same top-level keys and spawn fields, and rejects what the checker rejects for structure.
import { Ajv } from 'ajv';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SWEEP_KEYS } from '../../generator/sweep/check.ts';
import { KNOWN_FIELDS } from '../../generator/sweep/model.ts';

const schema = JSON.parse(readFileSync('schema/sweep.schema.json', 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const examples = [
  ...readdirSync('workflows/sweeps').map((f) => join('workflows/sweeps', f)),
  ...readdirSync('test/fixtures').filter((d) => d.startsWith('sweep-') && existsSync(join('test/fixtures', d, 'input.yaml'))).map((d) => join('test/fixtures', d, 'input.yaml')),
  'test/fixtures/sweep-job/sweeps/train.yaml',
];

describe('schema/sweep.schema.json', () => {
  it.each(examples)('accepts %s', (file) => {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.yaml')) expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*schema\/sweep\.schema\.json$/);
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('lists exactly the keys and fields the checker knows', () => {
    expect(Object.keys(schema.properties).sort()).toEqual([...SWEEP_KEYS].sort());
    expect(Object.keys(schema.definitions.fields.properties).sort()).toEqual(Object.keys(KNOWN_FIELDS).sort());
  });

  it('rejects an empty matrix list, max_concurrent 0, two runners, a bad ttl and a sweep with no params', () => {
    const base = { defaults: { instance_type: 't3.micro' }, params: [{ name: 'a' }] };
    expect(validate(base)).toBe(true);
    expect(validate({ ...base, matrix: { lr: [] } })).toBe(false);
    expect(validate({ ...base, max_concurrent: 0 })).toBe(false);
    expect(validate({ ...base, lambda: 'f', state_machine: 'arn:x' })).toBe(false);
    expect(validate({ ...base, defaults: { ttl: '2 hours' } })).toBe(false);
    expect(validate({ defaults: {} })).toBe(false);
  });
});

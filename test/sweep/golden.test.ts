// Golden sweeps: each test/fixtures/sweep-*/input.yaml compiles to its checked-in definition and
// manifest byte for byte (UPDATE_GOLDEN=1 rewrites them: a reviewed diff, not a reflex), and
// the definition passes asl-validator.
import aslValidator from 'asl-validator';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSweepText } from '../../generator/sweep/compile.ts';
import { expectGolden } from '../support/golden.ts';

const root = 'test/fixtures';
// Sweep files; sweep-job holds a workflow with sweep jobs (job.test.ts).
const cases = readdirSync(root).filter((c) => c.startsWith('sweep-') && existsSync(join(root, c, 'input.yaml'))).sort();

describe.each(cases)('%s', (name) => {
  const file = `${root}/${name}/input.yaml`;
  const result = compileSweepText(file, readFileSync(file, 'utf8'));

  it('compiles without diagnostics', () => {
    expect(result.diagnostics).toEqual([]);
  });

  it('matches its golden definition and manifest', () => {
    expectGolden(join(root, name, 'expected.asl.json'), result.compiled!.text);
    expectGolden(join(root, name, 'expected.manifest.json'), `${JSON.stringify(result.compiled!.manifest, null, 2)}\n`);
  });

  it('passes asl-validator', () => {
    const { isValid, errors } = aslValidator(structuredClone(result.compiled!.definition) as never, { checkPaths: true, checkArn: true });
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });
});

describe('the golden cases cover both Map modes', () => {
  it('inline and distributed', () => {
    const mode = (name: string) => compileSweepText('x.yaml', readFileSync(`${root}/${name}/input.yaml`, 'utf8')).compiled!.plan.mode;
    expect(mode('sweep-inline')).toBe('inline');
    expect(mode('sweep-distributed')).toBe('distributed');
  });
});

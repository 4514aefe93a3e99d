// Every case under test/fixtures/_error_/ is a bad workflow and the exact diagnostics it gets.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { expectGolden } from '../support/golden.ts';

const root = 'test/fixtures/_error_';
// Sweep error cases have their own runner.
const cases = readdirSync(root).filter((c) => !c.startsWith('sweep-')).sort();

describe('bad workflows get diagnostics at the right place', () => {
  it.each(cases)('%s', (name) => {
    // GIVEN a bad workflow
    const text = readFileSync(join(root, name, 'input.yaml'), 'latin1');

    // WHEN it is compiled
    const result = compileTexts([{ file: 'input.yaml', text }]);

    // THEN it yields errors (never an exception, never output) matching the golden text
    expect(result.compiled).toEqual([]);
    expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
    const printed = result.diagnostics.map((d) => formatDiagnostic(d, result.lineMaps)).join('\n');
    expectGolden(join(root, name, 'expected.txt'), `${printed}\n`);
  });
});

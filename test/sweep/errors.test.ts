// Every case under test/fixtures/_error_/sweep-*/ is a bad sweep file (input.json or input.yaml)
// and the exact diagnostics it gets (expected.txt): a code, a place and a hint, never a stack.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { compileSweepText } from '../../generator/sweep/compile.ts';
import { expectGolden } from '../support/golden.ts';

const root = 'test/fixtures/_error_';
const cases = readdirSync(root).filter((c) => c.startsWith('sweep-')).sort();

describe('bad sweep files get diagnostics at the right place', () => {
  it.each(cases)('%s', (name) => {
    // GIVEN a bad sweep file
    const input = readdirSync(join(root, name)).find((f) => f.startsWith('input.'))!;
    const text = readFileSync(join(root, name, input), 'utf8');

    // WHEN it is compiled
    const result = compileSweepText(input, text);

    // THEN it yields errors (never an exception, never output) matching the golden text
    expect(result.compiled).toBeUndefined();
    expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
    const printed = result.diagnostics.map((d) => formatDiagnostic(d, () => result.lines)).join('\n');
    expectGolden(join(root, name, 'expected.txt'), `${printed}\n`);
  });
});

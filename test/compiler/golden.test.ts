// The example workflows compile to the checked-in definitions and manifests, byte for byte,
// every definition passes asl-validator, and compiling twice gives identical bytes.
import aslValidator from 'asl-validator';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import { expectGolden } from '../support/golden.ts';

const result = compilePaths(['workflows']);
const golden = 'test/fixtures/golden';

describe('example workflows', () => {
  it('all compile without errors', () => {
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.compiled.map((c) => c.workflow.name)).toEqual(expect.arrayContaining(['player-analytics', 'ad-attribution', 'finance-close']));
  });

  describe.each(result.compiled.map((c) => [c.workflow.name, c] as const))('%s', (name, compiled) => {
    it('matches its golden ASL and manifest', () => {
      for (const d of compiled.definitions) expectGolden(join(golden, `${d.name}.asl.json`), d.text);
      expectGolden(join(golden, `${name}.manifest.json`), `${JSON.stringify(compiled.manifest, null, 2)}\n`);
    });

    it('passes asl-validator', () => {
      for (const d of compiled.definitions) {
        const { isValid, errors } = aslValidator(d.definition, { checkPaths: true, checkArn: true });
        expect(errors).toEqual([]);
        expect(isValid).toBe(true);
      }
    });

    it('compiles to the same bytes every time', () => {
      const again = compilePaths([compiled.workflow.file]).compiled[0];
      expect(again.definitions.map((d) => d.text)).toEqual(compiled.definitions.map((d) => d.text));
    });
  });
});

describe('in-run synchronisation', () => {
  const byName = new Map(result.compiled.map((c) => [c.workflow.name, c]));

  it('the nightly chain and the marker-waiting graph nest without any in-run wait', () => {
    expect(byName.get('player-analytics')!.plan.sync).toEqual([]);
    expect(byName.get('finance-close')!.plan.sync).toEqual([]);
  });

  it('the N shape needs exactly one, on the need expected to finish first', () => {
    // installs (8m) finishes before clicks (12m): attribution waits for installs in the run.
    expect(byName.get('ad-attribution')!.plan.sync).toEqual([{ after: 'installs', job: 'attribution' }]);
  });
});

// Pools in the language (check/pools.ts, pool-agreement.ts) and in the ASL (emit/pool.ts): every
// mistake is a diagnostic at its place with a stable code, and a pool job runs between
// `J acquires <pool>` (a callback wait on the pool subject) and `J releases <pool>`, nothing
// catching its failure.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import type { Diagnostic } from '../../generator/diagnostics.ts';
import { validateAsl } from '../support/asl-validate.ts';

const workflow = (name: string, pools: string, jobs: string): string => `name: ${name}\n${pools}jobs:\n${jobs}`;
const problems = (...files: { file: string; text: string }[]): Diagnostic[] => compileTexts(files).diagnostics;
const codes = (diagnostics: Diagnostic[]): string[] => diagnostics.map((d) => d.code);
const at = (text: string, d: Diagnostic): string => text.slice(d.start, d.end);

describe('pool diagnostics', () => {
  it('SG2030: a job names a pool the workflow does not declare, with a did-you-mean', () => {
    const text = workflow('w', 'pools:\n  warehouse: { slots: 2 }\n', '  a: { lambda: a, pool: warehous }\n  b: { lambda: b, pool: warehouse }\n');
    const [d] = problems({ file: 'w.yaml', text });
    expect(d).toMatchObject({ code: 'SG2030', severity: 'error', hint: "did you mean 'warehouse'?" });
    expect(at(text, d)).toBe('warehous');
  });

  it('SG2030 without any pools: says how to declare one', () => {
    const [d] = problems({ file: 'w.yaml', text: workflow('w', '', '  a: { lambda: a, pool: warehouse }\n') });
    expect(d.code).toBe('SG2030');
    expect(d.hint).toContain('pools: { warehouse: { slots: 3 } }');
  });

  it('SG3041: slots must be a whole number from 1 to 500', () => {
    for (const bad of ['0', '2.5', '"three"', '501']) {
      const text = workflow('w', `pools:\n  warehouse: { slots: ${bad} }\n`, '  a: { lambda: a, pool: warehouse }\n');
      const found = problems({ file: 'w.yaml', text });
      expect(codes(found), bad).toContain('SG3041');
      expect(at(text, found.find((d) => d.code === 'SG3041')!)).toBe(bad);
    }
  });

  it('SG3040: a pool name is snake_case; an unknown key under a pool gets a did-you-mean', () => {
    expect(codes(problems({ file: 'w.yaml', text: workflow('w', 'pools:\n  Ware-House: 2\n', '  a: { lambda: a }\n') }))).toContain('SG3040');
    const [d] = problems({ file: 'w.yaml', text: workflow('w', 'pools:\n  warehouse: { slot: 2 }\n', '  a: { lambda: a, pool: warehouse }\n') }).filter((x) => x.code === 'SG1003');
    expect(d.hint).toContain('slots');
  });

  it('SG2032: a sweep job cannot take a slot', () => {
    const text = workflow('w', 'pools:\n  warehouse: 2\n', '  a:\n    pool: warehouse\n    sweep: { params: [{ name: x }], lambda: train }\n');
    expect(codes(problems({ file: 'w.yaml', text }))).toContain('SG2032');
  });

  it('SG2033: a declared pool no job takes is a warning, and the workflow still compiles', () => {
    const result = compileTexts([{ file: 'w.yaml', text: workflow('w', 'pools:\n  warehouse: 2\n  lake: 1\n', '  a: { lambda: a, pool: warehouse }\n') }]);
    expect(result.diagnostics.map((d) => [d.code, d.severity])).toEqual([['SG2033', 'warning']]);
    expect(result.compiled).toHaveLength(1);
  });

  it('SG2031: two workflows giving one pool different slots, at the second, with a note at the first', () => {
    const first = workflow('a', 'pools:\n  warehouse: { slots: 3 }\n', '  x: { lambda: x, pool: warehouse }\n');
    const second = workflow('b', 'pools:\n  warehouse:\n    slots: 2\n', '  y: { lambda: y, pool: warehouse }\n');
    const third = workflow('c', 'pools:\n  warehouse: 3\n', '  z: { lambda: z, pool: warehouse }\n');
    const found = problems({ file: 'a.yaml', text: first }, { file: 'b.yaml', text: second }, { file: 'c.yaml', text: third });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: 'b.yaml', code: 'SG2031', severity: 'error', related: { file: 'a.yaml' } });
    expect(at(second, found[0])).toBe('2');
    expect(first.slice(found[0].related!.offset, found[0].related!.offset + 1)).toBe('3');
  });
});

describe('a pool job in the ASL', () => {
  const text = workflow('w', 'pools:\n  warehouse: { slots: 2, timeout: 6h }\n', '  extract: { lambda: extract }\n  load:\n    needs: [extract]\n    lambda: load\n    pool: warehouse\n    timeout: 30m\n    retry: { attempts: 2, interval: 1m, backoff: 2 }\n');
  const compiled = compileTexts([{ file: 'w.yaml', text }]).compiled[0];
  const states = compiled.definitions[0].definition.States as Record<string, Record<string, any>>;

  it('acquires a slot before the job and releases it right after, nothing catching a failure', () => {
    expect(states['load selected?'].Default).toBe('load acquires warehouse');
    expect(states['load acquires warehouse'].Next).toBe('load');
    expect(states.load.Next).toBe('load releases warehouse');
    expect(states['load releases warehouse'].Next).toBe('load done');
    for (const name of ['load acquires warehouse', 'load', 'load releases warehouse']) expect(states[name].Catch).toBeUndefined();
  });

  it('waits for the pool subject with the pool timeout as its deadline, and a lease of the job worst case', () => {
    const acquire = states['load acquires warehouse'];
    expect(acquire.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(acquire.TimeoutSeconds).toBe(6 * 3600);
    // 3 attempts of 30m, pauses of 1m and 2m, plus an hour of grace.
    expect(acquire.Parameters.Payload).toEqual({
      action: 'wait',
      subject: { kind: 'pool', pool: 'warehouse', slots: 2, workflow: 'w', job: 'load', leaseSeconds: 3 * 1800 + 60 + 120 + 3600 },
      'token.$': '$$.Task.Token',
      'execution.$': '$$.Execution.Id',
      state: 'load acquires warehouse',
      timeoutSeconds: 6 * 3600,
    });
    expect(states['load releases warehouse'].Parameters.Payload).toEqual({ action: 'pool_release', pool: 'warehouse', 'execution.$': '$$.Execution.Id', job: 'load' });
  });

  it('passes both validators, and lists the pool in the manifest', async () => {
    expect(await validateAsl(compiled.definitions[0].definition)).toEqual([]);
    expect(compiled.manifest.pools).toEqual([{ name: 'warehouse', slots: 2, jobs: ['load'] }]);
  });

  it('a job without a pool has no pool states', () => {
    expect(Object.keys(states).filter((n) => n.startsWith('extract '))).not.toContain('extract acquires warehouse');
  });
});

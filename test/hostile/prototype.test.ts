// Issue 12, item 4: keys a user chooses (parameters, job names, params) are never inherited
// members: `toString`, `constructor`, `valueOf`, `hasOwnProperty` are ordinary keys, and
// `__proto__` is an ordinary key too, never the item's prototype.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { DirectoryMarkerStore } from '../../generator/local/directory-store.ts';
import { runLocally } from '../../generator/local/local-run.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { parseParams } from '../../generator/ops/selection.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, printed } from '../sweep/support.ts';

/** Object.prototype's own names: every one must be a plain user key. */
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype);

describe('a sweep parameter named like an Object.prototype member', () => {
  it.each(PROTOTYPE_KEYS)("'%s' in one entry only compiles, and stays a parameter of that entry alone", (key) => {
    const result = compile({ name: 'proto', defaults: { instance_type: 't3.micro', ttl: '10m', iam_role: 'worker', command: 'run' }, params: [{ [key]: 1, other: 'a' }, { other: 'b' }] });
    expect(result.compiled, printed(result)).toBeDefined();
    const [first, second] = result.compiled!.sweep.items;
    expect(Object.hasOwn(first.fields, key)).toBe(true);
    expect(Object.hasOwn(second.fields, key)).toBe(false);
    expect(first.fields[key]).toBe(1);
  });

  it('`__proto__` inside an entry is a parameter, not the prototype: its role and command are not the item\'s', () => {
    const text = JSON.stringify({ name: 'proto', defaults: { instance_type: 't3.micro', ttl: '10m', iam_role: 'worker', command: 'run' }, params: [{ x: 1 }] }).replace('{"x":1}', '{"x":1,"__proto__":{"iam_role":"not a profile!","command":"rm -rf /"}}');
    const result = compileTexts([{ file: 'proto.json', text }]);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const item = result.sweeps[0].sweep.items[0];
    expect(item.fields.iam_role).toBe('worker');
    expect(item.fields.command).toBe('run');
    expect(Object.getPrototypeOf(item.fields)).toBe(null);
    expect(item.fields['__proto__']).toEqual({ iam_role: 'not a profile!', command: 'rm -rf /' });
  });

  it('a placeholder `{toString}` with no such parameter is reported, not filled with a function', () => {
    const result = compile({ name: 'proto', defaults: { instance_type: 't3.micro', ttl: '10m', command: 'run {toString}' }, params: [{ x: 1 }] });
    expect(result.diagnostics.map((d) => d.code)).toContain('SG5003');
  });
});

describe('a job named constructor', () => {
  const text = 'name: proto\njobs:\n  constructor:\n    lambda: fn-a\n    estimate: 5m\n  after:\n    needs: [constructor]\n    lambda: fn-b\n    params: { toString: x, valueOf: y }\n    local: { command: "echo {toString}" }\n';

  it('compiles to a definition that has its state, and simulates', async () => {
    const result = compileTexts([{ file: 'proto.yaml', text }]);
    expect(result.diagnostics).toEqual([]);
    const compiled = result.compiled[0];
    expect(Object.hasOwn(compiled.definitions[0].definition.States, 'constructor')).toBe(true);
    const report = await simulate(compiled, { date: '2019-03-12' });
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect(report.jobs.map((j) => [j.name, j.status])).toEqual([['constructor', 'succeeded'], ['after', 'succeeded']]);
  });

  it('runs locally, with params named toString and valueOf', async () => {
    const compiled = compileTexts([{ file: 'proto.yaml', text }]).compiled[0];
    const lines: string[] = [];
    const store = new DirectoryMarkerStore(mkdtempSync(join(tmpdir(), 'stepgraph-proto-')));
    const report = await runLocally(compiled, { date: '2019-03-12', params: parseParams(['hasOwnProperty=1', '__proto__=2']), store, output: { write: (t) => void lines.push(t) } }).report;
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect(lines.join('')).toContain('[after] x');
  });
});

describe('--param', () => {
  it('keeps __proto__ and constructor as ordinary keys', () => {
    const params = parseParams(['__proto__=a', 'constructor=b']);
    expect(Object.getPrototypeOf(params)).toBe(null);
    expect(Object.entries(params)).toEqual([['__proto__', 'a'], ['constructor', 'b']]);
  });
});

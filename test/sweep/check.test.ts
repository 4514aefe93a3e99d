// Reading a sweep file: spawn's format as is, stepgraph's additions, and the values each field
// gets after merging, expanding the matrix and substituting {param} and {index}.
import { describe, expect, it } from 'vitest';
import { codes, compile, compiled } from './support.ts';

describe('expansion', () => {
  it('appends the matrix product to params, the last key varying fastest, indexes continuing', () => {
    const { sweep } = compiled(`
name: grid
defaults: {instance_type: t3.micro, ttl: 1h}
params:
  - {name: first, lr: 1}
matrix:
  lr: [0.1, 0.2]
  bs: [16, 32, 64]
`);
    expect(sweep.items.map((i) => [i.index, i.fields.lr, i.fields.bs])).toEqual([
      [0, 1, undefined],
      [1, 0.1, 16], [2, 0.1, 32], [3, 0.1, 64],
      [4, 0.2, 16], [5, 0.2, 32], [6, 0.2, 64],
    ]);
    // Items without a name are named after the sweep and their index.
    expect(sweep.items.map((i) => i.name)).toEqual(['first', 'grid-1', 'grid-2', 'grid-3', 'grid-4', 'grid-5', 'grid-6']);
  });

  it('substitutes {param}, {index} and {name} into command, and parameters into a shared name', () => {
    const { sweep } = compiled(`
name: subst
defaults:
  instance_type: t3.micro
  ttl: 1h
  name: lr-{lr}
  command: "train --lr {lr} --run {index} --tag {name} --opts '{{\\"a\\": 1}}' --home \${HOME} --all {a,b}"
params:
  - {lr: 0.001}
  - {lr: 0.1, name: special}
`);
    expect(sweep.items.map((i) => [i.name, i.fields.command])).toEqual([
      ['lr-0.001', `train --lr 0.001 --run 0 --tag lr-0.001 --opts '{"a": 1}' --home \${HOME} --all {a,b}`],
      ['special', `train --lr 0.1 --run 1 --tag special --opts '{"a": 1}' --home \${HOME} --all {a,b}`],
    ]);
  });

  it('keeps custom fields of any type and the durations in seconds', () => {
    const { sweep } = compiled({
      name: 'custom',
      defaults: { instance_type: 't3.micro', ttl: '1h30m', idle_timeout: '15m', tags: ['a', 'b'], opts: { depth: 3 } },
      params: [{ name: 'x', ttl: '2h' }, { name: 'y' }],
    });
    expect(sweep.items.map((i) => [i.ttlSeconds, i.idleSeconds, i.fields.tags, i.fields.opts])).toEqual([
      [7200, 900, ['a', 'b'], { depth: 3 }],
      [5400, 900, ['a', 'b'], { depth: 3 }],
    ]);
  });

  // How fast this is belongs to the benchmark (bench/, `npm run bench`), not to a test on a shared machine.
  it('expands 10,000 matrix items and compiles them as a distributed Map', () => {
    const axis = (n: number) => Array.from({ length: n }, (_, i) => i);
    const { plan, itemsText } = compiled({ name: 'big', max_concurrent: 500, defaults: { instance_type: 'c5.large', ttl: '1h', command: 'run {a} {b}' }, matrix: { a: axis(100), b: axis(100) } });
    expect(plan.items).toHaveLength(10_000);
    expect(plan.mode).toBe('distributed');
    expect(JSON.parse(itemsText!)).toHaveLength(10_000);
  });
});

describe('settings', () => {
  it('reads max_concurrent, launch_delay (spawn\'s 0s included), tolerated_failures as a count or a percentage', () => {
    expect(compiled({ ...base, max_concurrent: 3, launch_delay: '0s', tolerated_failures: 2 }).sweep).toMatchObject({ maxConcurrent: 3, launchDelaySeconds: 0, toleratedFailures: { count: 2 } });
    expect(compiled({ ...base, launch_delay: '1m30s', tolerated_failures: '10%' }).sweep).toMatchObject({ maxConcurrent: 0, launchDelaySeconds: 90, toleratedFailures: { percent: 10 } });
  });

  it('lets the command line override the name, the concurrency and the launch delay', () => {
    const { sweep } = compiled({ ...base, name: 'from-file', max_concurrent: 3 }, { name: 'from-cli', maxConcurrent: 7, launchDelaySeconds: 5 });
    expect(sweep).toMatchObject({ name: 'from-cli', maxConcurrent: 7, launchDelaySeconds: 5 });
  });

  it('reads a lambda, state machine or task runner; EC2 when none is given', () => {
    expect(compiled({ ...base, lambda: 'score' }).sweep.runner).toEqual({ type: 'lambda', function: 'score' });
    expect(compiled({ ...base, task: { resource: 'arn:aws:states:::batch:submitJob.sync', parameters: { JobName: 'x' } } }).sweep.runner.type).toBe('task');
    expect(compiled(base).sweep.runner).toEqual({ type: 'ec2' });
  });

  it("accepts spawn's documentation keys (comment, date) with at most a warning", () => {
    const result = compile({ ...base, comment: 'ResNet-50 learning rates', date: '2024-01-16' });
    expect(result.compiled).toBeDefined();
    expect(codes(result)).toEqual(['warning SG5016']);
  });
});

describe('problems found after expansion', () => {
  it('an EC2 sweep without an instance type anywhere', () => {
    expect(codes(compile({ name: 'x', defaults: { ttl: '1h' }, params: [{ name: 'a' }, { name: 'b' }] }))).toEqual(['error SG1005']);
  });

  it('an entry without a region among entries with one', () => {
    const result = compile({ name: 'x', defaults: { instance_type: 't3.micro', ttl: '1h' }, params: [{ region: 'us-east-1' }, {}] });
    expect(codes(result)).toEqual(['error SG5020']);
  });

  it('an instance nothing ends, and a command whose exit status cannot be recorded, are warnings', () => {
    const result = compile({ name: 'x', defaults: { instance_type: 't3.micro' }, params: [{ name: 'idle' }, { name: 'cmd', command: 'true' }] });
    expect(result.compiled).toBeDefined();
    expect(codes(result)).toEqual(['warning SG5014', 'warning SG5015']);
  });

  it('two items with the same name are a warning that points at the first', () => {
    const result = compile({ ...base, params: [{ name: 'a' }, { name: 'a' }] });
    expect(codes(result)).toEqual(['warning SG5017']);
    expect(result.diagnostics[0].message).toContain('item 1');
  });

  it('a boot script longer than States.Base64Encode takes', () => {
    const result = compile({ ...base, params: [{ name: 'a', command: 'x'.repeat(9_000) }] });
    expect(codes(result)).toEqual(['error SG5013', 'warning SG5015']);
  });

  it('a matrix that expands past the item limit', () => {
    const axis = Array.from({ length: 400 }, (_, i) => i);
    expect(codes(compile({ ...base, matrix: { a: axis, b: axis } }))).toEqual(['error SG5010']);
  });

  it('a file name that is no sweep name, when the file names none', () => {
    const result = compile({ defaults: base.defaults, params: base.params }, {}, 'My Sweep.yaml');
    expect(codes(result)).toEqual(['error SG5018']);
  });
});

const base = { name: 'demo', defaults: { instance_type: 't3.micro', ttl: '1h' }, params: [{ name: 'a' }] };

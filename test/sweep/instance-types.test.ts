// Instance types are checked against EC2's families and sizes (generator/sweep/instance-types.ts,
// generated from the EC2 API's InstanceType list): typos are errors with a did-you-mean, a
// well-formed name the list lacks (a family or size AWS added since) is a warning.
import { describe, expect, it } from 'vitest';
import { instanceTypeProblem } from '../../generator/sweep/instance-type-check.ts';
import { INSTANCE_FAMILIES } from '../../generator/sweep/instance-types.ts';
import { compile, ec2Sweep } from './support.ts';

describe('the list of instance families', () => {
  it('holds the common families with their sizes, every size in EC2 form, and only own entries', () => {
    expect(INSTANCE_FAMILIES.c5.split(' ')).toEqual(expect.arrayContaining(['large', 'xlarge', '2xlarge', '24xlarge', 'metal']));
    expect(INSTANCE_FAMILIES.t2.split(' ')).toContain('nano');
    for (const family of ['t3', 't4g', 'm5', 'm7i-flex', 'g4dn', 'g5', 'p4d', 'p5', 'inf2', 'trn1', 'u-6tb1', 'mac2-m2pro']) expect(Object.hasOwn(INSTANCE_FAMILIES, family), family).toBe(true);
    for (const [family, sizes] of Object.entries(INSTANCE_FAMILIES)) {
      expect(family).toMatch(/^[a-z]+\d*[a-z]*(?:-[a-z0-9]+)*$/);
      for (const size of sizes.split(' ')) expect(size, family).toMatch(/^(?:nano|micro|small|medium|large|xlarge|\d+xlarge|metal(?:-\d+xl)?)$/);
    }
  });
});

describe('an instance type', () => {
  it.each(['c5.xlarge', 't2.nano', 't3.micro', 'g5.48xlarge', 'p5.48xlarge', 'm7i-flex.large', 'u-6tb1.metal', 'mac2-m2pro.metal', 'c5.metal'])('%s is one EC2 has', (type) => {
    expect(instanceTypeProblem(type)).toBeUndefined();
  });

  it.each([
    ['c5.xlarg', "did you mean 'c5.xlarge'?"],
    ['t3.mcro', "did you mean 't3.micro'?"],
    ['cc5.large', "did you mean 'c5.large'?"],
    ['hpx7a.48xlarge', "did you mean 'hpc7a.48xlarge'?"],
    ['t3micro', "did you mean 't3.micro'?"],
    ['C5.large', "did you mean 'c5.large'?"],
    ['c5.large.x', "did you mean 'c5.large'?"],
  ])('%s is an error with a did-you-mean', (type, hint) => {
    expect(instanceTypeProblem(type)).toEqual({ severity: 'error', message: expect.stringContaining(`'${type}' is not an EC2 instance type`), hint });
  });

  it('GIVEN names of inherited members WHEN checked THEN they are no family (the list is read by own keys only)', () => {
    for (const type of ['constructor.large', '__proto__.large', 'toString.xlarge']) expect(instanceTypeProblem(type)?.severity, type).toBe('error');
  });

  it.each([
    ['c9i.large', "'c9i' is not an instance family"],
    ['zz9.large', "'zz9' is not an instance family"],
    ['c5.nano', "'c5.nano' is not a size EC2 lists for c5"],
  ])('%s, well formed but not in the list (AWS may have added it), is a warning', (type, message) => {
    const problem = instanceTypeProblem(type);
    expect(problem?.severity).toBe('warning');
    expect(problem?.message).toContain(message);
  });
});

describe('instance types in a sweep', () => {
  it('GIVEN a typo in defaults and in an entry WHEN compiled THEN SG5006 errors at each value', () => {
    const text = ['name: demo', 'defaults:', '  instance_type: c5.xlarg', '  ttl: 10m', 'params:', '  - { lr: 1 }', '  - { lr: 2, instance_type: cc5.large }', ''].join('\n');
    const result = compile(text);
    expect(result.compiled).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.severity, d.code, result.lines.position(d.start).line, d.hint])).toEqual([
      ['error', 'SG5006', 3, "did you mean 'c5.xlarge'?"],
      ['error', 'SG5006', 7, "did you mean 'c5.large'?"],
    ]);
  });

  it('GIVEN a family the list lacks WHEN compiled THEN a warning, and the sweep still compiles with that type', () => {
    const result = compile(ec2Sweep(2, {}, { instance_type: 'c9i.large' }));
    expect(result.diagnostics.map((d) => [d.severity, d.code])).toEqual([['warning', 'SG5006']]);
    expect(result.compiled?.sweep.items.map((i) => i.fields.instance_type)).toEqual(['c9i.large', 'c9i.large']);
  });
});

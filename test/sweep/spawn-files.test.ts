// The parameter files of spawn's sweep guide (workflows/sweeps/*.json, copied as the guide prints
// them) compile as they are, pass asl-validator, compile to the same bytes twice, and keep
// spawn's merge rules: defaults first, each entry overriding, order kept.
import aslValidator from 'asl-validator';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSweepFile } from '../../generator/sweep/compile.ts';

const dir = 'workflows/sweeps';
const files = readdirSync(dir).filter((f) => /\.(json|ya?ml)$/.test(f)).sort();
const spawnGuide = ['quickstart.json', 'basic-structure.json', 'merge-example.json', 'hyperparam.json', 'ab-test.json', 'multi-region.json', 'batch-processing.json', 'grid-search.json'];

describe('example sweeps', () => {
  it("include every parameter file of spawn's guide", () => {
    expect(files).toEqual(expect.arrayContaining(spawnGuide));
  });

  describe.each(files)('%s', (file) => {
    const result = compileSweepFile(join(dir, file));

    it('compiles without errors', () => {
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(result.compiled).toBeDefined();
    });

    it('passes asl-validator', () => {
      // The validator annotates what it is given: hand it a copy.
      const { isValid, errors } = aslValidator(structuredClone(result.compiled!.definition) as never, { checkPaths: true, checkArn: true });
      expect(errors).toEqual([]);
      expect(isValid).toBe(true);
    });

    it('compiles to the same bytes every time', () => {
      expect(compileSweepFile(join(dir, file)).compiled!.text).toBe(result.compiled!.text);
    });
  });
});

describe("spawn's merge rules", () => {
  it('gives each entry the defaults it does not override (the guide\'s "How Parameters Are Merged")', () => {
    // GIVEN the guide's merge example WHEN it is compiled
    const { sweep } = compileSweepFile(join(dir, 'merge-example.json')).compiled!;

    // THEN instance 0 keeps the default region and instance 1 overrides it
    expect(sweep.items.map((i) => [i.index, i.name, i.fields])).toEqual([
      [0, 'test-1', { instance_type: 't3.micro', region: 'us-east-1', ttl: '1h', name: 'test-1', alpha: 0.5 }],
      [1, 'test-2', { instance_type: 't3.micro', region: 'us-west-2', ttl: '1h', name: 'test-2', alpha: 0.9 }],
    ]);
  });

  it('keeps the order of the generated grid and names the sweep after its file', () => {
    const { sweep } = compileSweepFile(join(dir, 'grid-search.json')).compiled!;
    expect(sweep.name).toBe('grid-search');
    expect(sweep.items.map((i) => i.name)).toEqual([
      'lr-0.001-bs-16', 'lr-0.001-bs-32', 'lr-0.001-bs-64',
      'lr-0.01-bs-16', 'lr-0.01-bs-32', 'lr-0.01-bs-64',
      'lr-0.1-bs-16', 'lr-0.1-bs-32', 'lr-0.1-bs-64',
    ]);
    expect(sweep.items.every((i) => i.fields.instance_type === 'g5.xlarge' && i.ttlSeconds === 4 * 3600)).toBe(true);
  });

  it('launches everything at once without max_concurrent, as spawn does', () => {
    const { plan, definition } = compileSweepFile(join(dir, 'quickstart.json')).compiled!;
    expect(plan.maxConcurrent).toBe(0);
    expect((definition.States['Default settings'] as { Result: { maxConcurrent: number } }).Result.maxConcurrent).toBe(0);
  });

  it('runs a sweep over several regions through the cross-region function', () => {
    const { plan, manifest } = compileSweepFile(join(dir, 'multi-region.json')).compiled!;
    expect(plan.ec2!.regions).toEqual(['ap-northeast-1', 'eu-west-1', 'us-east-1', 'us-west-2']);
    expect(plan.ec2!.crossRegion).toBe(true);
    expect(manifest.substitutions).toEqual(['RouterFunctionArn', 'SweepEc2FunctionArn']);
    expect(manifest.waits.instanceRegions).toEqual(['ap-northeast-1', 'eu-west-1', 'us-east-1', 'us-west-2']);
    expect(plan.items.map((i) => i.region)).toEqual(['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1']);
  });
});

// Planning: inline or distributed against Step Functions' limits, launch spacing, the deadline
// of each item's wait, launch shapes and tags, and the settings a definition starts from.
import { describe, expect, it } from 'vitest';
import { launchDelayOf, NO_TTL_DEADLINE_SECONDS, toleratedCount } from '../../generator/sweep/plan.ts';
import { isArm } from '../../generator/sweep/ec2.ts';
import { compiled, ec2Sweep } from './support.ts';

describe('inline or distributed', () => {
  it('is inline for a few items at most 40 at a time', () => {
    const { plan } = compiled(ec2Sweep(10, { max_concurrent: 5 }));
    expect(plan.mode).toBe('inline');
    expect(plan.reasons[0]).toMatch(/^10 items, at most 5 at a time/);
  });

  it('is distributed above 40 at a time, also when "no limit" means more than 40', () => {
    expect(compiled(ec2Sweep(50, { max_concurrent: 41 })).plan.reasons).toEqual(['max_concurrent 41 is above the inline Map\'s 40']);
    expect(compiled(ec2Sweep(41, {}, { ttl: '1m' })).plan.reasons[0]).toBe("no concurrency limit on 41 items is above the inline Map's 40");
    expect(compiled(ec2Sweep(40, {}, { ttl: '1m' })).plan.mode).toBe('inline');
  });

  it('logs the same history for an item whatever its ttl: its wait is one callback, not a poll loop', () => {
    const short = compiled(ec2Sweep(30, { max_concurrent: 5 }, { ttl: '1m' })).plan;
    const long = compiled(ec2Sweep(30, { max_concurrent: 5 }, { ttl: '4h' })).plan;
    expect(long.historyEvents).toBe(short.historyEvents);
    expect(long.mode).toBe('inline');
    expect(long.historyEvents).toBeLessThan(30 * 60);
  });

  it('is distributed when the items\' retries would fill one execution\'s history', () => {
    const retried = { name: 'retried', lambda: 'f', max_concurrent: 5, retry: { attempts: 12, interval: '1m' }, matrix: { a: Array.from({ length: 350 }, (_, i) => i) } };
    const { plan } = compiled(retried);
    expect(plan.mode).toBe('distributed');
    expect(plan.reasons).toEqual([expect.stringMatching(/^one execution would log about [\d,]+ history events \(limit 25,000\)$/)]);
  });

  it('is distributed past 1,000 items, and when the items outgrow the input', () => {
    const many = { name: 'many', max_concurrent: 10, lambda: 'f', defaults: {}, matrix: { a: Array.from({ length: 1001 }, (_, i) => i) } };
    expect(compiled(many).plan.reasons).toContain('1001 items are more than 1000');
    const fat = { name: 'fat', max_concurrent: 10, lambda: 'f', params: Array.from({ length: 50 }, (_, i) => ({ name: `n${i}`, blob: 'x'.repeat(3000) })) };
    expect(compiled(fat).plan.reasons.join()).toMatch(/the items take 14\d\.\d KiB of the 256 KiB input/);
  });
});

describe('launch_delay under a rolling queue', () => {
  it('spaces the first wave exactly and gives items that start together different offsets', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((p) => launchDelayOf(p, 3, 10))).toEqual([0, 10, 20, 0, 10, 20, 0, 10]);
    // Without a limit everything starts at once: the i-th launch waits i delays.
    expect([0, 1, 2, 3].map((p) => launchDelayOf(p, 4, 5))).toEqual([0, 5, 10, 15]);
    expect(launchDelayOf(7, 3, 0)).toBe(0);
  });

  it('puts each item\'s delay in the item, and no Wait state without a delay', () => {
    const delayed = compiled(ec2Sweep(4, { max_concurrent: 2, launch_delay: '30s' }));
    expect(delayed.plan.items.map((i) => i.delay)).toEqual([0, 30, 0, 30]);
    const processor = (c: typeof delayed) => Object.keys((c.definition.States.demo as { ItemProcessor: { States: object } }).ItemProcessor.States);
    expect(processor(delayed)).toContain('demo launch delay');
    const prompt = compiled(ec2Sweep(4, { max_concurrent: 2 }));
    expect(prompt.plan.items.every((i) => i.delay === undefined)).toBe(true);
    expect(processor(prompt)).not.toContain('demo launch delay');
  });
});

describe('EC2 details', () => {
  it('gives every item the deadline of its wait: ttl + 5m, or a year (an execution\'s longest life) without a ttl', () => {
    const { plan } = compiled({ name: 'deadlines', defaults: { instance_type: 't3.micro' }, params: [{ ttl: '1h' }, { name: 'forever' }] });
    expect(plan.items.map((i) => i.deadline)).toEqual([3900, NO_TTL_DEADLINE_SECONDS]);
    expect(NO_TTL_DEADLINE_SECONDS).toBeLessThanOrEqual(99_999_999);
  });

  it('groups items by the optional RunInstances fields they set, one launch Task per group', () => {
    const { plan, definition } = compiled({ name: 'shapes', defaults: { instance_type: 't3.micro', ttl: '1h' }, params: [{ name: 'a' }, { name: 'b', spot: true, key_name: 'k' }, { name: 'c' }] });
    expect(plan.ec2!.shapes).toEqual([[], ['KeyName', 'InstanceMarketOptions']]);
    expect(plan.items.map((i) => i.shape)).toEqual([0, 1, 0]);
    const states = (definition.States.shapes as { ItemProcessor: { States: Record<string, { Parameters?: Record<string, unknown> }> } }).ItemProcessor.States;
    expect(Object.keys(states['shapes launch (2)'].Parameters!)).toEqual(expect.arrayContaining(['KeyName.$', 'InstanceMarketOptions.$']));
    expect(Object.keys(states['shapes launch (1)'].Parameters!)).not.toContain('KeyName.$');
  });

  it('launches Graviton types on the arm64 Amazon Linux and the rest on x86_64', () => {
    expect(['t4g.small', 'c7gn.large', 'is4gen.xlarge', 'a1.large', 'g5g.xlarge'].every(isArm)).toBe(true);
    expect(['t3.micro', 'g4dn.xlarge', 'g5.xlarge', 'c7i.xlarge', 'm5.large'].some(isArm)).toBe(false);
    const { plan } = compiled({ name: 'arch', defaults: { ttl: '1h' }, params: [{ instance_type: 't4g.micro' }, { instance_type: 't3.micro' }, { instance_type: 't3.micro', ami: 'ami-0123456789abcdef0' }] });
    expect(plan.items.map((i) => i.launch!.ImageId)).toEqual([
      'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
      'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      'ami-0123456789abcdef0',
    ]);
  });

  it('tags every instance with the custom parameters all items have, and passes the instance profile by name or ARN', () => {
    const { plan } = compiled({
      name: 'tags',
      defaults: { instance_type: 't3.micro', ttl: '1h', iam_role: 'worker', lr: 0.1 },
      params: [{ bs: 32, only_here: 'x' }, { bs: 64, iam_role: 'arn:aws:iam::123456789012:instance-profile/other' }],
    });
    expect(plan.ec2!.paramTags).toEqual(['bs', 'lr']);
    expect(plan.items.map((i) => i.tags)).toEqual([['32', '0.1'], ['64', '0.1']]);
    expect(plan.items.map((i) => i.launch!.IamInstanceProfile)).toEqual([{ Name: 'worker' }, { Arn: 'arn:aws:iam::123456789012:instance-profile/other' }]);
  });

  it('terminates an instance 5 minutes past its ttl and expects an exit status only from a command with an instance profile', () => {
    const { plan } = compiled({ name: 'exits', defaults: { instance_type: 't3.micro', ttl: '30m' }, params: [{ command: 'a', iam_role: 'w' }, { command: 'b' }, { iam_role: 'w' }] });
    expect(plan.items.map((i) => [i.deadline, i.reportsExit])).toEqual([[2100, true], [2100, false], [2100, false]]);
  });
});

describe('tolerated failures', () => {
  it('a percentage of the items, rounded down, for the inline Map\'s own count', () => {
    expect(toleratedCount({ percent: 10 }, 25)).toBe(2);
    expect(toleratedCount({ percent: 100 }, 7)).toBe(7);
    expect(toleratedCount({ count: 3 }, 1)).toBe(3);
  });

  it('a distributed Map reads a percentage natively; an inline one gets the count', () => {
    const settings = (sweep: object) => (compiled(sweep).definition.States['Default settings'] as { Result: Record<string, unknown> }).Result;
    expect(settings(ec2Sweep(50, { max_concurrent: 50, tolerated_failures: '10%' }))).toMatchObject({ toleratedFailurePercentage: 10 });
    expect(settings(ec2Sweep(20, { max_concurrent: 5, tolerated_failures: '10%' }))).toMatchObject({ toleratedFailureCount: 2 });
  });
});

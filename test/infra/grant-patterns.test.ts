// Grants that do not grow with the jobs: merged statements, long lists collapsed into prefixes
// that keep service, account and resource type, and a policy budget that narrows only as needed.
import { describe, expect, it } from 'vitest';
import { collapseResources, compactGrants, policyChars, POLICY_BUDGET } from '../../infra/grant-patterns.ts';

const fn = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;

describe('collapsing resource lists', () => {
  it('GIVEN few resources WHEN collapsed THEN they stay as written, in order', () => {
    expect(collapseResources([fn('b'), fn('a'), fn('b')])).toEqual([fn('b'), fn('a')]);
  });

  it('GIVEN many functions sharing prefixes WHEN collapsed to 3 THEN names sharing a prefix become one pattern, the others stay literal', () => {
    const names = [...Array.from({ length: 10 }, (_, i) => `etl-load-${i}`), ...Array.from({ length: 10 }, (_, i) => `etl-export-${i}`), 'report'];
    const out = collapseResources(names.map(fn), 3);
    expect(out).toEqual([fn('etl-expor*'), fn('etl-load-*'), fn('report')]);
    expect(collapseResources(names.map(fn), 12)).toEqual([fn('etl-export-*'), ...Array.from({ length: 10 }, (_, i) => fn(`etl-load-${i}`)), fn('report')]);
  });

  it('GIVEN names with nothing in common WHEN collapsed THEN the function type stays literal (never a bare "*")', () => {
    const out = collapseResources(['a', 'b', 'c', 'd'].map(fn), 1);
    expect(out).toEqual([fn('*')]);
    expect(collapseResources(['arn:aws:s3:::x/a', 'arn:aws:sns:eu-west-1:1:t'], 1)).toEqual(['arn:aws:s3:::x/a', 'arn:aws:sns:eu-west-1:1:t']);
  });
});

describe('compacting grants', () => {
  it('GIVEN one grant per job with the same actions WHEN compacted THEN one statement, and its size does not grow with the jobs', () => {
    const perJob = (n: number) => Array.from({ length: n }, (_, i) => ({ actions: ['lambda:InvokeFunction'], resources: [fn(`job-${i}`)] }));
    const small = compactGrants(perJob(100));
    const large = compactGrants(perJob(10_000));
    expect(small).toHaveLength(1);
    expect(large).toHaveLength(1);
    expect(policyChars(large)).toBeLessThanOrEqual(POLICY_BUDGET);
    expect(large[0].wildcardReason).toMatch(/pattern/);
  });

  it('GIVEN grants with different conditions WHEN compacted THEN they stay apart', () => {
    const out = compactGrants([
      { actions: ['iam:PassRole'], resources: ['arn:aws:iam::1:role/a'], conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } },
      { actions: ['iam:PassRole'], resources: ['arn:aws:iam::1:role/b'] },
    ]);
    expect(out).toHaveLength(2);
  });
});

// cdk-nag's AWS Solutions checks on every stack: no finding left unacknowledged, and every
// acknowledgement carries a reason someone could review.
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { exampleSweeps, exampleWorkflows, synth, synthSweep } from './support.ts';
import { sweepJobFixture, variants } from './variants.ts';

const stacks = [...[...exampleWorkflows(), ...Object.values(variants()), sweepJobFixture()].map((c) => synth(c)), ...exampleSweeps().map((c) => synthSweep(c))];

function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason }))),
  );
}

describe.each(stacks.map((s) => [s.stack.stackName, s] as const))('%s', (_, { stack }) => {
  it('has no unacknowledged AwsSolutions finding', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only known rules, each with a reason', () => {
    const acks = acknowledgements(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id, ack.path).toMatch(/^(Annotation::)?AwsSolutions-(IAM5\[Resource::.+\]|L1|S1|DDB3)$/);
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(60);
    }
  });
});

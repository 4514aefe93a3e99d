// A for_each run as a Distributed Map: the state machine's role may start executions of its own
// machine, describe and stop them, and redrive the Map's labelled children; nothing in S3 beyond
// the markers (items come from the state, results go back into it). cdk-nag: test/infra/nag.test.ts.
import { describe, expect, it } from 'vitest';
import { aslAccess } from './asl-access.ts';
import { allowed, compileYaml, logicalId, machineArn, resources, synth, uncovered } from './support.ts';

const s = synth(
  compileYaml(`name: fan-out
jobs:
  list: { lambda: list, outputs: { keys: $.Payload.keys } }
  each:
    needs: [list]
    for_each: list.keys
    map: distributed
    tolerated_failures: 2
    lambda: each
    outputs: { key: $.Payload.key }
`),
);
const policy = (prefix: string) => Object.entries(resources(s.template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith(prefix))![1].Properties!.PolicyDocument;
const ARN = 'arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>';

describe('a workflow with a distributed for_each', () => {
  const granted = allowed(policy('StateMachineAccess'));

  it("names the job's Map in the manifest", () => {
    expect(s.compiled.manifest.forEachMaps).toEqual([{ job: 'each', machine: 'fan-out', label: 'each' }]);
  });

  it('grants its child executions on its own machine only', () => {
    expect([...granted].filter((p) => p.startsWith('states:')).sort()).toEqual([
      `states:DescribeExecution ${ARN}:execution:fan-out:*`,
      `states:RedriveExecution ${ARN}:execution:fan-out/each:*`,
      `states:StartExecution ${machineArn('fan-out')}`,
      `states:StopExecution ${ARN}:execution:fan-out:*`,
    ]);
  });

  it("grants exactly the S3 keys, functions and machines its definition's Tasks and Maps use", () => {
    const bucket = `<${logicalId(s.stack, s.stack.markers.bucket)}>`;
    const router = s.stack.router ? `<${logicalId(s.stack, s.stack.router.handler.function)}.Arn>` : undefined;
    const used = aslAccess(s.compiled.definitions, { bucket, router });
    const checked = [...granted].filter((p) => /^(s3:|lambda:InvokeFunction|states:StartExecution)/.test(p));
    expect(uncovered(checked, used)).toEqual({ missing: [], unused: [] });
  });
});

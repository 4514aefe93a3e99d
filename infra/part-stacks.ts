// Where a workflow's state machines live: all in its stack, or, past MACHINES_PER_STACK
// (generator/emit/deploy-limits.ts), the child machines of a split graph in nested stacks of
// PARTS_PER_STACK each. A nested stack deploys with its parent (`cdk deploy stepgraph-<name>`);
// CDK passes the role, the log group and the ARNs machines need of each other as parameters and
// outputs, which stay far below CloudFormation's 200 of each at this size.
import { NestedStack, type Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { nestedStacks, PARTS_PER_STACK } from '../generator/emit/deploy-limits.ts';

/** The scope of each definition (by id): the stack for the main machine, a nested stack for parts when needed. */
export function machineScopes(stack: Stack, workflow: string, ids: readonly string[], partsPerStack = PARTS_PER_STACK, nested = nestedStacks(ids.length)): Map<string, Construct> {
  const scopes = new Map<string, Construct>();
  const holders: NestedStack[] = [];
  ids.forEach((id, i) => {
    if (id === 'main' || nested === 0) {
      scopes.set(id, stack);
      return;
    }
    const k = Math.floor((i - 1) / partsPerStack);
    holders[k] ??= new NestedStack(stack, `Parts${k + 1}`, { description: `stepgraph workflow ${workflow}: child state machines, group ${k + 1}` });
    scopes.set(id, holders[k]);
  });
  return scopes;
}

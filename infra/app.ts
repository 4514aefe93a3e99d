// The CDK app: every workflow in workflows/ becomes the stack `stepgraph-<name>`, and so does every
// sweep file (workflows/sweeps/: `stepgraph-<sweep name>`). A file with errors is reported with
// the diagnostics `stepgraph validate` prints and its stack left out; synth stops only when
// nothing compiles. cdk-nag's AWS Solutions checks run on every synth;
// an unacknowledged finding fails it.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from './handler-function.ts';
import { loadWorkflows } from './load-workflows.ts';
import { SweepStack } from './sweep-stack.ts';
import { WorkflowStack } from './workflow-stack.ts';
import { PoolsStack, POOLS_STACK_NAME, poolPeers } from './pools.ts';

const app = new App();
// `-c workflows=<folder>` deploys another folder of workflows (paths relative to the project).
const folder = (app.node.tryGetContext('workflows') as string | undefined) ?? 'workflows';
const loaded = loadWorkflows(resolve(PROJECT_ROOT, folder));
for (const line of loaded.messages) console.error(line);
if (!loaded.ok) process.exit(1);

// Pools are shared by every workflow of the account and region: one stack owns their table.
const manifests = loaded.compiled.map((c) => c.manifest);
const pools = manifests.some((m) => (m.pools ?? []).length > 0) ? new PoolsStack(app, POOLS_STACK_NAME) : undefined;
for (const compiled of loaded.compiled) {
  const stack = new WorkflowStack(app, compiled.manifest.stackName, { compiled, poolPeers: poolPeers(compiled.manifest, manifests) });
  if (pools && (compiled.manifest.pools ?? []).length > 0) stack.addDependency(pools);
}
for (const compiled of loaded.sweeps) new SweepStack(app, compiled.manifest.stackName, { compiled });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();

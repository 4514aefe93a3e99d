// The CDK app: every workflow in workflows/ becomes the stack `stepgraph-<name>`, and so does every
// sweep file in workflows/sweeps/ (`stepgraph-<sweep name>`). A file with errors stops synth with
// the diagnostics `stepgraph validate` prints. cdk-nag's AWS Solutions checks run on every synth;
// an unacknowledged finding fails it.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from './handler-function.ts';
import { loadSweeps } from './load-sweeps.ts';
import { loadWorkflows } from './load-workflows.ts';
import { SweepStack } from './sweep-stack.ts';
import { WorkflowStack } from './workflow-stack.ts';

const app = new App();
// `-c workflows=<folder>` deploys another folder of workflows (paths relative to the project).
const folder = (app.node.tryGetContext('workflows') as string | undefined) ?? 'workflows';
const loaded = loadWorkflows(resolve(PROJECT_ROOT, folder));
const sweeps = loadSweeps(join(resolve(PROJECT_ROOT, folder), 'sweeps'), new Map(loaded.compiled.map((c) => [c.manifest.stackName, c.workflow.file])));
// A YAML sweep file is read by both loaders (the workflow loader checks it as a sweep): say each thing once.
for (const line of new Set([...loaded.messages, ...sweeps.messages])) console.error(line);
if (!loaded.ok || !sweeps.ok) process.exit(1);

for (const compiled of loaded.compiled) new WorkflowStack(app, compiled.manifest.stackName, { compiled });
for (const compiled of sweeps.compiled) new SweepStack(app, compiled.manifest.stackName, { compiled });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();

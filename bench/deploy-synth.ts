// Synthesizing a workflow's stack in-process, the way `npx cdk synth` does (cdk.json's context:
// its feature flags), Lambda bundling skipped (assets do not count against these limits).
import { App } from 'aws-cdk-lib';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompiledWorkflow } from '../generator/compile.ts';
import { PROJECT_ROOT } from '../infra/handler-function.ts';
import { WorkflowStack } from '../infra/workflow-stack.ts';

export function cdkContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
}

/** The stack's template as `cdk synth` writes it, and those of its nested stacks (big workflows). */
export function synthTemplate(compiled: CompiledWorkflow): { template: Record<string, any>; nested: Record<string, any>[]; stack: WorkflowStack } {
  const app = new App({ context: { ...cdkContext(), 'aws:cdk:bundling-stacks': [] } });
  const stack = new WorkflowStack(app, compiled.manifest.stackName, { compiled });
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  const nested = readdirSync(assembly.directory)
    .filter((f) => f.endsWith('.nested.template.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(assembly.directory, f), 'utf8')) as Record<string, any>);
  return { template: artifact.template as Record<string, any>, nested, stack };
}

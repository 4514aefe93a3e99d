// Synthesizing workflow stacks for tests: each stack once per test file, Lambda bundling skipped
// unless asked for (the asset is then a placeholder; one test bundles for real).
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { compilePaths, compileTexts, type CompiledWorkflow } from '../../generator/compile.ts';
import { formatDiagnostic, hasErrors } from '../../generator/diagnostics.ts';
import type { CompiledSweep } from '../../generator/sweep/compile.ts';
import { loadWorkflows } from '../../infra/load-workflows.ts';
import { SweepStack } from '../../infra/sweep-stack.ts';
import { WorkflowStack } from '../../infra/workflow-stack.ts';

export interface Synthesized {
  compiled: CompiledWorkflow;
  stack: WorkflowStack;
  template: Template;
}

export function exampleWorkflows(): CompiledWorkflow[] {
  const result = compilePaths(['workflows']);
  if (hasErrors(result.diagnostics)) throw new Error(result.diagnostics.map((d) => formatDiagnostic(d, result.lineMaps)).join('\n'));
  return result.compiled;
}

export function compileYaml(text: string, file = 'test.yaml'): CompiledWorkflow {
  const result = compileTexts([{ file, text }]);
  if (hasErrors(result.diagnostics)) throw new Error(result.diagnostics.map((d) => formatDiagnostic(d, result.lineMaps)).join('\n'));
  return result.compiled[0];
}

export function synth(compiled: CompiledWorkflow, options: { bundle?: boolean } = {}): Synthesized {
  const app = new App({ context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] } });
  const stack = new WorkflowStack(app, compiled.manifest.stackName, { compiled });
  return { compiled, stack, template: Template.fromStack(stack) };
}

export interface SynthesizedSweep {
  compiled: CompiledSweep;
  stack: SweepStack;
  template: Template;
}

/** Every sweep file in workflows/ (workflows/sweeps/), compiled as the app compiles them. */
export function exampleSweeps(): CompiledSweep[] {
  const loaded = loadWorkflows('workflows');
  if (!loaded.ok) throw new Error(loaded.messages.join('\n'));
  return loaded.sweeps;
}

export function synthSweep(compiled: CompiledSweep): SynthesizedSweep {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new SweepStack(app, compiled.manifest.stackName, { compiled });
  return { compiled, stack, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; DependsOn?: string[] }>;

export const resources = (template: Template, type: string): Resources =>
  template.findResources(type) as Resources;

/** A resource (token or string) the way cdk-nag and these tests read it: `arn:<AWS::Partition>:...`. */
export const flat = (value: unknown): string => flattenCfnReference(value);

/** Every (action, resource) pair an IAM policy document allows. */
export function allowed(document: { Statement: { Effect: string; Action: string | string[]; Resource: unknown }[] }): Set<string> {
  const pairs = new Set<string>();
  for (const s of document.Statement) {
    if (s.Effect !== 'Allow') continue;
    for (const action of [s.Action].flat()) for (const resource of [s.Resource].flat()) pairs.add(`${action} ${flat(resource)}`);
  }
  return pairs;
}

/** The logical id CloudFormation gives a construct's resource in this stack. */
export const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } } | object): string =>
  stack.getLogicalId(((construct as { node: { defaultChild?: unknown } }).node?.defaultChild ?? construct) as never);

/** The (action, resource) pairs of the policy whose logical id starts with `prefix`; empty when there is none. */
export function policyPairs(template: Template, prefix: string): Set<string> {
  const policy = Object.entries(resources(template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith(prefix))?.[1];
  return policy ? allowed(policy.Properties!.PolicyDocument) : new Set();
}

/** How a state machine ARN built from its name (stack-relative) reads once flattened. */
export const machineArn = (name: string): string => `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${name}`;

/** The EventBridge rules of a template whose pattern's source is `source`. */
export const rulesFrom = (template: Template, source: string) =>
  Object.values(resources(template, 'AWS::Events::Rule')).filter((r) => r.Properties!.EventPattern?.source?.[0] === source);

/** IAM's resource matching: `*` any run of characters, `?` one character; the action must be the same. */
export function grantCovers(granted: string, used: string): boolean {
  const [action, resource] = granted.split(' ');
  const [usedAction, usedResource] = used.split(' ');
  if (action !== usedAction) return false;
  const pattern = resource.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`, 's').test(usedResource);
}

/**
 * Grants (action and flattened resource pairs) that allow every `used` pair, and each of which
 * serves at least one of them: patterns (a workflow's marker prefix, its child machines) instead
 * of one ARN per job, but nothing granted that the definitions do not touch.
 */
export function uncovered(granted: Iterable<string>, used: Iterable<string>): { missing: string[]; unused: string[] } {
  const g = [...granted];
  const u = [...used];
  return { missing: u.filter((p) => !g.some((q) => grantCovers(q, p))), unused: g.filter((q) => !u.some((p) => grantCovers(q, p))) };
}

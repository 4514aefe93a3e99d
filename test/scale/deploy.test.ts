// Every limit a deploy meets, checked on real synthesized templates: a 120-job workflow with
// every kind of trigger and alerts, and a 1,000-job random DAG with 12-hour timeouts (the
// benchmark does 10,000). The compiler's own estimates (SG4003/SG4004) must not be below what
// the template shows for the figures it estimates.
import { App } from 'aws-cdk-lib';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureTemplate, overLimits } from '../../bench/deploy-measure.ts';
import { cdkContext, synthTemplate } from '../../bench/deploy-synth.ts';
import { randomDag } from '../../bench/graphs.ts';
import { workflowYaml } from '../../bench/workflow-yaml.ts';
import { compileTexts } from '../../generator/compile.ts';
import { deployFigures } from '../../generator/emit/deploy-limits.ts';
import { WorkflowStack } from '../../infra/workflow-stack.ts';

const TWELVE_HOURS = 12 * 3600;

function compileGenerated(size: number, extra = ''): ReturnType<typeof compileTexts>['compiled'][number] {
  const workflow = randomDag(size, 11, { name: `scale-${size}`, timeoutSeconds: TWELVE_HOURS });
  const result = compileTexts([{ file: `scale-${size}.yaml`, text: workflowYaml(workflow) + extra }]);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.compiled[0];
}

// Triggers and alerts put a router, a timed start, rules and a notify handler in the stack.
const AROUND = `triggers:
  - on_markers: [ingest_raw, ingest_ads, ingest_payments]
  - event: { source: [acme.ingest], detail-type: [Batch Landed] }
    params: { date: $.detail.date, mode: full }
schedule:
  cron: "0 4 * * ? *"
  timezone: Europe/Belgrade
alerts:
  sns_topic: arn:aws:sns:eu-west-1:123456789012:data-alerts
`;

describe.each([
  [120, AROUND],
  [1000, ''],
])('a workflow of %i jobs', (size, extra) => {
  const compiled = compileGenerated(size, extra);
  const { template } = synthTemplate(compiled);
  const figures = measureTemplate(template);

  it('is within every limit of the deploy', () => {
    expect(overLimits(figures)).toEqual([]);
    expect(figures.rolePolicyChars).toBeLessThanOrEqual(10_240);
    expect(figures.templateBytes).toBeLessThanOrEqual(1_000_000);
    expect(figures.resources).toBeLessThanOrEqual(500);
  });

  it('has one log group and one role for all its state machines, and definitions as assets past the inline budget', () => {
    expect(figures.stateMachines).toBe(compiled.definitions.length);
    const machineLogs = Object.values(template.Resources as Record<string, { Type: string; Properties?: { LogGroupName?: string } }>).filter(
      (r) => r.Type === 'AWS::Logs::LogGroup' && String(r.Properties?.LogGroupName ?? '').startsWith('/aws/vendedlogs/states/'),
    );
    expect(machineLogs).toHaveLength(1);
    const roles = new Set(Object.values(template.Resources as Record<string, { Type: string; Properties?: { RoleArn?: unknown } }>).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine').map((r) => JSON.stringify(r.Properties!.RoleArn)));
    expect(roles.size).toBe(1);
  });

  it("stays within the compiler's estimates of what it cannot see", () => {
    const estimate = deployFigures(compiled.workflow, compiled.manifest, compiled.definitions.map((d) => d.deployed));
    expect(figures.templateBytes).toBeLessThanOrEqual(estimate.templateBytes);
    expect(figures.resources).toBeLessThanOrEqual(estimate.resources);
    if (extra) {
      expect(figures.lambdaEnvironmentBytes).toBeGreaterThan(0);
      expect(figures.lambdaEnvironmentBytes).toBeLessThanOrEqual(estimate.lambdaEnvironmentBytes + 200);
      expect(figures.eventPatternChars).toBeGreaterThan(0);
      expect(figures.schedulerInputChars).toBeGreaterThan(0);
    }
  });
});

describe('a workflow with more state machines than one stack holds', () => {
  // Nesting is forced at a small size here (10 child machines per nested stack); past
  // MACHINES_PER_STACK machines a workflow nests by itself.
  const compiled = compileGenerated(1000);
  const app = new App({ context: { ...cdkContext(), 'aws:cdk:bundling-stacks': [] } });
  const stack = new WorkflowStack(app, compiled.manifest.stackName, { compiled, nesting: { partsPerStack: 10, nested: true } });
  const assembly = app.synth();
  const parent = assembly.getStackByName(stack.stackName).template as Record<string, any>;
  const nested = readdirSync(assembly.directory)
    .filter((f) => f.endsWith('.nested.template.json'))
    .map((f) => JSON.parse(readFileSync(join(assembly.directory, f), 'utf8')) as Record<string, any>);

  it('puts the child machines in nested stacks of the one stack `cdk deploy stepgraph-<name>` deploys, each within every limit', () => {
    const parts = compiled.definitions.length - 1;
    expect(nested).toHaveLength(Math.ceil(parts / 10));
    expect(Object.values(parent.Resources as Record<string, { Type: string }>).filter((r) => r.Type === 'AWS::CloudFormation::Stack')).toHaveLength(nested.length);
    expect(measureTemplate(parent).stateMachines).toBe(1);
    expect(nested.reduce((n, t) => n + measureTemplate(t).stateMachines, 0)).toBe(parts);
    for (const t of [parent, ...nested]) expect(overLimits(measureTemplate(t))).toEqual([]);
  });

  it("gives the main machine its children's ARNs through the nested stacks' outputs", () => {
    const main = Object.values(parent.Resources as Record<string, { Type: string; Properties: { DefinitionSubstitutions?: Record<string, unknown> } }>).find((r) => r.Type === 'AWS::StepFunctions::StateMachine')!;
    const subs = Object.entries(main.Properties.DefinitionSubstitutions ?? {}).filter(([k]) => /^Part\d+Arn$/.test(k));
    expect(subs.length).toBeGreaterThan(0);
    for (const [, v] of subs) expect(JSON.stringify(v)).toMatch(/Outputs\./);
  });
});

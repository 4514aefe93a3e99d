// A workflow with `sagemaker_pipeline` jobs: the status-change events go to the router by one rule,
// the activator may start exactly the named pipelines and look at their executions, the router may
// look at those executions (the backstop, a failure's reason) and release or fail the Tasks, the
// state machine only invokes the activator; cdk-nag passes.
import { readFileSync } from 'node:fs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { compileYaml, flat, logicalId, machineArn, policyPairs, resources, rulesFrom, synth } from './support.ts';

const ARN = 'arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:pipeline';
const describePairs = (name: string) =>
  [...new Set([name, name.toLowerCase()])].flatMap((n) => [`sagemaker:DescribePipelineExecution ${ARN}/${n}`, `sagemaker:DescribePipelineExecution ${ARN}/${n}/execution/*`]);

describe('a workflow with SageMaker pipeline jobs', () => {
  const synthesized = synth(compileYaml(readFileSync('test/fixtures/kinds/sagemaker_pipeline/input.yaml', 'utf8'), 'input.yaml'));
  const { template, stack } = synthesized;
  const routerFunction = logicalId(stack, stack.router!.handler.function);

  it("routes SageMaker's terminal status-change events to the router, by one rule", () => {
    const rules = rulesFrom(template, 'aws.sagemaker');
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties!.EventPattern).toEqual({
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Model Building Pipeline Execution Status Change'],
      detail: { currentPipelineExecutionStatus: ['Succeeded', 'Failed', 'Stopped'] },
    });
    expect(rules[0].Properties!.Targets.map((t: { Arn: unknown }) => flat(t.Arn))).toEqual([`<${routerFunction}.Arn>`]);
    // The backstop looks at executions whose event never came.
    expect(Object.values(resources(template, 'AWS::Events::Rule')).some((r) => r.Properties!.ScheduleExpression === 'rate(5 minutes)')).toBe(true);
  });

  it('lets the activator start exactly the named pipelines (both spellings of a name with capitals) and look at their executions', () => {
    const pairs = [...policyPairs(template, 'ActivatorAccess')].filter((p) => p.startsWith('sagemaker:'));
    expect(pairs.sort()).toEqual(
      [
        `sagemaker:StartPipelineExecution ${ARN}/Churn-Retrain`,
        `sagemaker:StartPipelineExecution ${ARN}/churn-retrain`,
        `sagemaker:StartPipelineExecution ${ARN}/churn-batch-score`,
        ...describePairs('Churn-Retrain'),
        ...describePairs('churn-batch-score'),
      ].sort(),
    );
    const release = [...policyPairs(template, 'ActivatorAccess')].filter((p) => p.startsWith('states:'));
    expect(release.sort()).toEqual([`states:SendTaskFailure ${machineArn('churn-model')}`, `states:SendTaskSuccess ${machineArn('churn-model')}`]);
  });

  it("lets the router describe those executions only, and release or fail the workflow's Tasks", () => {
    const pairs = [...policyPairs(template, 'RouterFunctionAccess')];
    expect(pairs.filter((p) => p.startsWith('sagemaker:')).sort()).toEqual([...describePairs('Churn-Retrain'), ...describePairs('churn-batch-score')].sort());
    expect(pairs.filter((p) => p.startsWith('states:')).sort()).toEqual([`states:SendTaskFailure ${machineArn('churn-model')}`, `states:SendTaskSuccess ${machineArn('churn-model')}`]);
  });

  it('gives the state machine no SageMaker action: it invokes the activator, and writes the jobs\' markers', () => {
    const pairs = [...policyPairs(template, 'StateMachineAccess')];
    expect(pairs.filter((p) => p.startsWith('sagemaker:'))).toEqual([]);
    expect(pairs).toContain(`lambda:InvokeFunction <${logicalId(stack, stack.activator!.function)}.Arn>`);
  });

  it('passes cdk-nag', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

describe('a workflow of one SageMaker pipeline job', () => {
  const { template, stack } = synth(compileYaml('name: retrain-only\njobs:\n  retrain:\n    sagemaker_pipeline: churn-retrain\n', 'one.yaml'));

  it('still has a router to release it, and may write the job\'s marker (its `done` state)', () => {
    expect(stack.router).toBeDefined();
    expect(rulesFrom(template, 'aws.sagemaker')).toHaveLength(1);
    expect([...policyPairs(template, 'StateMachineAccess')].some((p) => p.startsWith('s3:PutObject ') && p.endsWith('/done/*__*.done'))).toBe(true);
  });
});

// The Glue, Athena and EMR Serverless kinds' grants in a synthesized workflow stack: exactly what
// Step Functions' policy for each .sync integration needs, scoped to the resources the job names,
// PassRole only to EMR Serverless, the Athena warning at synth, and cdk-nag satisfied.
import { readFileSync } from 'node:fs';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { compileYaml, policyPairs, resources, synth } from './support.ts';

const fixture = (kind: string) => synth(compileYaml(readFileSync(`test/fixtures/kinds/${kind}/input.yaml`, 'utf8'), `${kind}.yaml`));
const REGIONAL = 'arn:<AWS::Partition>:%s:<AWS::Region>:<AWS::AccountId>:';
const regional = (service: string, resource: string): string => `${REGIONAL.replace('%s', service)}${resource}`;
/** The state machine's pairs for the given services. */
const pairsOf = (s: ReturnType<typeof fixture>, ...services: string[]): string[] =>
  [...policyPairs(s.template, 'StateMachineAccess')].filter((p) => services.some((svc) => p.startsWith(`${svc}:`))).sort();

/** The state machine policy's statements that allow `action`. */
function statementsFor(s: ReturnType<typeof fixture>, action: string): Record<string, any>[] {
  const policy = Object.entries(resources(s.template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith('StateMachineAccess'))![1];
  return (policy.Properties!.PolicyDocument.Statement as Record<string, any>[]).filter((st) => [st.Action].flat().includes(action));
}

const nagViolations = (s: ReturnType<typeof fixture>): string[] =>
  new AwsSolutionsChecks().validateScope(s.stack).violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);

describe('glue', () => {
  const s = fixture('glue');

  it("grants start, watch and stop on each named job, nothing on other jobs, and no EventBridge rule", () => {
    const jobs = ['curate-events', 'raw-crawl-job'].map((j) => regional('glue', `job/${j}`));
    const expected = ['glue:BatchStopJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:StartJobRun'].flatMap((a) => jobs.map((j) => `${a} ${j}`));
    expect(pairsOf(s, 'glue')).toEqual(expected.sort());
    expect(pairsOf(s, 'events')).toEqual([]);
  });

  it('passes cdk-nag without a warning of its own', () => {
    expect(nagViolations(s)).toEqual([]);
    expect(Annotations.fromStack(s.stack).findWarning('*', Match.stringLikeRegexp('task-permissions|stepgraph cannot'))).toEqual([]);
  });
});

describe('athena', () => {
  const s = fixture('athena');

  it('grants the query calls on the workgroups, the catalog, the output location and the database', () => {
    expect(pairsOf(s, 'athena')).toEqual(
      [
        ...['athena:GetQueryExecution', 'athena:StartQueryExecution', 'athena:StopQueryExecution'].flatMap((a) => ['etl', 'primary'].map((w) => `${a} ${regional('athena', `workgroup/${w}`)}`)),
        `athena:GetDataCatalog ${regional('athena', 'datacatalog/AwsDataCatalog')}`,
      ].sort(),
    );
    const bucket = 'arn:<AWS::Partition>:s3:::acme-athena-results';
    expect(pairsOf(s, 's3').filter((p) => p.includes('acme-athena-results'))).toEqual(
      [
        ...['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'].map((a) => `${a} ${bucket}`),
        // Up to the first template of s3://acme-athena-results/daily/{yyyy}/{mm}/{dd}/
        ...['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'].map((a) => `${a} ${bucket}/daily/*`),
      ].sort(),
    );
    expect(pairsOf(s, 'glue')).toEqual(
      ['glue:BatchGetPartition', 'glue:GetDatabase', 'glue:GetPartition', 'glue:GetPartitions', 'glue:GetTable', 'glue:GetTables']
        .flatMap((a) => ['catalog', 'database/analytics', 'table/analytics/*'].map((r) => `${a} ${regional('glue', r)}`))
        .sort(),
    );
    expect(pairsOf(s, 'lakeformation', 'events')).toEqual([]);
  });

  it("warns at synth that the query's source data must be readable by the role, for each job", () => {
    const warnings = Annotations.fromStack(s.stack).findWarning('*', Match.stringLikeRegexp('Athena query reads')).map((w) => String(w.entry.data));
    expect(warnings).toEqual([
      expect.stringMatching(/^job 'repair': stepgraph cannot tell which tables the Athena query reads: grant the stack's role read access to their data in S3 .*write access to the output location of workgroup 'primary' and catalog reads/),
      expect.stringMatching(/^job 'daily_totals': stepgraph cannot tell which tables the Athena query reads: .*Lake Formation governs\) \[ack: stepgraph:task-permissions\]$/),
    ]);
  });

  it('passes cdk-nag, its wildcards acknowledged', () => {
    expect(nagViolations(s)).toEqual([]);
  });

  it('reads another catalog through Athena only: no Glue grants, and the warning names the catalog', () => {
    const compiled = compileYaml('name: fed\njobs:\n  q:\n    athena: { query: select 1, catalog: lakehouse, database: sales }\n');
    const [access] = compiled.manifest.access;
    expect(access.grants.flatMap((g) => g.actions.map((a) => `${a} ${g.resources.join(' ')}`))).toEqual([
      'athena:StartQueryExecution arn:${Partition}:athena:${Region}:${Account}:workgroup/primary',
      'athena:GetQueryExecution arn:${Partition}:athena:${Region}:${Account}:workgroup/primary',
      'athena:StopQueryExecution arn:${Partition}:athena:${Region}:${Account}:workgroup/primary',
      'athena:GetDataCatalog arn:${Partition}:athena:${Region}:${Account}:datacatalog/lakehouse',
    ]);
    expect(access.warning).toMatch(/write access to the output location of workgroup 'primary' and what catalog 'lakehouse' needs to be read \(its connector\)$/);
  });
});

describe('emr_serverless', () => {
  const s = fixture('emr_serverless');
  const app = regional('emr-serverless', '/applications/00f1abcd2efgh3ij');

  it('grants starting runs on the application, watching and cancelling its runs, and the managed rule', () => {
    expect(pairsOf(s, 'emr-serverless', 'iam')).toEqual(
      [
        `emr-serverless:StartJobRun ${app}`,
        `emr-serverless:GetJobRun ${app}/jobruns/*`,
        `emr-serverless:CancelJobRun ${app}/jobruns/*`,
        'iam:PassRole arn:aws:iam::123456789012:role/emr-serverless-job',
      ].sort(),
    );
    expect(pairsOf(s, 'events')).toEqual(
      ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'].map((a) => `${a} ${regional('events', 'rule/StepFunctionsGetEventsForEMRServerlessJobRule')}`),
    );
  });

  it('passes the execution role to EMR Serverless only', () => {
    expect(statementsFor(s, 'iam:PassRole')).toEqual([
      expect.objectContaining({ Condition: { StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' } }, Resource: 'arn:aws:iam::123456789012:role/emr-serverless-job' }),
    ]);
  });

  it('passes cdk-nag, its wildcards acknowledged', () => {
    expect(nagViolations(s)).toEqual([]);
  });
});

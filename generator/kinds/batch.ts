// `batch: { queue, definition, command?, parameters?, environment?, array_size? }`: an AWS Batch
// job, submitted with batch:submitJob.sync and done when Batch reports it SUCCEEDED (Step
// Functions follows it through its managed EventBridge rule). The job is named after the
// workflow and the job; queue and definition are given by name or ARN.
//
// `command` overrides the container's command as a list of argv words, each one word whatever it
// holds (Batch runs it without a shell); `parameters` fill the definition's Ref:: placeholders;
// both, like `environment`, may carry date templates.
import { Codes } from '../messages.ts';
import type { Entry, Reader } from '../check/reader.ts';
import { nameOrArnProblem, report, type Problem } from '../check/values.ts';
import type { KindGrant, KindModule, ReadContext, State } from './kind.ts';
import { managedRuleAccess } from './state-machine.ts';
import { readTemplatedList, readTemplatedMap, renderNameValuePairs, renderTemplatedList, renderTemplatedMap } from './templates.ts';
import { resultOver } from './local-result.ts';

export interface BatchKind {
  type: 'batch';
  queue: string;
  definition: string;
  command: string[];
  parameters: Record<string, string>;
  environment: Record<string, string>;
  /** An array job of this many children (2-10,000); absent: a single job. */
  arraySize?: number;
}

const SUBMIT_SYNC = 'arn:aws:states:::batch:submitJob.sync';

// Batch's names: queues and definitions are up to 128 letters, digits, '-' and '_'; a definition
// may name its revision (`name:3`); either may be given as its ARN.
const NAME = '[A-Za-z0-9_-]{1,128}';
const ARN_HEAD = 'arn:(aws|aws-cn|aws-us-gov):batch:([a-z]{2}(?:-[a-z]+)+-\\d):(\\d{12})';
const QUEUE_ARN = new RegExp(`^${ARN_HEAD}:job-queue/(${NAME})$`);
const DEFINITION_ARN = new RegExp(`^${ARN_HEAD}:job-definition/(${NAME})(?::([1-9]\\d*))?$`);
const QUEUE_NAME = new RegExp(`^${NAME}$`);
const DEFINITION_NAME = new RegExp(`^(${NAME})(?::([1-9]\\d*))?$`);
// Batch reserves AWS_BATCH* for the variables it sets itself.
const RESERVED_ENV = /^AWS_BATCH/;
const ARRAY_MIN = 2;
const ARRAY_MAX = 10_000;

const queueProblem = (value: string): Problem | undefined =>
  nameOrArnProblem(value, { name: QUEUE_NAME, arn: QUEUE_ARN }, 'a Batch job queue name or ARN', "a queue name is up to 128 letters, digits, '-' and '_'; an ARN reads arn:aws:batch:eu-west-1:123456789012:job-queue/my-queue");

const definitionProblem = (value: string): Problem | undefined =>
  nameOrArnProblem(value, { name: DEFINITION_NAME, arn: DEFINITION_ARN }, 'a Batch job definition name, name:revision or ARN', "a definition name is up to 128 letters, digits, '-' and '_', optionally with ':<revision>' (without it Batch takes the latest active one); an ARN reads arn:aws:batch:eu-west-1:123456789012:job-definition/my-job:3");

/** Batch's job name: up to 128 letters, digits, '-' and '_', starting with a letter or digit. Workflow and job names always fit. */
const batchJobName = (workflow: string, job: string): string => `${workflow}-${job}`.slice(0, 128);

/** Where the queue lives: its ARN's partition, region and account, or the stack's. */
function queueScope(queue: string): { arn: string; jobs: string } {
  const m = QUEUE_ARN.exec(queue);
  if (m) return { arn: queue, jobs: `arn:${m[1]}:batch:${m[2]}:${m[3]}:job/*` };
  return { arn: `arn:\${Partition}:batch:\${Region}:\${Account}:job-queue/${queue}`, jobs: 'arn:${Partition}:batch:${Region}:${Account}:job/*' };
}

/** The definition's ARNs: the revision named, or every revision when none is (Batch picks the latest active one). */
function definitionArns(definition: string): string[] {
  const arn = DEFINITION_ARN.exec(definition);
  if (arn) return arn[5] ? [definition] : [definition, `${definition}:*`];
  const [, name, revision] = DEFINITION_NAME.exec(definition)!;
  const base = `arn:\${Partition}:batch:\${Region}:\${Account}:job-definition/${name}`;
  return revision ? [`${base}:${revision}`] : [base, `${base}:*`];
}

function batchAccess(kind: BatchKind, job: string): KindGrant[] {
  const queue = queueScope(kind.queue);
  const definitions = definitionArns(kind.definition);
  const jobsReason = `Batch assigns job ids at submission; the grant covers jobs in the account and region of the queue of job '${job}', and SubmitJob also names its queue and definition.`;
  const revisions = definitions.some((d) => d.endsWith(':*')) ? " The definition is named without a revision: ':*' stands for its revisions, of which Batch runs the latest active one." : '';
  return [
    // SubmitJob is authorized on the queue, the definition and the new job (Service Authorization Reference for AWS Batch).
    { actions: ['batch:SubmitJob'], resources: [queue.arn, ...definitions, queue.jobs], wildcardReason: `${jobsReason}${revisions}` },
    { actions: ['batch:TerminateJob'], resources: [queue.jobs], wildcardReason: jobsReason },
    { actions: ['batch:DescribeJobs'], resources: ['*'], wildcardReason: 'batch:DescribeJobs supports no resource-level permissions; it only reads the state of jobs.' },
    managedRuleAccess('StepFunctionsGetEventsForBatchJobsRule'),
  ];
}

function readArraySize(r: Reader, entry: Entry | undefined): number | undefined | null {
  if (!entry) return undefined;
  return r.integer(entry, ARRAY_MIN, ARRAY_MAX) ?? null;
}

function readEnvironment(r: Reader, entry: Entry | undefined, ctx: ReadContext): Record<string, string> | undefined {
  const environment = readTemplatedMap(r, entry, ctx, 'environment variable');
  if (!environment || !entry) return environment;
  let ok = true;
  for (const item of r.entries(entry.value)) {
    if (RESERVED_ENV.test(item.key)) {
      r.error(item.keySpan, Codes.badTemplate, `environment variable '${item.key}' starts with AWS_BATCH, which Batch reserves for its own`, 'choose another name');
      ok = false;
    }
  }
  return ok ? environment : undefined;
}

const FIELDS = ['queue', 'definition', 'command', 'parameters', 'environment', 'array_size'];

export const batch: KindModule<BatchKind> = {
  type: 'batch',
  doc: {
    spelling: 'batch: { queue, definition, command, parameters, environment, array_size }',
    runs: 'an AWS Batch job (queue and definition by name or ARN; command as argv words, parameters and environment with date templates)',
    done: 'when the job succeeds (`batch:submitJob.sync`)',
  },
  schema: {
    description: 'An AWS Batch job submitted with submitJob.sync; done when it succeeds. Values may carry {date} {datekey} {yyyy} {mm} {dd} {hh} templates.',
    type: 'object',
    additionalProperties: false,
    required: ['queue', 'definition'],
    properties: {
      queue: { description: 'Job queue name or ARN.', type: 'string' },
      definition: { description: 'Job definition name, name:revision or ARN (without a revision: the latest active one).', type: 'string' },
      command: { description: "The container's command as argv words (no shell).", type: 'array', items: { type: ['string', 'number'] } },
      parameters: { description: "Values for the definition's Ref:: placeholders.", type: 'object', additionalProperties: { type: ['string', 'number'] } },
      environment: { description: 'Environment variables of the container.', type: 'object', additionalProperties: { type: ['string', 'number'] } },
      array_size: { description: 'Run as an array job of this many children.', type: 'integer', minimum: ARRAY_MIN, maximum: ARRAY_MAX },
    },
  },
  read(r, entry, ctx) {
    const fields = r.fields(r.map(entry) ?? null, "'batch'", FIELDS, ['queue', 'definition']);
    if (!fields) return undefined;
    const queueEntry = fields.get('queue');
    const definitionEntry = fields.get('definition');
    const queue = r.string(queueEntry);
    const definition = r.string(definitionEntry);
    const queueOk = queue !== undefined && report(r, queueEntry!.span, Codes.badArn, queueProblem(queue));
    const definitionOk = definition !== undefined && report(r, definitionEntry!.span, Codes.badArn, definitionProblem(definition));
    const command = readTemplatedList(r, fields.get('command'), ctx, 'command');
    const parameters = readTemplatedMap(r, fields.get('parameters'), ctx, 'parameter');
    const environment = readEnvironment(r, fields.get('environment'), ctx);
    const arraySize = readArraySize(r, fields.get('array_size'));
    if (!queueOk || !definitionOk || !command || !parameters || !environment || arraySize === null) return undefined;
    return { type: 'batch', queue: queue!, definition: definition!, command, parameters, environment, ...(arraySize !== undefined && { arraySize }) };
  },
  task(kind, ctx) {
    const overrides: State = {
      ...(kind.command.length > 0 && Object.fromEntries([renderTemplatedList('Command', kind.command)])),
      ...(Object.keys(kind.environment).length > 0 && { Environment: renderNameValuePairs(kind.environment) }),
    };
    return {
      Resource: SUBMIT_SYNC,
      Parameters: {
        JobName: batchJobName(ctx.workflow, ctx.job),
        JobQueue: kind.queue,
        JobDefinition: kind.definition,
        ...(kind.arraySize !== undefined && { ArrayProperties: { Size: kind.arraySize } }),
        ...(Object.keys(kind.parameters).length > 0 && { Parameters: renderTemplatedMap(kind.parameters) }),
        ...(Object.keys(overrides).length > 0 && { ContainerOverrides: overrides }),
      },
    };
  },
  access: (kind, { job }) => ({ grants: batchAccess(kind, job) }),
  // The answer of submitJob.sync is the job as DescribeJobs describes it.
  local: {
    mode: 'work',
    output: (kind, job) => ({ JobName: job, JobId: `local-${job}`, JobQueue: kind.queue, JobDefinition: kind.definition, Status: 'SUCCEEDED' }),
    result: resultOver,
  },
};

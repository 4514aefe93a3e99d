// `emr_serverless: { application, role, entry_point, arguments, spark_submit_parameters }`: runs a
// Spark job on an EMR Serverless application to completion (the optimized startJobRun.sync), as
// the given execution role, the entry point and its arguments with date templates; done when the
// job run succeeds.
//
// What it touches follows Step Functions' policy for emr-serverless:startJobRun.sync: start a run
// on the application, watch and cancel its runs, pass the execution role to EMR Serverless only,
// and the managed EventBridge rule through which Step Functions hears that the run ended.
import { Codes } from '../messages.ts';
import type { Entry, Reader } from '../check/reader.ts';
import { report, type Problem } from '../check/values.ts';
import type { KindModule, ReadContext, State } from './kind.ts';
import { managedRuleAccess } from './state-machine.ts';
import { intrinsicText, readTemplated, readTemplatedList, renderTemplated, renderTemplatedList } from './templates.ts';
import { resultOver } from './local-result.ts';

export interface EmrServerlessKind {
  type: 'emr_serverless';
  application: string;
  role: string;
  entryPoint: string;
  arguments: string[];
  sparkSubmitParameters?: string;
}

const START_SYNC = 'arn:aws:states:::emr-serverless:startJobRun.sync';
const FIELDS = ['application', 'role', 'entry_point', 'arguments', 'spark_submit_parameters'];
const ENTRY_POINT_MAX = 256;

/** EMR Serverless application ids: 1-64 lower-case letters and digits (e.g. 00f1abcdexample). */
function applicationProblem(id: string): Problem | undefined {
  return /^[0-9a-z]{1,64}$/.test(id) ? undefined : { message: `'${id}' is not an EMR Serverless application id`, hint: "application ids are 1-64 lower-case letters and digits, e.g. '00f1abcd2efgh3ij'" };
}

/** An IAM role ARN (with an optional path); no '*', '?' or '$', which would widen the PassRole grant. */
function roleProblem(arn: string): Problem | undefined {
  return /^arn:(?:aws|aws-cn|aws-us-gov):iam::\d{12}:role\/(?:[A-Za-z0-9_+=,.@-]+\/)*[A-Za-z0-9_+=,.@-]{1,64}$/.test(arn)
    ? undefined
    : { message: `'${arn}' is not a valid IAM role ARN`, hint: 'expected the form arn:aws:iam::123456789012:role/emr-serverless-job' };
}

const applicationArn = (id: string): string => `arn:\${Partition}:emr-serverless:\${Region}:\${Account}:/applications/${id}`;

function readChecked(r: Reader, entry: Entry | undefined, problem: (value: string) => Problem | undefined): string | undefined {
  const value = r.string(entry);
  return value !== undefined && report(r, entry!.span, Codes.badArn, problem(value)) ? value : undefined;
}

export const emrServerless: KindModule<EmrServerlessKind> = {
  type: 'emr_serverless',
  doc: {
    spelling: 'emr_serverless: { application, role, entry_point, arguments, spark_submit_parameters }',
    runs: 'a Spark job on an EMR Serverless application as the given execution role (date templates in the entry point and arguments)',
    done: 'when the job run succeeds (startJobRun.sync)',
  },
  schema: {
    description: 'Spark job on an EMR Serverless application, run to completion (startJobRun.sync).',
    type: 'object',
    additionalProperties: false,
    required: ['application', 'role', 'entry_point'],
    properties: {
      application: { description: 'The application id.', type: 'string', pattern: '^[0-9a-z]{1,64}$' },
      role: { description: "The job's execution role ARN (passed to EMR Serverless).", type: 'string', pattern: '^arn:(aws|aws-cn|aws-us-gov):iam::\\d{12}:role/' },
      entry_point: { description: 'The script or jar (e.g. s3://bucket/etl.py), with date templates.', type: 'string', minLength: 1, maxLength: ENTRY_POINT_MAX },
      arguments: { description: 'Entry point arguments with {yyyy} {mm} {dd} {hh} {date} {datekey} templates.', type: 'array', items: { type: ['string', 'number'] } },
      spark_submit_parameters: { description: "spark-submit options, e.g. '--conf spark.executor.memory=4g'.", type: 'string' },
    },
  },
  read(r, entry, ctx: ReadContext) {
    const fields = r.fields(r.map(entry) ?? null, "'emr_serverless'", FIELDS, ['application', 'role', 'entry_point']);
    if (!fields) return undefined;
    const application = readChecked(r, fields.get('application'), applicationProblem);
    const role = readChecked(r, fields.get('role'), roleProblem);
    const entryPointEntry = fields.get('entry_point');
    let entryPoint = readTemplated(r, entryPointEntry, ctx);
    if (entryPoint !== undefined && entryPoint.length > ENTRY_POINT_MAX) {
      r.error(entryPointEntry!.span, Codes.overLimit, `the entry point is ${entryPoint.length} characters; EMR Serverless takes at most ${ENTRY_POINT_MAX}`);
      entryPoint = undefined;
    }
    const args = readTemplatedList(r, fields.get('arguments'), ctx, 'arguments');
    const sparkEntry = fields.get('spark_submit_parameters');
    const spark = readTemplated(r, sparkEntry, ctx);
    if (!application || !role || entryPoint === undefined || !args || (sparkEntry && spark === undefined)) return undefined;
    return { type: 'emr_serverless', application, role, entryPoint, arguments: args, ...(spark !== undefined && { sparkSubmitParameters: spark }) };
  },
  task(kind, ctx) {
    const sparkSubmit: State = Object.fromEntries([
      renderTemplated('EntryPoint', kind.entryPoint),
      ...(kind.arguments.length > 0 ? [renderTemplatedList('EntryPointArguments', kind.arguments)] : []),
      ...(kind.sparkSubmitParameters !== undefined ? [renderTemplated('SparkSubmitParameters', kind.sparkSubmitParameters)] : []),
    ]);
    return {
      Resource: START_SYNC,
      Parameters: {
        ApplicationId: kind.application,
        ExecutionRoleArn: kind.role,
        // The run's name in the EMR console: workflow, job and the run's date.
        'Name.$': `States.Format('${intrinsicText(`${ctx.workflow}.${ctx.job}`)} {}', $.run.datekey)`,
        // StartJobRun's idempotency token: fresh for every attempt, so a retry starts a new run.
        'ClientToken.$': 'States.UUID()',
        JobDriver: { SparkSubmit: sparkSubmit },
      },
    };
  },
  access: (kind) => ({
    grants: [
      { actions: ['emr-serverless:StartJobRun'], resources: [applicationArn(kind.application)] },
      {
        actions: ['emr-serverless:GetJobRun', 'emr-serverless:CancelJobRun'],
        resources: [`${applicationArn(kind.application)}/jobruns/*`],
        wildcardReason: `EMR Serverless assigns job run ids at run time; the grant covers only runs of application '${kind.application}'.`,
      },
      { actions: ['iam:PassRole'], resources: [kind.role], conditions: { StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' } } },
      managedRuleAccess('StepFunctionsGetEventsForEMRServerlessJobRule'),
    ],
  }),
  // GetJobRun's answer, as the .sync Task returns it.
  local: {
    mode: 'work',
    output: (kind) => ({ ApplicationId: kind.application, JobRunId: 'local-job-run', State: 'SUCCESS', ExecutionRole: kind.role }),
    result: resultOver,
  },
};

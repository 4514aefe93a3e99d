// `sagemaker_pipeline: <name>` or `{ name, parameters }`: starts an execution of a SageMaker Model
// Building Pipeline with its parameters (date templates filled in), done when SageMaker's "Pipeline
// Execution Status Change" event says it succeeded; failed, in the job's own state, when it says
// the execution failed or was stopped. Nothing polls.
//
// The job's Task is a callback to the activator (contract/sagemaker-pipeline.ts): it starts the
// execution idempotently and registers the Task's token on the execution (a `pipeline_execution`
// wait subject, contract/waits.ts); the status-change event, through the router, releases the Task
// or fails it. The backstop asks DescribePipelineExecution for executions whose event never came.
import { Codes } from '../messages.ts';
import { PIPELINE_EVENT, TERMINAL_STATUSES, type PipelineStartRequest } from '../contract/sagemaker-pipeline.ts';
import { ACTIVATOR_FUNCTION } from '../emit/waits.ts';
import type { Entry, Reader } from '../check/reader.ts';
import type { KindGrant, KindModule, State } from './kind.ts';
import { readTemplatedMap, renderTemplatedMap } from './templates.ts';

export interface SageMakerPipelineKind {
  type: 'sagemaker_pipeline';
  pipeline: string;
  /** Parameter name -> value with date templates. */
  parameters: Record<string, string>;
}

/** SageMaker's pipeline names (CreatePipeline: PipelineName): letters and digits joined by hyphens, at most 256. */
const PIPELINE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;
/** A pipeline parameter's name (Parameter: Name). */
const PARAMETER_NAME = /^[A-Za-z0-9_-]{1,256}$/;

function readName(r: Reader, entry: Entry | undefined): string | undefined {
  const name = r.string(entry);
  if (name === undefined || !entry) return undefined;
  if (PIPELINE_NAME.test(name)) return name;
  r.error(
    entry.span,
    Codes.wrongType,
    `'${name}' is not a SageMaker pipeline name`,
    'a pipeline name is 1 to 256 letters, digits and hyphens, starting and ending with a letter or digit (the name, not the ARN: the pipeline is in the stack\'s account and region)',
  );
  return undefined;
}

function readParameters(r: Reader, entry: Entry | undefined, ctx: Parameters<KindModule['read']>[2]): Record<string, string> | undefined {
  const parameters = readTemplatedMap(r, entry, ctx, 'pipeline parameter');
  if (!entry || !r.isMap(entry)) return parameters;
  let ok = parameters !== undefined;
  for (const item of r.entries(entry.value)) {
    if (item.key.endsWith('.$') || PARAMETER_NAME.test(item.key)) continue;
    r.error(item.keySpan, Codes.wrongType, `'${item.key}' is not a SageMaker pipeline parameter name`, 'a parameter name is 1 to 256 letters, digits, hyphens and underscores, as the pipeline definition names it');
    ok = false;
  }
  return ok ? parameters : undefined;
}

/**
 * The pipeline's ARN and its executions'. SageMaker's own ARNs carry the name in lower case, which
 * IAM compares case-sensitively: a name with capitals is granted in both spellings.
 */
function pipelineArns(name: string): { pipelines: string[]; executions: string[] } {
  const names = [...new Set([name, name.toLowerCase()])];
  const arn = (n: string) => `arn:\${Partition}:sagemaker:\${Region}:\${Account}:pipeline/${n}`;
  return { pipelines: names.map(arn), executions: names.map((n) => `${arn(n)}/execution/*`) };
}

const EXECUTION_REASON = "A pipeline execution's ARN ends in an id SageMaker assigns when it starts; the wildcard stands for the executions of this one pipeline only.";

/** Whether an execution has ended (and why it failed): the activator's look after registering, the router's backstop. */
function describeGrant(name: string): KindGrant {
  const { pipelines, executions } = pipelineArns(name);
  return { actions: ['sagemaker:DescribePipelineExecution'], resources: [...pipelines, ...executions], wildcardReason: EXECUTION_REASON };
}

export const sagemakerPipeline: KindModule<SageMakerPipelineKind> = {
  type: 'sagemaker_pipeline',
  doc: {
    spelling: 'sagemaker_pipeline: <name>` or `{ name, parameters }',
    runs: 'a SageMaker Model Building Pipeline execution, with its parameters (date templates filled in)',
    done: 'when SageMaker\'s status-change event says the execution succeeded (failed or stopped: the job fails)',
  },
  schema: {
    description: "SageMaker pipeline started by name with its parameters; done when its execution's status-change event says Succeeded, failed on Failed or Stopped.",
    oneOf: [
      { type: 'string', pattern: PIPELINE_NAME.source },
      {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', pattern: PIPELINE_NAME.source },
          parameters: {
            description: 'Pipeline parameter values with {yyyy} {mm} {dd} {hh} {date} {datekey} templates.',
            type: 'object',
            propertyNames: { pattern: PARAMETER_NAME.source },
            additionalProperties: { type: ['string', 'number'] },
          },
        },
      },
    ],
  },
  read(r, entry, ctx) {
    if (!r.isMap(entry)) {
      const pipeline = readName(r, entry);
      return pipeline === undefined ? undefined : { type: 'sagemaker_pipeline', pipeline, parameters: {} };
    }
    const fields = r.fields(entry.value, "'sagemaker_pipeline'", ['name', 'parameters'], ['name']);
    if (!fields) return undefined;
    const pipeline = readName(r, fields.get('name'));
    const parameters = readParameters(r, fields.get('parameters'), ctx);
    return pipeline === undefined || parameters === undefined ? undefined : { type: 'sagemaker_pipeline', pipeline, parameters };
  },
  task(kind, ctx) {
    // The contract's PipelineStartRequest, in its key order; `.$` keys are filled in by Step Functions.
    const payload: State = {
      kind: 'sagemaker_pipeline' satisfies PipelineStartRequest['kind'],
      workflow: ctx.workflow,
      job: ctx.job,
      'date.$': '$.date',
      pipeline: kind.pipeline,
      parameters: renderTemplatedMap(kind.parameters),
      'token.$': '$$.Task.Token',
      'execution.$': '$$.Execution.Id',
      state: ctx.job,
      'enteredTime.$': '$$.State.EnteredTime',
      'attempt.$': '$$.State.RetryCount',
      timeoutSeconds: ctx.timeoutSeconds,
    };
    return { Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: ACTIVATOR_FUNCTION, Payload: payload } };
  },
  access: (kind) => ({
    // The state machine only invokes the activator (infra grants that to every callback kind).
    grants: [],
    activatorGrants: [{ actions: ['sagemaker:StartPipelineExecution'], resources: pipelineArns(kind.pipeline).pipelines }, describeGrant(kind.pipeline)],
    routerGrants: [describeGrant(kind.pipeline)],
  }),
  local: { mode: 'activation', endReportsFailure: true },
  releaseEvents: [{ source: [PIPELINE_EVENT.source], 'detail-type': [PIPELINE_EVENT.detailType], detail: { currentPipelineExecutionStatus: [...TERMINAL_STATUSES] } }],
};

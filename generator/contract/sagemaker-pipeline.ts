// The runtime contract of a `sagemaker_pipeline` job (generator/kinds/sagemaker-pipeline.ts): the
// payload its Task hands the activator, and how a pipeline execution's end reads. The activator
// starts the execution and registers the Task's token on the `pipeline_execution` subject
// (waits.ts); SageMaker's "Pipeline Execution Status Change" event, through the router, settles it:
// Succeeded releases the Task, Failed and Stopped fail it. No dependencies, like the rest of contract/.
import type { SubjectOutcome } from './waits.ts';

/** The EventBridge event SageMaker sends when a pipeline execution changes status. */
export const PIPELINE_EVENT = { source: 'aws.sagemaker', detailType: 'SageMaker Model Building Pipeline Execution Status Change' } as const;

/** Statuses after which an execution changes no more (Executing and Stopping are not). */
export const TERMINAL_STATUSES = ['Succeeded', 'Failed', 'Stopped'] as const;

/** The Step Functions errors a job fails with when its pipeline execution did not succeed. */
const PIPELINE_ERRORS = { failed: 'SageMaker.PipelineExecutionFailed', stopped: 'SageMaker.PipelineExecutionStopped' } as const;

/** The outcome of an execution in `status`; undefined while it can still change. */
export function pipelineOutcome(status: string, arn: string, failureReason?: string): SubjectOutcome | undefined {
  if (status === 'Succeeded') return { ok: true };
  if (status === 'Failed') return { ok: false, error: PIPELINE_ERRORS.failed, cause: failureReason || `pipeline execution ${arn} failed` };
  if (status === 'Stopped') return { ok: false, error: PIPELINE_ERRORS.stopped, cause: failureReason || `pipeline execution ${arn} was stopped` };
  return undefined;
}

/** What a `sagemaker_pipeline` job's Task sends the activator (its Parameters.Payload). */
export interface PipelineStartRequest {
  kind: 'sagemaker_pipeline';
  workflow: string;
  job: string;
  /** "2019-03-12" or "2019-03-12T05". */
  date: string;
  /** The pipeline's name (or ARN). */
  pipeline: string;
  /** Parameter name -> value, date templates already filled in by the state machine. */
  parameters: Record<string, string>;
  /** $$.Task.Token */
  token: string;
  /** $$.Execution.Id */
  execution: string;
  /** The Task's state name (the job's). */
  state: string;
  /** $$.State.EnteredTime and $$.State.RetryCount: with the execution, what makes a start idempotent. */
  enteredTime: string;
  attempt: number;
  /** The job's timeout: the wait's deadline. */
  timeoutSeconds: number;
}

/** Reads a start request that came from outside the type system; a string says what is wrong. */
export function parsePipelineStart(value: unknown): PipelineStartRequest | string {
  const expected = "expected {kind: 'sagemaker_pipeline', workflow, job, date, pipeline, parameters, token, execution, state, enteredTime, attempt, timeoutSeconds} from the state machine";
  if (!isRecord(value) || value.kind !== 'sagemaker_pipeline') return expected;
  const { workflow, job, date, pipeline, parameters, token, execution, state, enteredTime, attempt, timeoutSeconds } = value;
  const texts = { workflow, job, date, pipeline, token, execution, state, enteredTime };
  const missing = Object.entries(texts).filter(([, v]) => typeof v !== 'string' || v === '').map(([k]) => k);
  if (missing.length > 0) return `${expected}: ${missing.join(', ')} must be non-empty strings`;
  if (!isRecord(parameters) || !Object.values(parameters).every((v) => typeof v === 'string')) return `${expected}: parameters must map names to strings`;
  if (!isCount(attempt) || !isCount(timeoutSeconds)) return `${expected}: attempt and timeoutSeconds must be non-negative numbers`;
  const copy: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(parameters)) copy[k] = v as string;
  return { kind: 'sagemaker_pipeline', ...(texts as Record<keyof typeof texts, string>), parameters: copy, attempt, timeoutSeconds };
}

/** The execution name from `$$.Execution.Id` (its ARN's last part). */
export const executionNameOf = (executionArn: string): string => executionArn.slice(executionArn.lastIndexOf(':') + 1);

/**
 * The execution's display name in SageMaker (`<run>-<job>`): letters and digits joined by single
 * hyphens, at most 82 characters, as StartPipelineExecution requires.
 */
export function displayName(executionArn: string, job: string): string {
  const name = `${executionNameOf(executionArn)}-${job}`.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return name.slice(0, 82).replace(/-+$/, '') || 'stepgraph';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

// Starts a SageMaker pipeline execution for a `sagemaker_pipeline` job (the activator's second
// kind; handlers/activate-pipeline.ts dispatches here). The job's Task is a callback
// (`lambda:invoke.waitForTaskToken`) of the activator with the payload of
// generator/contract/sagemaker-pipeline.ts. In this order: the execution is started idempotently,
// the Task's token is registered on the `pipeline_execution` subject, then the subject is looked at
// (a recorded end, else DescribePipelineExecution), releasing at once an execution that already
// ended. SageMaker's status-change event, through the router, ends the Task otherwise.
import { createHash } from 'node:crypto';
import { StartPipelineExecutionCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { displayName, parsePipelineStart, type PipelineStartRequest } from '../generator/contract/sagemaker-pipeline.ts';
import { registerWait, subjectId, waiterId, type RegisterOutcome, type WaitDeps, type WaitRequest } from '../generator/contract/waits.ts';
import { HandlerError, InvalidEventError } from './errors.ts';
import { log } from './log.ts';

export interface PipelineStartDeps {
  sagemaker: SageMakerClient;
  wait: WaitDeps;
}

export interface PipelineStartResult {
  pipeline: string;
  pipelineExecutionArn: string;
  clientRequestToken: string;
  /** 'released': the execution had already ended when the waiter registered. */
  waiter: RegisterOutcome;
}

/** SageMaker refused the start for a reason retrying will not fix (no such pipeline, a parameter it does not know). */
export class PipelineStartRefused extends HandlerError {}

/**
 * The start's idempotency token: the same for a repeated delivery of one attempt's invocation
 * (same execution, state, entry time and retry count), new for the job's next attempt (its retry
 * count) and for a redrive (a new entry time), which must start a new execution. 64 hex
 * characters (SageMaker takes 32 to 128).
 */
export function clientRequestToken(request: Pick<PipelineStartRequest, 'execution' | 'state' | 'enteredTime' | 'attempt'>): string {
  return createHash('sha256').update(JSON.stringify([request.execution, request.state, request.enteredTime, request.attempt])).digest('hex');
}

export async function startSageMakerPipeline(input: unknown, deps: PipelineStartDeps): Promise<PipelineStartResult> {
  const request = parsePipelineStart(input);
  if (typeof request === 'string') throw new InvalidEventError(request);
  const token = clientRequestToken(request);
  const fields = { workflow: request.workflow, job: request.job, pipeline: request.pipeline, date: request.date, attempt: request.attempt };
  const parameters = Object.keys(request.parameters)
    .sort()
    .map((name) => ({ Name: name, Value: request.parameters[name] }));
  let arn: string | undefined;
  try {
    const out = await deps.sagemaker.send(
      new StartPipelineExecutionCommand({
        PipelineName: request.pipeline,
        PipelineParameters: parameters,
        PipelineExecutionDisplayName: displayName(request.execution, request.job),
        PipelineExecutionDescription: `stepgraph ${request.workflow}: job ${request.job} of ${request.date}`,
        ClientRequestToken: token,
      }),
    );
    arn = out.PipelineExecutionArn;
  } catch (error) {
    throw refusal(error, request.pipeline);
  }
  if (!arn) throw new HandlerError(`StartPipelineExecution of '${request.pipeline}' answered without a PipelineExecutionArn`);

  const wait: WaitRequest = {
    action: 'wait',
    subject: { kind: 'pipeline_execution', arn },
    token: request.token,
    execution: request.execution,
    state: request.state,
    timeoutSeconds: request.timeoutSeconds,
  };
  const waiter = await registerWait(wait, deps.wait);
  log.info(waiter === 'released' ? 'pipeline execution had already ended: Task released' : 'pipeline execution started', {
    ...fields,
    pipelineExecutionArn: arn,
    subject: subjectId(wait.subject),
    waiter: waiterId(wait),
  });
  return { pipeline: request.pipeline, pipelineExecutionArn: arn, clientRequestToken: token, waiter };
}

/**
 * SageMaker's answers that retrying will not change become PipelineStartRefused (the job's Retry
 * still sees it, by name); throttling and internal errors pass through unchanged.
 */
function refusal(error: unknown, pipeline: string): unknown {
  const e = error as Error;
  if (!['ResourceNotFound', 'ValidationException'].includes(e.name)) return error;
  return new PipelineStartRefused(`SageMaker refused to start pipeline '${pipeline}': ${e.message}`, { cause: error });
}

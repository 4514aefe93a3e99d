// A `sagemaker_pipeline` job against mocked AWS: the activator starts the execution idempotently and
// registers the Task's token on it (releasing or failing it at once when it already ended); the
// router settles it on SageMaker's status-change event (success, failure, duplicates, non-terminal
// statuses, poison events) and the backstop asks DescribePipelineExecution for events that never came.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribePipelineExecutionCommand,
  ResourceNotFound,
  SageMakerClient,
  SageMakerServiceException,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SETTLED_KEEP_SECONDS, SIGNALLED } from '../../generator/contract/waits.ts';
import { activate } from '../../handlers/activate-pipeline.ts';
import { InvalidEventError } from '../../handlers/errors.ts';
import { route, routerDeps, type RouterDeps } from '../../handlers/router.ts';
import { clientRequestToken, PipelineStartRefused, startSageMakerPipeline, type PipelineStartDeps } from '../../handlers/start-sagemaker-pipeline.ts';
import { awsWaitDeps } from '../../handlers/wait-deps.ts';
import { pipelineExecutionStatusChange } from './events.ts';
import { captureLogs, type LogLine } from './logs.ts';
import { fakeAws, NOW, TABLE } from './wait-aws.ts';

const aws = fakeAws();
const sagemaker = new SageMakerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const sm = mockClient(sagemaker);
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:churn-model:churn-model-2019-03-12';
const ARN = 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-retrain/execution/p4jn9xou8a8s';
const SUBJECT = `sagemaker://${ARN}`;

/** Executions by ARN: their status and failure reason, as DescribePipelineExecution answers. */
let executions: Map<string, { status: string; reason?: string }>;
let starts: number;

function request(overrides: Record<string, unknown> = {}) {
  return {
    kind: 'sagemaker_pipeline',
    workflow: 'churn-model',
    job: 'retrain',
    date: '2019-03-12',
    pipeline: 'Churn-Retrain',
    parameters: { RunDate: '2019-03-12', InputPath: 's3://acme-features/churn/2019/03/12/' },
    token: 'token-retrain-1',
    execution: EXECUTION,
    state: 'retrain',
    enteredTime: '2019-03-12T03:00:00.123Z',
    attempt: 0,
    timeoutSeconds: 21_600,
    ...overrides,
  };
}

let deps: PipelineStartDeps;
let router: RouterDeps;
let logs: LogLine[];

beforeEach(() => {
  aws.reset();
  sm.reset();
  executions = new Map();
  starts = 0;
  // SageMaker answers a repeated ClientRequestToken with the execution it started for it.
  const byToken = new Map<string, string>();
  sm.on(StartPipelineExecutionCommand).callsFake((input) => {
    let arn = byToken.get(input.ClientRequestToken);
    if (!arn) {
      arn = starts === 0 ? ARN : `${ARN}-${starts}`;
      starts++;
      byToken.set(input.ClientRequestToken, arn);
      executions.set(arn, { status: 'Executing' });
    }
    return { PipelineExecutionArn: arn };
  });
  sm.on(DescribePipelineExecutionCommand).callsFake((input) => {
    const e = executions.get(input.PipelineExecutionArn);
    if (!e) throw new ResourceNotFound({ message: 'Pipeline execution not found', $metadata: {} });
    return { PipelineExecutionArn: input.PipelineExecutionArn, PipelineExecutionStatus: e.status, ...(e.reason && { FailureReason: e.reason }) };
  });
  const clients = { ...aws.clients, sagemaker };
  deps = { sagemaker, wait: awsWaitDeps(clients, TABLE, { now: () => NOW }) };
  router = routerDeps({ table: TABLE }, clients, { now: () => NOW });
  logs = [];
  captureLogs(logs);
});
afterEach(() => vi.restoreAllMocks());

describe('activator: starting a SageMaker pipeline', () => {
  it('starts the execution with its parameters, then registers the Task on it', async () => {
    const result = await activate(request(), { ...deps, client: undefined as never, directory: undefined as never, s3: aws.clients.s3 });

    const input = sm.commandCalls(StartPipelineExecutionCommand)[0].args[0].input;
    expect(input).toEqual({
      PipelineName: 'Churn-Retrain',
      PipelineParameters: [
        { Name: 'InputPath', Value: 's3://acme-features/churn/2019/03/12/' },
        { Name: 'RunDate', Value: '2019-03-12' },
      ],
      PipelineExecutionDisplayName: 'churn-model-2019-03-12-retrain',
      PipelineExecutionDescription: 'stepgraph churn-model: job retrain of 2019-03-12',
      ClientRequestToken: clientRequestToken(request()),
    });
    expect(input.ClientRequestToken).toMatch(/^[0-9a-f]{64}$/);
    expect(result).toEqual({ pipeline: 'Churn-Retrain', pipelineExecutionArn: ARN, clientRequestToken: input.ClientRequestToken, waiter: 'registered' });
    // Registered, then looked at: the execution runs, so the Task waits.
    expect(aws.waiters()).toEqual([`${SUBJECT} ${EXECUTION}#retrain`]);
    const item = aws.mocks.dynamodb.commandCalls(PutItemCommand)[0].args[0].input.Item!;
    expect(item.detail).toEqual({ M: { kind: { S: 'pipeline_execution' }, arn: { S: ARN } } });
    expect(item.deadline).toEqual({ N: String(NOW / 1000 + 21_600) });
    expect(sm.commandCalls(DescribePipelineExecutionCommand)).toHaveLength(1);
    expect(aws.released).toEqual([]);
  });

  it('starts once for a repeated invocation of one attempt, anew for the next attempt and for a redrive', async () => {
    const first = await startSageMakerPipeline(request(), deps);
    const again = await startSageMakerPipeline(request(), deps);
    const retry = await startSageMakerPipeline(request({ attempt: 1, token: 'token-retrain-2' }), deps);
    const redrive = await startSageMakerPipeline(request({ enteredTime: '2019-03-13T08:00:00.000Z', token: 'token-retrain-3' }), deps);

    expect(again.clientRequestToken).toBe(first.clientRequestToken);
    expect(again.pipelineExecutionArn).toBe(first.pipelineExecutionArn);
    expect(new Set([first, retry, redrive].map((r) => r.clientRequestToken)).size).toBe(3);
    expect(starts).toBe(3);
  });

  it('releases the Task at once when the execution already succeeded', async () => {
    sm.on(StartPipelineExecutionCommand).resolves({ PipelineExecutionArn: ARN });
    executions.set(ARN, { status: 'Succeeded' });

    const result = await startSageMakerPipeline(request(), deps);

    expect(result.waiter).toBe('released');
    expect(aws.mocks.sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input).toEqual({ taskToken: 'token-retrain-1', output: JSON.stringify({ subject: SUBJECT }) });
    expect(aws.waiters()).toEqual([]);
  });

  it('fails the Task at once, with the reason, when the execution already failed', async () => {
    sm.on(StartPipelineExecutionCommand).resolves({ PipelineExecutionArn: ARN });
    executions.set(ARN, { status: 'Failed', reason: 'Step Train failed: ClientError: out of memory' });

    await startSageMakerPipeline(request(), deps);

    expect(aws.failed).toEqual([{ token: 'token-retrain-1', error: 'SageMaker.PipelineExecutionFailed', cause: 'Step Train failed: ClientError: out of memory' }]);
    expect(aws.released).toEqual([]);
    expect(aws.waiters()).toEqual([]);
  });

  it("finds the end the router recorded before the waiter registered, without asking SageMaker", async () => {
    // GIVEN the execution's Stopped event arrived (and was recorded) before the activator registered
    sm.on(StartPipelineExecutionCommand).resolves({ PipelineExecutionArn: ARN });
    await route(pipelineExecutionStatusChange(ARN, 'Stopped', 'Stopping'), router);
    sm.resetHistory();

    await startSageMakerPipeline(request(), deps);

    expect(aws.failed).toEqual([{ token: 'token-retrain-1', error: 'SageMaker.PipelineExecutionStopped', cause: `pipeline execution ${ARN} was stopped` }]);
    expect(sm.commandCalls(DescribePipelineExecutionCommand)).toHaveLength(0);
  });

  it('refuses a pipeline SageMaker does not know, by name, and passes throttling on for the Retry', async () => {
    sm.on(StartPipelineExecutionCommand).rejects(new ResourceNotFound({ message: 'Pipeline arn:...:pipeline/Churn-Retrain does not exist', $metadata: {} }));
    await expect(startSageMakerPipeline(request(), deps)).rejects.toThrow(PipelineStartRefused);
    await expect(startSageMakerPipeline(request(), deps)).rejects.toThrow("SageMaker refused to start pipeline 'Churn-Retrain'");

    const throttled = new SageMakerServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: {} });
    sm.on(StartPipelineExecutionCommand).rejects(throttled);
    await expect(startSageMakerPipeline(request(), deps)).rejects.toBe(throttled);
    expect(aws.waiters()).toEqual([]);
  });

  it('refuses a malformed payload and an unknown kind; a payload without a kind is a data pipeline', async () => {
    const all = { ...deps, client: undefined as never, directory: undefined as never, s3: aws.clients.s3 };
    await expect(activate(request({ token: 3 }), all)).rejects.toThrow(InvalidEventError);
    await expect(activate(request({ parameters: { A: 1 } }), all)).rejects.toThrow('parameters must map names to strings');
    await expect(activate({ ...request(), kind: 'glue' }, all)).rejects.toThrow("not kind \"glue\"");
    await expect(activate({ workflow: 'w' }, all)).rejects.toThrow('expected {workflow, job, pipeline, parameters, date, wait}');
    expect(starts).toBe(0);
  });
});

describe('router: the pipeline execution status-change event', () => {
  async function waiting(): Promise<void> {
    await startSageMakerPipeline(request(), deps);
    expect(aws.waiters()).toHaveLength(1);
  }

  it('Succeeded: records the end, then releases the Task', async () => {
    await waiting();
    executions.set(ARN, { status: 'Succeeded' });

    const outcome = await route(pipelineExecutionStatusChange(ARN, 'Succeeded'), router);

    expect(outcome).toEqual({ outcome: 'pipeline execution ended', pipelineExecutionArn: ARN, status: 'Succeeded', released: 1 });
    expect(aws.released).toEqual(['token-retrain-1']);
    expect(aws.waiters()).toEqual([]);
    const record = aws.table.get(`${SUBJECT}\u0000${SIGNALLED}`);
    expect(record).toEqual({ subject: { S: SUBJECT }, waiter: { S: SIGNALLED }, expiresAt: { N: String(NOW / 1000 + SETTLED_KEEP_SECONDS) }, outcome: { S: 'succeeded' } });
  });

  it('Failed: fails the Task with the failure reason SageMaker gives', async () => {
    await waiting();
    executions.set(ARN, { status: 'Failed', reason: 'Step Train failed: AlgorithmError' });

    const outcome = await route(pipelineExecutionStatusChange(ARN, 'Failed'), router);

    expect(outcome).toMatchObject({ status: 'Failed', released: 1 });
    expect(aws.mocks.sfn.commandCalls(SendTaskFailureCommand)[0].args[0].input).toEqual({
      taskToken: 'token-retrain-1',
      error: 'SageMaker.PipelineExecutionFailed',
      cause: 'Step Train failed: AlgorithmError',
    });
    expect(aws.released).toEqual([]);
  });

  it('Failed, with the reason not readable: fails the Task all the same', async () => {
    await waiting();
    sm.on(DescribePipelineExecutionCommand).rejects(new SageMakerServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'denied', $metadata: {} }));

    await route(pipelineExecutionStatusChange(ARN, 'Failed'), router);

    expect(aws.failed).toEqual([{ token: 'token-retrain-1', error: 'SageMaker.PipelineExecutionFailed', cause: `pipeline execution ${ARN} failed` }]);
    expect(logs.some((l) => l.message === 'could not read the failure reason of a pipeline execution')).toBe(true);
  });

  it('a duplicate event releases nobody twice', async () => {
    await waiting();
    const event = pipelineExecutionStatusChange(ARN, 'Succeeded');
    await route(event, router);
    const again = await route(event, router);
    expect(again).toMatchObject({ released: 0 });
    expect(aws.mocks.sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('ignores statuses that are not an end, and records nothing for them', async () => {
    await waiting();
    for (const status of ['Executing', 'Stopping']) {
      expect(await route(pipelineExecutionStatusChange(ARN, status), router)).toEqual({ outcome: 'ignored', reason: `pipeline execution ${ARN} is ${status}, not ended` });
    }
    expect(aws.released).toEqual([]);
    expect(aws.table.has(`${SUBJECT}\u0000${SIGNALLED}`)).toBe(false);
    expect(aws.waiters()).toHaveLength(1);
  });

  it('drops poison events, logged, never thrown (EventBridge would retry them)', async () => {
    const event = pipelineExecutionStatusChange(ARN, 'Succeeded');
    const poisons = [
      { ...event, detail: { ...event.detail, pipelineExecutionArn: undefined } },
      { ...event, detail: { ...event.detail, currentPipelineExecutionStatus: 42 } },
      { ...event, detail: 'Succeeded' },
    ];
    for (const poison of poisons) expect(await route(poison, router)).toMatchObject({ outcome: 'dropped' });
    expect(logs.filter((l) => l.message === 'event dropped')).toHaveLength(3);
  });

  it('the backstop settles an execution whose event never came, and leaves a running one waiting', async () => {
    await waiting();
    await startSageMakerPipeline(request({ job: 'score', state: 'score', token: 'token-score-1', pipeline: 'churn-batch-score' }), deps);
    expect(aws.waiters()).toHaveLength(2);
    executions.set(ARN, { status: 'Succeeded' });

    const outcome = await route({ action: 'backstop' }, router);

    expect(outcome).toEqual({ outcome: 'backstop', released: 1, expired: 0, open: 1 });
    expect(aws.released).toEqual(['token-retrain-1']);
  });
});

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { analyzeHistory } from '../../handlers/failure.ts';
import { downstreamOf } from '../../handlers/job-graph.ts';
import { notify, notifyConfig, regionOfArn, resetWebhookCache, type ExecutionStatusEvent, type NotifyConfig } from '../../handlers/notify.ts';

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const sfn = new SFNClient({ region: 'eu-west-1', credentials });
const sns = new SNSClient({ region: 'eu-west-1', credentials });
const secrets = new SecretsManagerClient({ region: 'eu-west-1', credentials });
const sfnMock = mockClient(sfn);
const snsMock = mockClient(sns);
const secretsMock = mockClient(secrets);

const jobs = [
  { name: 'player_entry', needs: [] },
  { name: 'sessions', needs: [] },
  { name: 'revenue', needs: ['player_entry', 'sessions'] },
  { name: 'bi_import', needs: ['revenue'] },
  { name: 'report', needs: ['bi_import', 'sessions'] },
];
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:player-analytics:player-analytics-2019-03-12';
const config: NotifyConfig = { workflow: 'player-analytics', jobs, snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:data-alerts' };

/** A history built the way Step Functions links events: each points at the one before it. */
function history(...steps: Omit<HistoryEvent, 'id' | 'timestamp'>[]): HistoryEvent[] {
  return steps.map((step, i) => ({ id: i + 1, previousEventId: i, timestamp: new Date(Date.UTC(2019, 2, 12, 2, i)), ...step }));
}
const entered = (name: string, type = 'TaskStateEntered') => ({ type, stateEnteredEventDetails: { name } }) as HistoryEvent;
const exited = (name: string, type = 'TaskStateExited') => ({ type, stateExitedEventDetails: { name } }) as HistoryEvent;
const taskFailed = (error: string, cause: string) => ({ type: 'TaskFailed', taskFailedEventDetails: { error, cause, resource: 'invoke', resourceType: 'lambda' } }) as HistoryEvent;

const scheduled = (timeoutInSeconds?: number) =>
  ({ type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: '{}', timeoutInSeconds } }) as HistoryEvent;

/** revenue failed after its retries, in its own Task: the run failed with the Task's error. */
const revenueFailed = history(
  { type: 'ExecutionStarted' },
  entered('revenue'),
  scheduled(3600),
  { type: 'TaskStarted' },
  taskFailed('States.TaskFailed', '{"errorMessage":"revenue table locked"}'),
  scheduled(3600),
  { type: 'TaskStarted' },
  taskFailed('States.TaskFailed', '{"errorMessage":"revenue table locked"}'),
  { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'States.TaskFailed', cause: '{"errorMessage":"revenue table locked"}' } },
);

function statusEvent(status: string, input: string | null = '{"date":"2019-03-12"}'): ExecutionStatusEvent {
  return {
    version: '0',
    id: 'e1',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2019-03-12T03:00:00Z',
    region: 'eu-west-1',
    resources: [EXECUTION],
    detail: {
      executionArn: EXECUTION,
      stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:player-analytics',
      name: 'player-analytics-2019-03-12',
      status,
      input,
      error: null,
      cause: null,
    },
  };
}

describe('failure analysis', () => {
  it('names the job that failed in its own Task after its retries, with the Task\'s error', () => {
    expect(analyzeHistory(revenueFailed, jobs)).toEqual({
      jobs: ['revenue'],
      cancelled: [],
      state: 'revenue',
      error: 'States.TaskFailed',
      cause: '{"errorMessage":"revenue table locked"}',
    });
  });

  it('attributes a wait that passed its deadline to the waiting job, naming the marker it waited for', () => {
    const events = history(
      { type: 'ExecutionStarted' },
      entered('bi_import waits for payments'),
      scheduled(10800),
      { type: 'TaskStarted' },
      { type: 'TaskSubmitted', taskSubmittedEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken' } },
      { type: 'TaskTimedOut', taskTimedOutEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', error: 'States.Timeout' } },
      { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'States.Timeout' } },
    );
    expect(analyzeHistory(events, jobs)).toEqual({
      jobs: ['bi_import'],
      cancelled: [],
      state: 'bi_import waits for payments',
      waitedFor: { kind: 'marker', name: 'payments' },
      error: 'stepgraph.WaitTimedOut',
      cause: "marker 'payments' was not written within the wait's deadline (3h)",
      runError: 'States.Timeout',
    });
  });

  it("says a job's Task ran past its timeout", () => {
    const events = history(
      entered('revenue'),
      scheduled(3600),
      { type: 'TaskStarted' },
      { type: 'TaskTimedOut', taskTimedOutEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'States.Timeout' } },
      { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'States.Timeout' } },
    );
    expect(analyzeHistory(events, jobs)).toEqual({ jobs: ['revenue'], cancelled: [], state: 'revenue', error: 'States.Timeout', cause: 'the job did not finish within its timeout (1h)' });
  });

  it('names the job of this run an in-run wait waited for', () => {
    const events = history(
      entered('report waits for bi_import'),
      scheduled(7200),
      { type: 'TaskTimedOut', taskTimedOutEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', error: 'States.Timeout' } },
      { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'States.Timeout' } },
    );
    expect(analyzeHistory(events, jobs)).toMatchObject({ jobs: ['report'], waitedFor: { kind: 'job', name: 'bi_import' }, cause: "job 'bi_import' of this run did not finish within the wait's deadline (2h)" });
  });

  it("names a sweep job that failed in its Fail state with the sweep's reason", () => {
    const sweepJobs = [...jobs, { name: 'score', needs: ['sessions'] }];
    const events = history(
      { type: 'ExecutionStarted' },
      entered('score started', 'PassStateEntered'),
      exited('score started', 'PassStateExited'),
      entered('score', 'MapStateEntered'),
      exited('score', 'MapStateExited'),
      entered('score too many failures', 'PassStateEntered'),
      exited('score too many failures', 'PassStateExited'),
      entered('score failed', 'FailStateEntered'),
      { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'stepgraph.SweepFailed', cause: '2 of 2 items failed; 0 tolerated' } },
    );
    expect(analyzeHistory(events, sweepJobs)).toEqual({ jobs: ['score'], cancelled: [], state: 'score failed', error: 'stepgraph.SweepFailed', cause: '2 of 2 items failed; 0 tolerated' });
  });

  it('names the jobs an aborted run stopped, not the ones behind them', () => {
    const events = history(
      { type: 'ExecutionStarted' },
      entered('Parallel (player_entry, sessions)', 'ParallelStateEntered'),
      entered('player_entry'),
      scheduled(3600),
      entered('sessions'),
      scheduled(3600),
      { type: 'ExecutionAborted' },
    );
    expect(analyzeHistory(events, jobs)).toEqual({ jobs: ['player_entry', 'sessions'], cancelled: [] });
  });

  it('blames the job still running when the run timed out, not an earlier retried failure', () => {
    const events = history(
      { type: 'ExecutionStarted' },
      entered('Both', 'ParallelStateEntered'),
      entered('sessions'),
      taskFailed('Lambda.ServiceException', 'retried and then succeeded'),
      exited('sessions'),
      entered('sessions done'),
      exited('sessions done'),
      entered('player_entry'),
      entered('revenue waits for player_entry'),
      { type: 'ExecutionTimedOut', executionTimedOutEventDetails: { error: 'States.Timeout' } },
    );
    expect(analyzeHistory(events, jobs)).toEqual({ jobs: ['player_entry'], cancelled: [], error: 'States.Timeout' });
  });

  it('names the jobs fail-fast stopped beside the failed one, so the replay restarts them too', () => {
    // GIVEN sessions still running in a Parallel branch when revenue failed in the other
    const events = history(
      { type: 'ExecutionStarted' },
      entered('Parallel (player_entry, sessions)', 'ParallelStateEntered'),
      entered('sessions selected?', 'ChoiceStateEntered'),
      exited('sessions selected?', 'ChoiceStateExited'),
      entered('sessions'),
      entered('player_entry'),
      exited('player_entry'),
      entered('player_entry done'),
      exited('player_entry done'),
      entered('revenue'),
      taskFailed('States.TaskFailed', 'boom'),
      { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'States.TaskFailed', cause: 'boom' } },
    );
    // THEN revenue failed, sessions was cancelled, player_entry finished
    expect(analyzeHistory(events, jobs)).toMatchObject({ jobs: ['revenue'], cancelled: ['sessions'] });
  });

  it("counts a data pipeline's Task as its job finished: it has no marker write after it", () => {
    const events = history(
      entered('player_entry'),
      { type: 'TaskSucceeded' },
      exited('player_entry'),
      entered('sessions'),
      exited('sessions'),
      entered('sessions done'),
      { type: 'ExecutionAborted' },
    );
    // sessions' Task ended but its marker was still being written: it did not finish
    expect(analyzeHistory(events, jobs)).toEqual({ jobs: ['sessions'], cancelled: [] });
  });

  it('lists the jobs downstream of the failed ones', () => {
    expect(downstreamOf(jobs, ['revenue'])).toEqual(['bi_import', 'report']);
    expect(downstreamOf(jobs, ['sessions'])).toEqual(['revenue', 'bi_import', 'report']);
    expect(downstreamOf(jobs, ['report'])).toEqual([]);
  });
});

describe('notify handler', () => {
  beforeEach(() => {
    sfnMock.reset();
    snsMock.reset();
    secretsMock.reset();
    resetWebhookCache();
    vi.spyOn(console, 'log').mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());

  it('reads every page of the history and publishes the alert to SNS', async () => {
    // Prepare: the history comes in two pages
    sfnMock
      .on(GetExecutionHistoryCommand, { executionArn: EXECUTION, maxResults: 1000 })
      .resolves({ events: revenueFailed.slice(0, 4), nextToken: 't2' })
      .on(GetExecutionHistoryCommand, { executionArn: EXECUTION, maxResults: 1000, nextToken: 't2' })
      .resolves({ events: revenueFailed.slice(4) });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const fetch = vi.fn();

    // Act
    const result = await notify(statusEvent('FAILED'), { sfn, sns: () => sns, secrets: () => secrets, fetch, config });

    // Assess
    expect(sfnMock.commandCalls(GetExecutionHistoryCommand)).toHaveLength(2);
    expect(result.snsMessageId).toBe('m-1');
    const published = snsMock.commandCalls(PublishCommand)[0].args[0].input;
    expect(published.TopicArn).toBe(config.snsTopicArn);
    expect(published.Subject).toBe('stepgraph: player-analytics 2019-03-12 FAILED at revenue');
    expect(published.Message).toBe(
      [
        'stepgraph: run player-analytics 2019-03-12 FAILED at revenue.',
        '',
        'Failed job: revenue',
        'Error: States.TaskFailed: {"errorMessage":"revenue table locked"}',
        'Did not run: bi_import, report',
        '',
        `Execution: https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${EXECUTION}`,
        'Replay the broken part (that job and everything downstream):',
        '  npx stepgraph replay player-analytics --date 2019-03-12 --from revenue',
      ].join('\n'),
    );
    expect(fetch).not.toHaveBeenCalled();
  });

  it('GIVEN a wait past its deadline WHEN alerted THEN the alert names the job and the marker it waited for', async () => {
    sfnMock.on(GetExecutionHistoryCommand).resolves({
      events: history(
        { type: 'ExecutionStarted' },
        entered('bi_import waits for payments'),
        scheduled(10800),
        { type: 'TaskStarted' },
        { type: 'TaskTimedOut', taskTimedOutEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', error: 'States.Timeout' } },
        { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'States.Timeout' } },
      ),
    });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });

    const result = await notify(statusEvent('FAILED'), { sfn, sns: () => sns, secrets: () => secrets, fetch: vi.fn(), config });

    expect(result.alert?.subject).toBe('stepgraph: player-analytics 2019-03-12 FAILED at bi_import');
    expect(result.alert?.text.split('\n').slice(0, 7)).toStrictEqual([
      'stepgraph: run player-analytics 2019-03-12 FAILED at bi_import.',
      '',
      "Failed job: bi_import (it waited for marker 'payments' past the wait's deadline)",
      "Error: stepgraph.WaitTimedOut: marker 'payments' was not written within the wait's deadline (3h)",
      'Run error: States.Timeout',
      'Did not run: report',
      '',
    ]);
    expect(result.alert?.replayCommand).toBe('npx stepgraph replay player-analytics --date 2019-03-12 --from bi_import');
  });

  it('GIVEN an aborted run WHEN alerted THEN the alert names the jobs it stopped and replays from them', async () => {
    sfnMock.on(GetExecutionHistoryCommand).resolves({
      events: history({ type: 'ExecutionStarted' }, entered('Parallel (player_entry, sessions)', 'ParallelStateEntered'), entered('player_entry'), scheduled(), entered('sessions'), scheduled(), { type: 'ExecutionAborted' }),
    });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });

    const result = await notify(statusEvent('ABORTED'), { sfn, sns: () => sns, secrets: () => secrets, fetch: vi.fn(), config });

    expect(result.alert?.subject).toBe('stepgraph: player-analytics 2019-03-12 ABORTED at player_entry, sessions');
    expect(result.alert?.text).toContain('Jobs that did not finish: player_entry, sessions');
    expect(result.alert?.replayCommand).toBe('npx stepgraph replay player-analytics --date 2019-03-12 --from player_entry --from sessions');
  });

  it('posts to the Slack webhook read from Secrets Manager, once per container', async () => {
    // Prepare
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: revenueFailed });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: '{"url":"https://hooks.slack.com/services/T0/B0/x"}' });
    const fetch = vi.fn(async () => new Response('ok', { status: 200 }));
    const withSlack = { ...config, slackWebhookSecret: 'stepgraph/slack' };

    // Act
    const first = await notify(statusEvent('FAILED'), { sfn, sns: () => sns, secrets: () => secrets, fetch, config: withSlack });
    await notify(statusEvent('FAILED'), { sfn, sns: () => sns, secrets: () => secrets, fetch, config: withSlack });

    // Assess
    expect(first.slack).toBe(true);
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secretsMock.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({ SecretId: 'stepgraph/slack' });
    expect(fetch).toHaveBeenCalledTimes(2);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('https://hooks.slack.com/services/T0/B0/x');
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body as string).text).toContain('npx stepgraph replay player-analytics --date 2019-03-12 --from revenue');
  });

  it('still publishes to SNS when Slack fails, then fails so the event is retried', async () => {
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: revenueFailed });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: 'https://hooks.slack.com/services/T0/B0/x' });
    const fetch = vi.fn(async () => new Response('no_service', { status: 404 }));

    const act = notify(statusEvent('FAILED'), { sfn, sns: () => sns, secrets: () => secrets, fetch, config: { ...config, slackWebhookSecret: 's' } });

    await expect(act).rejects.toMatchObject({ name: 'AlertDeliveryFailed', message: expect.stringContaining('Slack webhook answered 404') });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('refuses a secret that holds no webhook URL', async () => {
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: revenueFailed });
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: '{"token":"xoxb"}' });

    const act = notify(statusEvent('FAILED'), { sfn, sns: () => sns, secrets: () => secrets, fetch: vi.fn(), config: { workflow: 'player-analytics', jobs, slackWebhookSecret: 's' } });

    await expect(act).rejects.toThrow(/does not hold an https webhook URL/);
  });

  it('takes the date from the execution name when the input is unavailable', async () => {
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: revenueFailed });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });

    const result = await notify(statusEvent('ABORTED', null), { sfn, sns: () => sns, secrets: () => secrets, fetch: vi.fn(), config });

    expect(result.alert?.replayCommand).toBe('npx stepgraph replay player-analytics --date 2019-03-12 --from revenue');
    expect(result.alert?.subject).toBe('stepgraph: player-analytics 2019-03-12 ABORTED at revenue');
  });

  it('uses clients in the region of the topic and secret ARNs', async () => {
    // Prepare
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: revenueFailed });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: 'https://hooks.slack.com/services/T0/B0/x' });
    const asked: string[] = [];
    const secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-AbCdEf';

    // Act
    await notify(statusEvent('FAILED'), {
      sfn,
      sns: (arn) => (asked.push(`sns ${regionOfArn(arn)}`), sns),
      secrets: (arn) => (asked.push(`secrets ${regionOfArn(arn)}`), secrets),
      fetch: vi.fn(async () => new Response('ok')),
      config: { ...config, slackWebhookSecret: secret },
    });

    // Assess
    expect(asked).toEqual(['sns eu-west-1', 'secrets us-east-1']);
    expect(regionOfArn('slack-webhook')).toBeUndefined();
  });

  it("follows a failed child machine of a split graph to the job that failed in it", async () => {
    // Prepare: the main execution only knows that part 1 failed; the child's history names the job
    const child = 'arn:aws:states:eu-west-1:123456789012:execution:player-analytics-part-1:c-1';
    const main = history(
      { type: 'ExecutionStarted' },
      entered('Part 1 (revenue, +1 more)'),
      { type: 'TaskScheduled' },
      { type: 'TaskStarted' },
      taskFailed('States.TaskFailed', JSON.stringify({ ExecutionArn: child, Status: 'FAILED', Error: 'States.TaskFailed' })),
      exited('Part 1 (revenue, +1 more)'),
      entered('Part 1 failed', 'FailStateEntered'),
      { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'stepgraph.PartFailed' } },
    );
    sfnMock
      .on(GetExecutionHistoryCommand, { executionArn: EXECUTION })
      .resolves({ events: main })
      .on(GetExecutionHistoryCommand, { executionArn: child })
      .resolves({ events: revenueFailed });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });

    // Act
    const result = await notify(statusEvent('FAILED'), { sfn, sns: () => sns, secrets: () => secrets, fetch: vi.fn(), config });

    // Assess
    expect(result.alert?.replayCommand).toBe('npx stepgraph replay player-analytics --date 2019-03-12 --from revenue');
    expect(result.alert?.text).toContain('Error: States.TaskFailed: {"errorMessage":"revenue table locked"}');
  });

  it('replays the whole run from its first jobs when the history names no job', async () => {
    sfnMock.on(GetExecutionHistoryCommand).resolves({
      events: history({ type: 'ExecutionStarted' }, entered('Check input', 'ChoiceStateEntered'), { type: 'ExecutionAborted' }),
    });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });

    const result = await notify(statusEvent('ABORTED'), { sfn, sns: () => sns, secrets: () => secrets, fetch: vi.fn(), config });

    expect(result.alert?.replayCommand).toBe('npx stepgraph replay player-analytics --date 2019-03-12 --from player_entry --from sessions');
    expect(result.alert?.text).toContain('the whole run is replayed from its first jobs');
  });

  it("says so when the run failed in a state of no job: the input check", async () => {
    sfnMock.on(GetExecutionHistoryCommand).resolves({
      events: history(
        { type: 'ExecutionStarted' },
        entered('Check input', 'ChoiceStateEntered'),
        exited('Check input', 'ChoiceStateExited'),
        entered('Invalid input', 'FailStateEntered'),
        { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'stepgraph.InvalidInput', cause: 'the input needs "date": "YYYY-MM-DD"' } },
      ),
    });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });

    const result = await notify(statusEvent('FAILED'), { sfn, sns: () => sns, secrets: () => secrets, fetch: vi.fn(), config });

    expect(result.alert?.text).toContain("Failed in state 'Invalid input', which is no job's: the whole run is replayed from its first jobs.");
    expect(result.alert?.text).toContain('Error: stepgraph.InvalidInput: the input needs "date": "YYYY-MM-DD"');
  });

  it('ignores statuses that need no alert', async () => {
    const result = await notify(statusEvent('SUCCEEDED'), { sfn, sns: () => sns, secrets: () => secrets, fetch: vi.fn(), config });
    expect(result).toEqual({});
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('reads its configuration from the environment and the bundled job graph', () => {
    const env = { WORKFLOW: 'player-analytics', SNS_TOPIC_ARN: config.snsTopicArn };
    expect(notifyConfig(env, jobs)).toEqual(config);
    expect(() => notifyConfig({}, [])).toThrow('environment variable WORKFLOW is not set');
    expect(() => notifyConfig(env, undefined)).toThrow(/job graph was not bundled in/);
    expect(() => notifyConfig(env, [{ name: 1 }])).toThrow(TypeError);
  });
});

import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SFNServiceException,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setRetryPolicyForTests } from '../../generator/ops/options.ts';
import { History } from './history-builder.ts';
import { REGION, cli, execArn, mocks, noSleep, taskFailed } from './support.ts';

const PA = `arn:aws:states:${REGION}:123456789012:stateMachine:player-analytics`;
const RUN = 'player-analytics-2019-03-12';
const RUN_ARN = execArn(RUN);
const at = (minute: number): Date => new Date(Date.UTC(2019, 2, 13, 2, minute));

/**
 * A failed run: sessions failed after 2 attempts in its own Task (the run failed with its error),
 * purchases finished, player_entry was cancelled beside it, the others never ran.
 */
function failedHistory(): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const add = (type: string, extra: Partial<HistoryEvent> = {}, previousEventId = events.length): number => {
    events.push({ id: events.length + 1, previousEventId, type: type as HistoryEvent['type'], timestamp: at(events.length), ...extra });
    return events.length;
  };
  const entered = (name: string, previous?: number) => add('TaskStateEntered', { stateEnteredEventDetails: { name } }, previous);
  add('ExecutionStarted');
  const par = add('ParallelStateEntered', { stateEnteredEventDetails: { name: 'Parallel (player_entry, sessions, purchases)' } });
  let p = entered('purchases', par);
  p = add('TaskScheduled', {}, p);
  p = add('TaskSucceeded', {}, p);
  add('TaskStateExited', { stateExitedEventDetails: { name: 'purchases' } }, p);
  const pe = entered('player_entry', par);
  add('TaskScheduled', {}, pe);
  let s = entered('sessions', par);
  for (let i = 1; i <= 2; i++) {
    s = add('TaskScheduled', {}, s);
    s = add('TaskFailed', taskFailed('Lambda.Unknown', `out of memory (${i})`), s);
  }
  add('ExecutionFailed', { executionFailedEventDetails: { error: 'Lambda.Unknown', cause: 'out of memory (2)' } }, s);
  return events;
}

/** A redriven run: sessions failed, the redrive ran it again and everything finished. */
function redrivenHistory(): HistoryEvent[] {
  const events = failedHistory();
  const add = (type: string, extra: Partial<HistoryEvent> = {}): void => {
    events.push({ id: events.length + 1, previousEventId: events.length, type: type as HistoryEvent['type'], timestamp: at(events.length), ...extra });
  };
  add('ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount: 1 } });
  for (const job of ['player_entry', 'sessions', 'daily_kpis', 'revenue', 'bi_import']) {
    add('TaskStateEntered', { stateEnteredEventDetails: { name: job } });
    add('TaskScheduled');
    add('TaskSucceeded');
    add('TaskStateExited', { stateExitedEventDetails: { name: job } });
  }
  add('ExecutionSucceeded');
  return events;
}

describe('operations commands', () => {
  const { sfn, s3 } = mocks();
  beforeAll(() => setRetryPolicyForTests({ sleep: noSleep }));
  afterAll(() => setRetryPolicyForTests(undefined));
  beforeEach(() => {
    sfn.reset();
    s3.reset();
    sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [{ name: 'player-analytics', stateMachineArn: PA, type: 'STANDARD', creationDate: new Date(0) }] });
  });

  describe('start', () => {
    it('starts <workflow>-<date> with the date and params as input', async () => {
      sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));
      sfn.on(StartExecutionCommand).resolves({ executionArn: RUN_ARN, startDate: new Date() });

      const { code, out } = await cli('start', 'player-analytics', '--date', '2019-03-12', '--param', 'mode=full', '--region', REGION);

      expect(code).toBe(0);
      expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input).toStrictEqual({ stateMachineArn: PA, name: RUN, input: '{"date":"2019-03-12","params":{"mode":"full"}}' });
      expect(out).toContain(`started ${RUN}`);
    });

    it('says so and shows the status when that run exists, without starting anything', async () => {
      sfn.on(DescribeExecutionCommand).resolves({ executionArn: RUN_ARN, name: RUN, status: 'FAILED', startDate: at(0), stopDate: at(30), stateMachineArn: PA, input: '{"date":"2019-03-12"}' });
      sfn.on(GetExecutionHistoryCommand).resolves({ events: failedHistory() });

      const { code, out } = await cli('start', 'player-analytics', '--date', '2019-03-12', '--region', REGION);

      expect(code).toBe(0);
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
      expect(out).toContain(`${RUN} exists already; it is not started again`);
      expect(out).toMatch(/sessions\s+failed/);
    });

    it('handles ExecutionAlreadyExists when the run appears between the check and the start', async () => {
      sfn
        .on(DescribeExecutionCommand)
        .rejectsOnce(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }))
        .resolves({ executionArn: RUN_ARN, name: RUN, status: 'RUNNING', startDate: at(0), stateMachineArn: PA });
      sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
      sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });

      const { code, out } = await cli('start', 'player-analytics', '--date', '2019-03-12', '--region', REGION);

      expect(code).toBe(0);
      expect(out).toContain(`${RUN} exists already`);
    });

    it('explains missing credentials in one line with exit 1', async () => {
      sfn.on(ListStateMachinesCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));

      const { code, err } = await cli('start', 'player-analytics', '--date', '2019-03-12', '--region', REGION);

      expect(code).toBe(1);
      expect(err.split('\n')).toHaveLength(1);
      expect(err).toMatch(/^stepgraph start: no AWS credentials: set AWS_ACCESS_KEY_ID/);
    });

    it('reports throttling that outlasts the retries clearly, with exit 1', async () => {
      sfn.on(ListStateMachinesCommand).rejects(new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {}, message: 'Rate exceeded' }));

      const { code, err } = await cli('start', 'player-analytics', '--date', '2019-03-12', '--region', REGION);

      expect(code).toBe(1);
      expect(err).toMatch(/^stepgraph start: AWS kept throttling ListStateMachines \(8 attempts/);
      expect(sfn.commandCalls(ListStateMachinesCommand)).toHaveLength(8);
    });

    it('uses --state-machine-arn without listing state machines', async () => {
      const arn = 'arn:aws:states:eu-central-1:210987654321:stateMachine:pa-blue';
      sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));
      sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:e', startDate: new Date() });

      await cli('start', 'player-analytics', '--date', '2019-03-12', '--state-machine-arn', arn, '--region', REGION);

      expect(sfn.commandCalls(ListStateMachinesCommand)).toHaveLength(0);
      expect(sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input.executionArn).toBe(`arn:aws:states:eu-central-1:210987654321:execution:pa-blue:${RUN}`);
    });
  });

  describe('status', () => {
    it('shows every job of the date\'s newest run from its whole history, as JSON', async () => {
      // GIVEN the first run and a replay of the date; the replay is newer
      sfn.on(ListExecutionsCommand).resolves({
        executions: [
          { name: `${RUN}-replay-1`, status: 'FAILED', executionArn: execArn(`${RUN}-replay-1`), stateMachineArn: PA, startDate: at(50) },
          { name: RUN, status: 'FAILED', executionArn: RUN_ARN, stateMachineArn: PA, startDate: at(0) },
        ],
      });
      sfn.on(DescribeExecutionCommand).resolves({ executionArn: execArn(`${RUN}-replay-1`), name: `${RUN}-replay-1`, status: 'FAILED', startDate: at(0), stopDate: at(16), stateMachineArn: PA, error: 'Lambda.Unknown', cause: 'out of memory (2)' });
      const events = failedHistory();
      sfn.on(GetExecutionHistoryCommand).resolvesOnce({ events: events.slice(0, 9), nextToken: 'h2' }).resolvesOnce({ events: events.slice(9) });

      // WHEN
      const { code, out } = await cli('status', 'player-analytics', '--date', '2019-03-12', '--json', '--region', REGION);

      // THEN
      expect(code).toBe(0);
      const status = JSON.parse(out);
      expect(sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input.executionArn).toBe(execArn(`${RUN}-replay-1`));
      expect(status.status).toBe('FAILED');
      expect(status.consoleLink).toBe(`https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/${execArn(`${RUN}-replay-1`)}`);
      expect(status.jobs.map((j: { job: string; status: string; attempts: number }) => `${j.job} ${j.status} ${j.attempts}`)).toStrictEqual([
        'player_entry cancelled 1',
        'sessions failed 2',
        'purchases succeeded 1',
        'daily_kpis not run 0',
        'revenue not run 0',
        'bi_import not run 0',
      ]);
      expect(status.jobs[1]).toMatchObject({ error: 'Lambda.Unknown', cause: 'out of memory (2)', failedIn: 'sessions' });
      expect(sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(2);
    });

    it('prints a table, the failed job and why, the overall status and the console link for an execution ARN', async () => {
      sfn.on(DescribeExecutionCommand).resolves({ executionArn: RUN_ARN, name: RUN, status: 'FAILED', startDate: at(0), stopDate: at(16), stateMachineArn: PA, error: 'Lambda.Unknown', cause: 'out of memory (2)' });
      sfn.on(GetExecutionHistoryCommand).resolves({ events: failedHistory() });

      const { code, out } = await cli('status', RUN_ARN, '--region', REGION);

      expect(code).toBe(0);
      const lines = out.split('\n');
      expect(lines.slice(0, 3)).toStrictEqual([
        `${RUN}  FAILED`,
        'started 2019-03-13T02:00:00Z, ended 2019-03-13T02:16:00Z, took 16m 00s',
        'failed: sessions: Lambda.Unknown: out of memory (2)',
      ]);
      expect(lines).toContain('sessions      failed     2019-03-13T02:08:00Z  2019-03-13T02:12:00Z  4m 00s    2         Lambda.Unknown: out of memory (2)');
      expect(out).toContain('jobs: 1 cancelled, 1 failed, 1 succeeded, 3 not run');
      expect(out).toContain(`console: https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/${RUN_ARN}`);
    });

    it('shows where a wait passed its deadline: the job, its wait and the marker it waited for', async () => {
      const h = new History();
      h.add('ExecutionStarted');
      h.pass('bi_import selected?', 'Choice');
      h.timedOutWait('bi_import waits for payments', 10800);
      h.runFailed('States.Timeout');
      sfn.on(DescribeExecutionCommand).resolves({ executionArn: RUN_ARN, name: RUN, status: 'FAILED', startDate: at(0), stopDate: at(200), stateMachineArn: PA, error: 'States.Timeout' });
      sfn.on(GetExecutionHistoryCommand).resolves({ events: h.events });

      const { code, out } = await cli('status', RUN_ARN, '--region', REGION);

      expect(code).toBe(0);
      expect(out.split('\n')[2]).toBe("failed: bi_import (in 'bi_import waits for payments'): stepgraph.WaitTimedOut: marker 'payments' was not written within the wait's deadline (3h)");
      expect(out).not.toContain('error: States.Timeout');
    });

    it('shows the latest outcome of a redriven run that then succeeded', async () => {
      sfn.on(DescribeExecutionCommand).resolves({ executionArn: RUN_ARN, name: RUN, status: 'SUCCEEDED', startDate: at(0), stopDate: at(60), stateMachineArn: PA, redriveCount: 1 });
      sfn.on(GetExecutionHistoryCommand).resolves({ events: redrivenHistory() });

      const { code, out } = await cli('status', RUN_ARN, '--json', '--region', REGION);

      expect(code).toBe(0);
      const status = JSON.parse(out);
      expect(status.redriveCount).toBe(1);
      expect(status.jobs.map((j: { job: string; status: string; attempts: number; error: string | null }) => `${j.job} ${j.status} ${j.attempts} ${j.error}`)).toStrictEqual([
        'player_entry succeeded 2 null',
        'sessions succeeded 3 null',
        'purchases succeeded 1 null',
        'daily_kpis succeeded 1 null',
        'revenue succeeded 1 null',
        'bi_import succeeded 1 null',
      ]);
    });
  });

  describe('list', () => {
    it('lists recent runs with a status filter, stopping at --since', async () => {
      const now = Date.now();
      const day = 86_400_000;
      sfn.on(ListExecutionsCommand).resolvesOnce({
        executions: [
          { name: RUN, status: 'FAILED', executionArn: RUN_ARN, stateMachineArn: PA, startDate: new Date(now - day), stopDate: new Date(now - day + 60_000) },
          { name: 'player-analytics-2019-01-01', status: 'FAILED', executionArn: execArn('player-analytics-2019-01-01'), stateMachineArn: PA, startDate: new Date(now - 30 * day) },
        ],
        nextToken: 'more',
      });

      const { code, out } = await cli('list', 'player-analytics', '--status', 'failed', '--since', '7d', '--json', '--region', REGION);

      expect(code).toBe(0);
      expect(sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input.statusFilter)).toStrictEqual(['FAILED']);
      expect(JSON.parse(out).map((r: { name: string; date: string }) => [r.name, r.date])).toStrictEqual([[RUN, '2019-03-12']]);
    });

    it('refuses an unknown status with a did-you-mean', async () => {
      const { code, err } = await cli('list', 'player-analytics', '--status', 'FAILD', '--region', REGION);
      expect(code).toBe(1);
      expect(err).toBe("stepgraph list: --status 'FAILD' is not an execution status; did you mean 'FAILED'?");
    });
  });

  describe('redrive', () => {
    const failed = { executionArn: RUN_ARN, name: RUN, status: 'FAILED' as const, startDate: new Date(Date.now() - 3_600_000), stopDate: new Date(Date.now() - 60_000), stateMachineArn: PA, input: '{"date":"2019-03-12"}', redriveStatus: 'REDRIVABLE' as const, error: 'Lambda.Unknown', cause: 'out of memory (2)' };
    const machine = { stateMachineArn: PA, name: 'player-analytics', roleArn: 'arn:role', type: 'STANDARD' as const, creationDate: new Date(0), definition: '{}', revisionId: 'rev-2' };
    const unchanged = (): void => {
      sfn.on(DescribeStateMachineCommand).resolves(machine);
      sfn.on(DescribeStateMachineForExecutionCommand).resolves({ ...machine, updateDate: new Date(0), revisionId: 'rev-2' });
    };

    it('GIVEN a job that failed after its retries WHEN redriven by workflow and date THEN the run continues in place with that job', async () => {
      sfn.on(ListExecutionsCommand).resolves({ executions: [{ name: RUN, status: 'FAILED', executionArn: RUN_ARN, stateMachineArn: PA, startDate: new Date() }] });
      sfn.on(DescribeExecutionCommand).resolves(failed);
      unchanged();
      sfn.on(GetExecutionHistoryCommand).resolves({ events: failedHistory() });
      sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });

      const { code, out } = await cli('redrive', 'player-analytics', '--date', '2019-03-12', '--region', REGION);

      expect(code).toBe(0);
      expect(sfn.commandCalls(RedriveExecutionCommand)[0].args[0].input.executionArn).toBe(RUN_ARN);
      expect(out.split('\n')[0]).toBe(`redriven ${RUN}: it continues with job sessions, where it failed; finished jobs are kept`);
    });

    it('redrives a run whose wait passed its deadline: the wait is entered again', async () => {
      const h = new History();
      h.add('ExecutionStarted');
      h.timedOutWait('bi_import waits for payments', 10800);
      h.runFailed('States.Timeout');
      sfn.on(DescribeExecutionCommand).resolves({ ...failed, error: 'States.Timeout', cause: undefined });
      unchanged();
      sfn.on(GetExecutionHistoryCommand).resolves({ events: h.events });
      sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });

      const { code, out } = await cli('redrive', RUN_ARN, '--region', REGION);

      expect(code).toBe(0);
      expect(out).toContain(`redriven ${RUN}: it continues with job bi_import (state 'bi_import waits for payments'), where it failed`);
    });

    it.each([
      ['TIMED_OUT', 'ExecutionTimedOut', 'timed out'],
      ['ABORTED', 'ExecutionAborted', 'stopped'],
    ] as const)('redrives a %s run: what was running runs again', async (status, end, word) => {
      const h = new History();
      h.add('ExecutionStarted');
      const par = h.enter('Parallel (player_entry, sessions)', 'Parallel');
      h.scheduled(h.enter('player_entry', 'Task', par));
      h.scheduled(h.enter('sessions', 'Task', par));
      h.add(end);
      sfn.on(DescribeExecutionCommand).resolves({ ...failed, status, error: undefined, cause: undefined });
      unchanged();
      sfn.on(GetExecutionHistoryCommand).resolves({ events: h.events });
      sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });

      const { code, out } = await cli('redrive', RUN_ARN, '--region', REGION);

      expect(code).toBe(0);
      expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(1);
      expect(out).toContain(`redriven ${RUN}: it continues with player_entry, sessions, which were running when it ${word}`);
    });

    it('explains why not when the definition changed since, and offers the equivalent replay', async () => {
      sfn.on(DescribeExecutionCommand).resolves(failed);
      sfn.on(DescribeStateMachineCommand).resolves(machine);
      sfn.on(DescribeStateMachineForExecutionCommand).resolves({ ...machine, updateDate: new Date(0), revisionId: 'rev-1' });
      sfn.on(GetExecutionHistoryCommand).resolves({ events: failedHistory() });

      const { code, err } = await cli('redrive', RUN_ARN, '--region', REGION);

      expect(code).toBe(1);
      expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
      expect(err).toBe(
        [
          `${RUN} cannot be redriven:`,
          '  - the state machine was redeployed since this run started; a redrive would rerun the old definition, a replay runs the new one',
          'Instead, replay what it left unfinished (with the current definition):',
          '  npx stepgraph replay player-analytics --date 2019-03-12 --from player_entry --from sessions --from revenue',
        ].join('\n'),
      );
      // The history was read once, for the reason and for the replay alike.
      expect(sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(1);
    });

    it('refuses a run still running, one that succeeded and one closed too long ago, each saying why', async () => {
      unchanged();
      sfn.on(GetExecutionHistoryCommand).resolves({ events: redrivenHistory() });
      const cases = [
        [{ ...failed, status: 'RUNNING' as const, stopDate: undefined }, 'the execution is RUNNING; there is nothing to redrive yet'],
        [{ ...failed, status: 'SUCCEEDED' as const }, 'the execution SUCCEEDED; to run jobs again, replay them'],
        [{ ...failed, stopDate: new Date(Date.now() - 20 * 86_400_000) }, 'it closed 20 days ago; Step Functions redrives only executions closed in the last 14 days'],
      ] as const;
      for (const [execution, reason] of cases) {
        sfn.on(DescribeExecutionCommand).resolves(execution);

        const { code, err } = await cli('redrive', RUN_ARN, '--region', REGION);

        expect(code).toBe(1);
        expect(err).toContain(`  - ${reason}`);
      }
      expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    });

    it("GIVEN a sweep job that failed in its Fail state WHEN redriven THEN it is refused and the job's replay is offered", async () => {
      // The workflow's file is not at hand (an ARN of another project's state machine): the reason still names the job.
      const arn = execArn('model-training-2026-01-16', 'model-training');
      const h = new History();
      h.add('ExecutionStarted');
      h.pass('score too many failures');
      h.enter('score failed', 'Fail', { sweep: { error: { Error: 'stepgraph.SweepFailed', Cause: '2 of 2 items failed; 0 tolerated' } } });
      h.runFailed('stepgraph.SweepFailed', '2 of 2 items failed; 0 tolerated');
      sfn.on(DescribeExecutionCommand).resolves({ ...failed, executionArn: arn, name: 'model-training-2026-01-16', stateMachineArn: arn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, ''), error: 'stepgraph.SweepFailed' });
      unchanged();
      sfn.on(GetExecutionHistoryCommand).resolves({ events: h.events });

      const { code, err } = await cli('redrive', arn, '--region', REGION);

      expect(code).toBe(1);
      expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
      expect(err).toBe(
        [
          'model-training-2026-01-16 cannot be redriven:',
          "  - sweep job 'score' had more items fail than it tolerates (2 of 2 items failed; 0 tolerated): the run failed in its Fail state 'score failed', and a redrive would enter that state again and fail at once; replaying the job runs the sweep again",
          'Instead, replay the sweep job and what depends on it:',
          '  npx stepgraph replay model-training --date 2026-01-16 --from score',
        ].join('\n'),
      );
    });

    it("GIVEN a sweep's own run that failed its count WHEN redriven THEN it points to sweep resume", async () => {
      const arn = execArn('nightly-20260116-020000', 'nightly');
      const h = new History();
      h.enter('nightly failed', 'Fail');
      h.runFailed('stepgraph.SweepFailed', '3 of 10 items failed; 1 tolerated');
      sfn.on(DescribeExecutionCommand).resolves({ ...failed, executionArn: arn, name: 'nightly-20260116-020000', error: 'stepgraph.SweepFailed' });
      unchanged();
      sfn.on(GetExecutionHistoryCommand).resolves({ events: h.events });

      const { code, err } = await cli('redrive', arn, '--region', REGION);

      expect(code).toBe(1);
      expect(err.split('\n').slice(-2)).toStrictEqual(['Instead, run again only the items that did not succeed:', '  npx stepgraph sweep resume --sweep-id nightly-20260116-020000']);
    });

    it("falls back the same way when Step Functions itself refuses", async () => {
      sfn.on(DescribeExecutionCommand).resolves(failed);
      unchanged();
      sfn.on(GetExecutionHistoryCommand).resolves({ events: failedHistory() });
      sfn.on(RedriveExecutionCommand).rejects(new SFNServiceException({ name: 'ExecutionNotRedrivable', $fault: 'client', $metadata: {}, message: 'Execution history event limit exceeded' }));

      const { code, err } = await cli('redrive', RUN_ARN, '--region', REGION);

      expect(code).toBe(1);
      expect(err).toContain('Step Functions refused: Execution history event limit exceeded');
      expect(err).toContain('npx stepgraph replay player-analytics --date 2019-03-12 --from');
    });
  });

  describe('backfill', () => {
    it('refuses --to before --from', async () => {
      const { code, err } = await cli('backfill', 'player-analytics', '--from', '2019-03-12', '--to', '2019-03-01');
      expect(code).toBe(1);
      expect(err).toBe('stepgraph backfill: --to 2019-03-01 is before --from 2019-03-12; swap them');
    });

    it('prints plain progress lines off a terminal and a summary, skipping dates already succeeded', async () => {
      sfn.on(ListExecutionsCommand).resolves({ executions: [{ name: 'player-analytics-2019-03-02', status: 'SUCCEEDED', executionArn: execArn('player-analytics-2019-03-02'), stateMachineArn: PA, startDate: new Date() }] });
      sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: execArn(input.name), startDate: new Date() }));
      sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => ({ executionArn: input.executionArn, status: 'SUCCEEDED' }));

      const { code, out } = await cli('backfill', 'player-analytics', '--from', '2019-03-01', '--to', '2019-03-03', '--max-concurrent', '2', '--poll', '1', '--region', REGION);

      expect(code).toBe(0);
      expect(out.split('\n')).toStrictEqual([
        'backfill player-analytics: 3 days, 2019-03-01 to 2019-03-03, at most 2 at once',
        '[1/3] player-analytics-2019-03-02: skipped: already succeeded',
        'started player-analytics-2019-03-01',
        'started player-analytics-2019-03-03',
        '[2/3] player-analytics-2019-03-01: succeeded',
        '[3/3] player-analytics-2019-03-03: succeeded',
        'summary: 2 succeeded, 1 skipped: already succeeded',
      ]);
    });
  });
});

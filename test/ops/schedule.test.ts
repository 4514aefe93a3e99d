// `stepgraph schedule show|pause|resume` against the real Scheduler and Step Functions clients,
// mocked at the API boundary.
import { GetScheduleCommand, ResourceNotFoundException, SchedulerClient, UpdateScheduleCommand, type GetScheduleOutput } from '@aws-sdk/client-scheduler';
import { DescribeExecutionCommand, ExecutionDoesNotExist, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../generator/cli/main.ts';
import { setRetryPolicyForTests } from '../../generator/ops/options.ts';
import { noSleep, REGION } from './support.ts';

const sfn = mockClient(SFNClient);
const scheduler = mockClient(SchedulerClient);
const FILE = 'test/fixtures/schedule/nightly.yaml';
const SM = `arn:aws:states:${REGION}:123456789012:stateMachine:nightly`;
const NOW = new Date('2019-03-14T12:00:00Z');

/** What GetSchedule answers for the deployed schedule (every field the stack sets). */
const deployed = (state: 'ENABLED' | 'DISABLED', lastModified = new Date('2019-03-11T10:00:00Z')): GetScheduleOutput => ({
  Arn: `arn:aws:scheduler:${REGION}:123456789012:schedule/default/stepgraph-nightly`,
  Name: 'stepgraph-nightly',
  GroupName: 'default',
  State: state,
  ScheduleExpression: 'cron(0 2 * * ? *)',
  ScheduleExpressionTimezone: 'Europe/Belgrade',
  Description: 'stepgraph nightly: cron(0 2 * * ? *) Europe/Belgrade',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: {
    Arn: `arn:aws:lambda:${REGION}:123456789012:function:timed-start`,
    RoleArn: 'arn:aws:iam::123456789012:role/scheduler',
    Input: '{"time":"<aws.scheduler.scheduled-time>","overlap":"queue"}',
    RetryPolicy: { MaximumEventAgeInSeconds: 21600, MaximumRetryAttempts: 20 },
  },
  CreationDate: new Date('2019-01-01T00:00:00Z'),
  LastModificationDate: lastModified,
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    return { code: await main([...args, '--region', REGION]), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const notFound = (name: string) => new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${name}'`, $metadata: {} });
/** Executions that exist by name; the others answer ExecutionDoesNotExist. */
function executions(existing: string[], running: string[] = []): void {
  sfn.on(DescribeExecutionCommand).callsFake(({ executionArn }) => {
    const name = executionArn.split(':').at(-1);
    if (!existing.includes(name)) throw notFound(name);
    return { executionArn, name, status: running.includes(name) ? 'RUNNING' : 'SUCCEEDED', stateMachineArn: SM, startDate: NOW };
  });
  sfn.on(ListExecutionsCommand).callsFake((input) => ({
    executions: existing.filter((n) => input.statusFilter !== 'RUNNING' || running.includes(n)).map((name) => ({ name, executionArn: `${SM}:${name}`, stateMachineArn: SM, status: 'RUNNING', startDate: NOW })),
  }));
  sfn.on(StartExecutionCommand).callsFake(({ name }) => ({ executionArn: `${SM}:${name}`, startDate: NOW }));
}

describe('stepgraph schedule', () => {
  beforeAll(() => setRetryPolicyForTests({ sleep: noSleep }));
  afterAll(() => setRetryPolicyForTests(undefined));
  beforeEach(() => {
    sfn.reset();
    scheduler.reset();
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
  });
  afterEach(() => vi.useRealTimers());

  it('show --offline prints the next fire times on the schedule clock, no AWS call', async () => {
    const { code, out } = await cli('schedule', 'show', FILE, '--offline', '--count', '3');
    expect(code).toBe(0);
    expect(out).toContain('schedule stepgraph-nightly: as written in the file (offline: its deployed state is not read)');
    expect(out).toContain('cron(0 2 * * ? *) in Europe/Belgrade; overlap: queue; catch_up: true');
    expect(out).toContain('2019-03-15 02:00 GMT+1  (2019-03-15T01:00:00Z)  run 2019-03-15');
    expect(out).toContain('2019-03-17 02:00 GMT+1  (2019-03-17T01:00:00Z)  run 2019-03-17');
    expect(scheduler.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('show --offline --paused-since lists the runs a catch-up would start, still without AWS', async () => {
    const { code, out } = await cli('schedule', 'show', FILE, '--offline', '--paused-since', '2019-03-12T01:30:00Z', '--count', '1');
    expect(code).toBe(0);
    expect(out).toContain('supposing it PAUSED since 2019-03-12T01:30:00.000Z');
    // 02:00 Belgrade on the 12th is 01:00Z, before the pause: the 13th and 14th were missed
    expect(out).toContain('a resume catches up 2 runs: nightly-2019-03-13, nightly-2019-03-14');
    expect(scheduler.calls()).toHaveLength(0);
    const bad = await cli('schedule', 'show', FILE, '--offline', '--paused-since', 'yesterday');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("--paused-since 'yesterday' is not an instant");
  });

  it('show --json: state, pause time and the runs a resume would catch up', async () => {
    scheduler.on(GetScheduleCommand).resolves(deployed('DISABLED'));
    sfn.on(ListExecutionsCommand).resolves({ stateMachines: [] } as never);
    executions(['nightly-2019-03-11']);
    const { code, out } = await cli('schedule', 'show', FILE, '--json', '--count', '1', '--state-machine-arn', SM);
    expect(code).toBe(0);
    const shown = JSON.parse(out);
    expect(shown).toMatchObject({ state: 'DISABLED', pausedAt: '2019-03-11T10:00:00.000Z', overlap: 'queue', catchUp: true, timezone: 'Europe/Belgrade' });
    expect(shown.next).toStrictEqual([{ at: '2019-03-15T01:00:00Z', local: '2019-03-15 02:00 GMT+1', date: '2019-03-15' }]);
    // paused after the 11th's run: the 12th, 13th and 14th fired while paused
    expect(shown.catchUpRuns.map((m: { run: string }) => m.run)).toStrictEqual(['nightly-2019-03-12', 'nightly-2019-03-13', 'nightly-2019-03-14']);
  });

  it('pause sends back everything GetSchedule returned, with the state disabled', async () => {
    scheduler.on(GetScheduleCommand).resolves(deployed('ENABLED'));
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: deployed('ENABLED').Arn });
    const { code, out } = await cli('schedule', 'pause', FILE);
    expect(code).toBe(0);
    expect(out).toContain('paused stepgraph-nightly');
    const sent = scheduler.commandCalls(UpdateScheduleCommand)[0].args[0].input;
    const { Arn: _a, CreationDate: _c, LastModificationDate: _l, ...rest } = deployed('ENABLED');
    expect(sent).toStrictEqual({ ...rest, State: 'DISABLED' });
    expect(scheduler.commandCalls(GetScheduleCommand)[0].args[0].input).toStrictEqual({ Name: 'stepgraph-nightly', GroupName: 'default' });
  });

  it('pause records its instant in the input when the deployed schedule catches up, so a resume anywhere catches up', async () => {
    const catching = { ...deployed('ENABLED'), Target: { ...deployed('ENABLED').Target!, Input: '{"time":"<aws.scheduler.scheduled-time>","overlap":"queue","catchUp":true}' } };
    scheduler.on(GetScheduleCommand).resolves(catching);
    scheduler.on(UpdateScheduleCommand).resolves({});
    const { code, out } = await cli('schedule', 'pause', FILE, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ state: 'DISABLED', changed: true, pauseRecorded: true });
    const sent = scheduler.commandCalls(UpdateScheduleCommand)[0].args[0].input;
    expect(sent.State).toBe('DISABLED');
    expect(sent.Target).toStrictEqual({ ...catching.Target, Input: JSON.stringify({ time: '<aws.scheduler.scheduled-time>', overlap: 'queue', catchUp: true, pausedAt: NOW.toISOString() }) });
  });

  it('resume counts from the recorded pause and clears the record, so no fire catches up again', async () => {
    // paused on the 12th at 10:00 (recorded); the schedule was edited later (LastModificationDate the 13th)
    const input = '{"time":"<aws.scheduler.scheduled-time>","overlap":"queue","catchUp":true,"pausedAt":"2019-03-12T10:00:00.000Z"}';
    scheduler.on(GetScheduleCommand).resolves({ ...deployed('DISABLED', new Date('2019-03-13T12:00:00Z')), Target: { ...deployed('DISABLED').Target!, Input: input } });
    scheduler.on(UpdateScheduleCommand).resolves({});
    executions([]);
    const { out } = await cli('schedule', 'resume', FILE, '--json', '--state-machine-arn', SM);
    // the 13th and 14th fired after the recorded pause (the 13th's run starts, the 14th is queued)
    expect(JSON.parse(out)).toMatchObject({ started: ['nightly-2019-03-13'], held: ['nightly-2019-03-14'] });
    const update = scheduler.commandCalls(UpdateScheduleCommand)[0].args[0].input;
    expect(update.State).toBe('ENABLED');
    expect(JSON.parse(update.Target!.Input!)).toStrictEqual({ time: '<aws.scheduler.scheduled-time>', overlap: 'queue', catchUp: true });
  });

  it('pausing a paused schedule changes nothing', async () => {
    scheduler.on(GetScheduleCommand).resolves(deployed('DISABLED'));
    const { code, out } = await cli('schedule', 'pause', FILE);
    expect(code).toBe(0);
    expect(out).toContain('paused already');
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });

  it('resume with catch_up and overlap queue starts the oldest missed run, then enables the schedule', async () => {
    scheduler.on(GetScheduleCommand).resolves(deployed('DISABLED'));
    scheduler.on(UpdateScheduleCommand).resolves({});
    executions(['nightly-2019-03-11', 'nightly-2019-03-13']);
    const { code, out } = await cli('schedule', 'resume', FILE, '--json', '--state-machine-arn', SM);
    expect(code).toBe(0);
    // the 13th ran already (a backfill): the 12th starts now, the 14th when the 12th ends
    expect(JSON.parse(out)).toMatchObject({ state: 'ENABLED', started: ['nightly-2019-03-12'], held: ['nightly-2019-03-14'] });
    const starts = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(starts).toStrictEqual([{ stateMachineArn: SM, name: 'nightly-2019-03-12', input: '{"date":"2019-03-12"}' }]);
    const update = scheduler.commandCalls(UpdateScheduleCommand)[0].args[0].input;
    expect(update.State).toBe('ENABLED');
    expect(update.StartDate).toBeUndefined();
    expect(update.Target).toStrictEqual(deployed('DISABLED').Target);
    // the starts come before the schedule is enabled
    expect(sfn.commandCalls(StartExecutionCommand)[0].calledBefore(scheduler.commandCalls(UpdateScheduleCommand)[0])).toBe(true);
  });

  it('resume holds every missed run while a run is running (overlap queue)', async () => {
    scheduler.on(GetScheduleCommand).resolves(deployed('DISABLED'));
    scheduler.on(UpdateScheduleCommand).resolves({});
    executions(['nightly-2019-03-11'], ['nightly-2019-03-11']);
    const { out } = await cli('schedule', 'resume', FILE, '--state-machine-arn', SM);
    expect(out).toContain('nightly-2019-03-12, nightly-2019-03-13, nightly-2019-03-14: queued');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('resume --no-catch-up starts nothing and moves the start date to now, so the queue skips the pause', async () => {
    scheduler.on(GetScheduleCommand).resolves(deployed('DISABLED'));
    scheduler.on(UpdateScheduleCommand).resolves({});
    const { code, out } = await cli('schedule', 'resume', FILE, '--no-catch-up');
    expect(code).toBe(0);
    expect(out).toContain('not run');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0].args[0].input).toMatchObject({ State: 'ENABLED', StartDate: NOW });
  });

  it('a schedule that is not deployed, a workflow without one, or none at all: exit 1 with what to do', async () => {
    scheduler.on(GetScheduleCommand).rejects(new ResourceNotFoundException({ message: 'Schedule stepgraph-nightly does not exist.', Message: 'Schedule stepgraph-nightly does not exist.', $metadata: {} }));
    const missing = await cli('schedule', 'show', FILE);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("no schedule 'stepgraph-nightly' in eu-west-1: deploy the workflow with `npx cdk deploy stepgraph-nightly`");

    const none = await cli('schedule', 'show', 'test/fixtures/schedule/plain.yaml', '--offline');
    expect(none.code).toBe(1);
    expect(none.err).toContain("workflow 'plain' has no schedule");

    const noFile = await cli('schedule', 'show', 'test/fixtures/schedule/absent.yaml');
    expect(noFile.code).toBe(1);

    const verb = await cli('schedule', 'pase', FILE);
    expect(verb.code).toBe(1);
    expect(verb.err).toContain("did you mean 'pause'?");
  });

  it('status shows whether the schedule is paused, and its next fire time', async () => {
    // GIVEN the 11th's run, done, and the schedule paused after it
    scheduler.on(GetScheduleCommand).resolves(deployed('DISABLED'));
    executions(['nightly-2019-03-11']);
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    // WHEN status is asked, as text and as JSON
    const text = await cli('status', FILE, '--state-machine-arn', SM);
    const json = await cli('status', FILE, '--state-machine-arn', SM, '--json');
    // THEN both say it is paused since when, and when it fires once resumed
    expect(text.code).toBe(0);
    expect(text.out).toContain('schedule: PAUSED since 2019-03-11T10:00:00.000Z; once resumed, next fire 2019-03-15 02:00 GMT+1 (2019-03-15T01:00:00Z), run 2019-03-15');
    expect(JSON.parse(json.out).schedule).toStrictEqual({ state: 'DISABLED', pausedAt: '2019-03-11T10:00:00.000Z', next: { at: '2019-03-15T01:00:00Z', local: '2019-03-15 02:00 GMT+1', date: '2019-03-15' } });

    // a schedule that cannot be read does not fail the run's status
    scheduler.on(GetScheduleCommand).rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    const unread = await cli('status', FILE, '--state-machine-arn', SM);
    expect(unread.code).toBe(0);
    expect(unread.out).toContain("schedule: not read (no schedule 'stepgraph-nightly' in eu-west-1");
  });
});

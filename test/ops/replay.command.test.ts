import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import {
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setRetryPolicyForTests } from '../../generator/ops/options.ts';
import { REGION, cli, execArn, mocks, noSleep } from './support.ts';

const PA = `arn:aws:states:${REGION}:123456789012:stateMachine:player-analytics`;
const FC = `arn:aws:states:${REGION}:123456789012:stateMachine:finance-close`;
const AD = `arn:aws:states:${REGION}:123456789012:stateMachine:ad-attribution`;
const machines = [
  { name: 'board-pack', stateMachineArn: AD.replace('ad-attribution', 'board-pack'), type: 'STANDARD' as const, creationDate: new Date(0) },
  { name: 'ad-attribution', stateMachineArn: AD, type: 'STANDARD' as const, creationDate: new Date(0) },
  { name: 'finance-close', stateMachineArn: FC, type: 'STANDARD' as const, creationDate: new Date(0) },
  { name: 'player-analytics', stateMachineArn: PA, type: 'STANDARD' as const, creationDate: new Date(0) },
];
const run = (name: string, status: 'SUCCEEDED' | 'FAILED' | 'RUNNING', day = 13, sm = 'player-analytics') => ({
  name,
  status,
  executionArn: execArn(name, sm),
  stateMachineArn: PA,
  startDate: new Date(Date.UTC(2019, 2, day)),
});

describe('stepgraph replay', () => {
  const { sfn, s3 } = mocks();
  beforeAll(() => setRetryPolicyForTests({ sleep: noSleep }));
  afterAll(() => setRetryPolicyForTests(undefined));
  beforeEach(() => {
    sfn.reset();
    s3.reset();
    sfn.on(ListStateMachinesCommand).resolves({ stateMachines: machines });
    s3.on(DeleteObjectsCommand).resolves({});
    sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
      executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
      startDate: new Date(),
    }));
  });

  it('--dry-run prints the selection as a tree, the name and the input, and calls no AWS API', async () => {
    // WHEN
    const { code, out } = await cli('replay', 'player-analytics', '--date', '2019-03-12', '--from', 'sessions', '--from', 'revenue', '--dry-run');

    // THEN
    expect(code).toBe(0);
    expect(out).toBe(
      [
        'would replay 4 of 6 jobs of player-analytics for 2019-03-12:',
        '  sessions',
        '  └── daily_kpis',
        '      └── bi_import  (also needs revenue)',
        '  revenue',
        'skipped as done: player_entry, purchases',
        'name: player-analytics-2019-03-12-replay-<n>  (n = 1 + the highest replay number of that date, looked up when it starts)',
        'input: {"date":"2019-03-12","select":{"sessions":true,"daily_kpis":true,"revenue":true,"bi_import":true}}',
        'markers invalidated first: done/sessions__20190312.done, done/daily_kpis__20190312.done, done/revenue__20190312.done, done/bi_import__20190312.done in s3://acme-job-markers',
      ].join('\n'),
    );
    expect(sfn.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  it('invalidates the markers, then starts the next replay number with the selection as input', async () => {
    // GIVEN the date already has a first run and replays 1 and 2, listed over two pages
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({ executions: [run('player-analytics-2019-03-12-replay-2', 'FAILED', 15), run('player-analytics-2019-03-13', 'SUCCEEDED', 14)], nextToken: 'n1' })
      .resolvesOnce({ executions: [run('player-analytics-2019-03-12-replay-1', 'FAILED', 14), run('player-analytics-2019-03-12', 'FAILED', 13)] });

    // WHEN
    const { code, out } = await cli('replay', 'player-analytics', '--date', '2019-03-12', '--only', 'revenue', '--region', REGION);

    // THEN
    expect(code).toBe(0);
    const deletes = s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input);
    expect(deletes).toStrictEqual([{ Bucket: 'acme-job-markers', Delete: { Objects: [{ Key: 'done/revenue__20190312.done' }], Quiet: true } }]);
    const starts = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(starts).toStrictEqual([{ stateMachineArn: PA, name: 'player-analytics-2019-03-12-replay-3', input: '{"date":"2019-03-12","select":{"revenue":true}}' }]);
    expect(sfn.commandCalls(ListExecutionsCommand)[1].args[0].input.nextToken).toBe('n1');
    // The markers go before the run starts, or a waiting job could read the old one.
    expect(s3.commandCalls(DeleteObjectsCommand)[0].calledBefore(sfn.commandCalls(StartExecutionCommand)[0])).toBe(true);
    expect(out).toContain('started player-analytics-2019-03-12-replay-3');
    expect(out).toContain(`console: https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/${execArn('player-analytics-2019-03-12-replay-3')}`);
  });

  it('takes the next number when another replay took the name in the meantime', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [run('player-analytics-2019-03-12', 'FAILED')] });
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }))
      .resolves({ executionArn: execArn('player-analytics-2019-03-12-replay-2'), startDate: new Date() });

    const { code, out } = await cli('replay', 'player-analytics', '--date', '2019-03-12', '--from', 'bi_import', '--region', REGION);

    expect(code).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toStrictEqual([
      'player-analytics-2019-03-12-replay-1',
      'player-analytics-2019-03-12-replay-2',
    ]);
    expect(out).toContain('started player-analytics-2019-03-12-replay-2');
  });

  it('refuses while a run of that date is still running, before touching any marker', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [run('player-analytics-2019-03-12', 'RUNNING')] });

    const { code, err } = await cli('replay', 'player-analytics', '--date', '2019-03-12', '--from', 'revenue', '--region', REGION);

    expect(code).toBe(1);
    expect(err).toContain('player-analytics-2019-03-12 is still running; replaying 2019-03-12 now would race it');
    expect(s3.calls()).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it("finds a stack-created marker bucket in the deployed definition (an hourly workflow's markers)", async () => {
    // GIVEN ad-attribution has no markers.bucket; its deployed definition names the resolved bucket
    sfn.on(DescribeStateMachineCommand).resolves({
      stateMachineArn: AD,
      name: 'ad-attribution',
      roleArn: 'arn:role',
      type: 'STANDARD',
      creationDate: new Date(0),
      definition: JSON.stringify({
        StartAt: 'clicks done',
        States: { 'clicks done': { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:putObject', Parameters: { Bucket: 'stepgraph-ad-attribution-markers-abc', 'Key.$': 'x' }, End: true } },
      }),
    });
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });

    const { code } = await cli('replay', 'ad-attribution', '--date', '2019-03-12T05', '--from', 'installs', '--region', REGION);

    expect(code).toBe(0);
    expect(s3.commandCalls(DeleteObjectsCommand)[0].args[0].input).toStrictEqual({
      Bucket: 'stepgraph-ad-attribution-markers-abc',
      Delete: { Objects: [{ Key: 'done/installs__2019031205.done' }, { Key: 'done/attribution__2019031205.done' }], Quiet: true },
    });
    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.name).toBe('ad-attribution-2019-03-12T05-replay-1');
  });

  it('--downstream lists the workflows reading the markers; with --yes it replays them too', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });

    // WHEN listed only
    const listed = await cli('replay', 'player-analytics', '--date', '2019-03-12', '--from', 'revenue', '--downstream', '--dry-run');
    expect(listed.out).toContain(
      [
        'downstream workflows reading these markers:',
        '  finance-close: ledger waits for revenue',
        '    reruns: ledger, reconcile',
        '  board-pack: triggered by reconcile (via finance-close)',
        '    reruns: pack',
        "    not started with --yes: once finance-close's replay has succeeded, run",
        '    npx stepgraph replay board-pack --date 2019-03-12 --from pack',
      ].join('\n'),
    );

    // WHEN confirmed
    const { code, out } = await cli('replay', 'player-analytics', '--date', '2019-03-12', '--from', 'revenue', '--downstream', '--yes', '--region', REGION);

    // THEN the two replays that hold until the markers are rewritten started, each after invalidating its own markers
    expect(code).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => [c.args[0].input.stateMachineArn, c.args[0].input.name, c.args[0].input.input])).toStrictEqual([
      [PA, 'player-analytics-2019-03-12-replay-1', '{"date":"2019-03-12","select":{"revenue":true,"bi_import":true}}'],
      [FC, 'finance-close-2019-03-12-replay-1', '{"date":"2019-03-12","select":{"ledger":true,"reconcile":true}}'],
    ]);
    expect(s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete!.Objects!.map((o) => o.Key))).toStrictEqual([
      ['done/revenue__20190312.done', 'done/bi_import__20190312.done'],
      ['done/ledger__20190312.done', 'done/reconcile__20190312.done'],
    ]);
    expect(out).toContain('started finance-close-2019-03-12-replay-1');
  });

  it('explains an unknown workflow or job with a did-you-mean, exit 1, no stack', async () => {
    const workflow = await cli('replay', 'player-analytic', '--date', '2019-03-12', '--from', 'revenue', '--dry-run');
    expect(workflow).toMatchObject({ code: 1 });
    expect(workflow.err).toBe("stepgraph replay: no workflow named 'player-analytic' in test/ops/workflows/; did you mean 'player-analytics'?");

    const job = await cli('replay', 'player-analytics', '--date', '2019-03-12', '--from', 'revenu', '--dry-run');
    expect(job.err).toBe("stepgraph replay: --from revenu: workflow 'player-analytics' has no job 'revenu'; did you mean 'revenue'?");
  });

  it('explains a date that does not fit the partition', async () => {
    const { code, err } = await cli('replay', 'ad-attribution', '--date', '2019-03-12', '--from', 'clicks', '--dry-run');
    expect(code).toBe(1);
    expect(err).toBe('stepgraph replay: --date 2019-03-12 is a day, but this workflow is partitioned hourly; give an hour, e.g. 2019-03-12T00 (hours are UTC, 00 to 23)');
  });
});

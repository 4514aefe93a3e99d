// `stepgraph sweep <verb>` end to end against mocked AWS clients (aws-sdk-client-mock): what each
// verb sends to Step Functions, S3 and EC2, and what it prints.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../generator/cli/main.ts';
import { setRetryPolicyForTests } from '../../generator/ops/options.ts';
import { compileSweepFile } from '../../generator/sweep/compile.ts';
import type { RuntimeItem } from '../../generator/sweep/plan.ts';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const smArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
const execArn = (sm: string, name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:${sm}:${name}`;
const ID = 'hyperparam-20260116-100443';

const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
const ec2 = mockClient(EC2Client);

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await main(['sweep', ...args]);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** The deployed definition of a sweep file, as `cdk deploy` leaves it (placeholders substituted). */
function deploy(file: string, bucket = 'stack-markers-bucket'): { name: string; arn: string; definition: string; items: RuntimeItem[] } {
  const c = compileSweepFile(file).compiled!;
  sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [{ name: c.sweep.name, stateMachineArn: smArn(c.sweep.name), type: 'STANDARD', creationDate: new Date(0) }] });
  const definition = c.text.replaceAll('${MarkerBucket}', bucket);
  sfn.on(DescribeStateMachineCommand).resolves({ stateMachineArn: smArn(c.sweep.name), name: c.sweep.name, definition, roleArn: 'arn:aws:iam::1:role/x', type: 'STANDARD', creationDate: new Date(0) });
  sfn.on(DescribeStateMachineForExecutionCommand).resolves({ stateMachineArn: smArn(c.sweep.name), name: c.sweep.name, definition, roleArn: 'arn:aws:iam::1:role/x', updateDate: new Date(0) });
  return { name: c.sweep.name, arn: smArn(c.sweep.name), definition, items: c.plan.items };
}

/** What GetObject returns, as far as our code reads it. */
const body = (text: string) => ({ Body: { transformToString: async () => text } }) as never;

beforeAll(() => setRetryPolicyForTests({ sleep: async () => {} }));
afterAll(() => setRetryPolicyForTests(undefined));
beforeEach(() => {
  sfn.reset();
  s3.reset();
  ec2.reset();
  process.env.AWS_REGION = REGION;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});

describe('sweep launch --dry-run and --estimate-only (no AWS)', () => {
  it('prints every parameter set and the plan', async () => {
    const { code, out } = await cli('launch', '--param-file', 'workflows/sweeps/grid-search.json', '--max-concurrent', '3', '--dry-run');
    expect(code).toBe(0);
    expect(out).toContain('Sweep grid-search (workflows/sweeps/grid-search.json): 9 runs on EC2 instances');
    expect(out).toContain('Plan: inline Map, at most 3 at a time, launches not spaced, 0 failures tolerated');
    expect(out).toMatch(/^8 +lr-0\.1-bs-64 +g5\.xlarge +us-east-1 +4h +- +learning_rate=0\.1 batch_size=64$/m);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('estimates instance-hours and the cost ceiling from the bundled table or a price file', async () => {
    const bundled = await cli('launch', '--param-file', 'workflows/sweeps/hyperparam.json', '--estimate-only');
    expect(bundled.out).toContain('Instance-hours ceiling: 24 (each run for its whole ttl)');
    expect(bundled.out).toContain('6 x g5.xlarge in us-east-1: 24 h, $24.14 at $1.006/h');
    expect(bundled.out).toContain('Cost ceiling: $24.14');

    const dir = mkdtempSync(join(tmpdir(), 'prices-'));
    writeFileSync(join(dir, 'prices.yaml'), 'g5.xlarge: 2\nus-east-1:\n  g5.xlarge: 1.5\n');
    const own = await cli('launch', '--param-file', 'workflows/sweeps/hyperparam.json', '--estimate-only', '--prices', join(dir, 'prices.yaml'));
    expect(own.out).toContain('Cost ceiling: $36.00');

    const unknown = await cli('launch', '--param-file', 'workflows/sweeps/quickstart.json', '--estimate-only', '--prices', join(dir, 'prices.yaml'));
    expect(unknown.out).toContain('Cost ceiling: $0.00 plus the runs on t3.micro (not in the price table; pass --prices)');
  });

  it('stops at the file\'s errors with exit 1 and the diagnostics', async () => {
    const { code, err } = await cli('launch', '--param-file', 'test/fixtures/_error_/sweep-max-concurrent/input.json', '--dry-run');
    expect(code).toBe(1);
    expect(err).toContain("error SG3009: 'max_concurrent' must be a whole number 1 or more, not 0");
  });
});

describe('sweep launch', () => {
  it('starts the deployed inline sweep with its items in the input and prints the follow-up commands', async () => {
    const { arn } = deploy('workflows/sweeps/hyperparam.json');
    sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: execArn('hyperparam', input.name), startDate: new Date() }));

    const { code, out } = await cli('launch', '--param-file', 'workflows/sweeps/hyperparam.json', '--max-concurrent', '3');

    expect(code).toBe(0);
    const call = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(call.stateMachineArn).toBe(arn);
    expect(call.name).toMatch(/^hyperparam-\d{8}-\d{6}$/);
    const input = JSON.parse(call.input!);
    expect(input).toMatchObject({ maxConcurrent: 3, toleratedFailureCount: 0 });
    expect(input.items.map((i: RuntimeItem) => i.name)).toEqual(['lr-0.001-bs-32', 'lr-0.001-bs-64', 'lr-0.001-bs-128', 'lr-0.01-bs-32', 'lr-0.01-bs-64', 'lr-0.01-bs-128']);
    expect(out).toContain(`Sweep ID:      ${call.name}`);
    expect(out).toContain(`npx stepgraph sweep status --sweep-id ${call.name} --watch`);
    expect(out).toContain(`npx stepgraph sweep cancel --sweep-id ${call.name}`);
  });

  it('uploads a distributed sweep\'s items to the deployed bucket and passes their key', async () => {
    deploy('test/fixtures/sweep-distributed/input.yaml');
    sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: execArn('render-frames', input.name), startDate: new Date() }));
    s3.on(PutObjectCommand).resolves({});

    const { code } = await cli('launch', '--param-file', 'test/fixtures/sweep-distributed/input.yaml');

    expect(code).toBe(0);
    const name = sfn.commandCalls(StartExecutionCommand)[0].args[0].input.name!;
    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({ Bucket: 'acme-sweeps', Key: `render/_sweeps/render-frames/${name}/items.json`, ContentType: 'application/json' });
    expect(JSON.parse(String(put.Body))).toHaveLength(200);
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!)).toEqual({
      maxConcurrent: 100,
      toleratedFailurePercentage: 5,
      launchDelaySeconds: 0,
      regions: ['us-east-1'],
      itemsKey: `render/_sweeps/render-frames/${name}/items.json`,
    });
  });

  it('takes the next name when a run of the same second exists', async () => {
    deploy('workflows/sweeps/quickstart.json');
    let calls = 0;
    sfn.on(StartExecutionCommand).callsFake((input) => {
      if (calls++ === 0) throw new ExecutionAlreadyExists({ message: 'exists', $metadata: {} });
      return { executionArn: execArn('quickstart', input.name), startDate: new Date() };
    });
    const { code } = await cli('launch', '--param-file', 'workflows/sweeps/quickstart.json');
    expect(code).toBe(0);
    const [first, second] = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name!);
    expect(second).toBe(`${first}-2`);
  });

  it('refuses a deployed machine compiled from another structure of the sweep, and says to redeploy', async () => {
    deploy('workflows/sweeps/hyperparam.json');
    // The file now asks for a launch delay: a Wait state the deployed machine does not have.
    const { code, err } = await cli('launch', '--param-file', 'workflows/sweeps/hyperparam.json', '--launch-delay', '30s');
    expect(code).toBe(1);
    expect(err).toMatch(/compiled from a different version of this sweep .*npx cdk deploy stepgraph-hyperparam/);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

/** History of an inline run: item 0 succeeded, item 1 failed, item 2 running, the rest not started. */
function inlineHistory(items: RuntimeItem[]): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const at = (n: number) => new Date(Date.UTC(2026, 0, 16, 10, n));
  const add = (type: string, details: Partial<HistoryEvent>) => events.push({ id: events.length + 1, previousEventId: events.length, type: type as HistoryEvent['type'], timestamp: at(events.length), ...details });
  const start = (i: number) => add('PassStateEntered', { stateEnteredEventDetails: { name: 'hyperparam start', input: JSON.stringify({ sweep: 'hyperparam', execution: ID, item: items[i] }) } });
  const wait = (i: number, id: string) => add('TaskStateEntered', { stateEnteredEventDetails: { name: 'hyperparam wait', input: JSON.stringify({ item: items[i], instance: { id } }) } });
  const record = (state: string, r: object) => add('PassStateExited', { stateExitedEventDetails: { name: state, output: JSON.stringify(r) } });
  add('ExecutionStarted', {});
  start(0);
  start(1);
  start(2);
  wait(0, 'i-000');
  wait(1, 'i-111');
  wait(0, 'i-000');
  record('hyperparam succeeded', { index: 0, name: items[0].name, status: 'SUCCEEDED', instanceId: 'i-000', exitStatus: '0', reason: null });
  record('hyperparam failed (exit status)', { index: 1, name: items[1].name, status: 'FAILED', instanceId: 'i-111', exitStatus: '1', reason: 'the command exited with status 1' });
  wait(2, 'i-222');
  return events;
}

describe('sweep status', () => {
  it('shows an inline run\'s progress, recent items and failed items with their reasons', async () => {
    const { items } = deploy('workflows/sweeps/hyperparam.json');
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: execArn('hyperparam', ID), name: ID, status: 'RUNNING', startDate: new Date(Date.UTC(2026, 0, 16, 10)), stateMachineArn: smArn('hyperparam'), input: JSON.stringify({ maxConcurrent: 3, items }) });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: inlineHistory(items) });

    const { code, out } = await cli('status', '--sweep-id', ID);

    expect(code).toBe(0);
    expect(out).toContain('Status:          RUNNING');
    expect(out).toContain('[########................] 2/6 done');
    expect(out).toContain('launched 3, running 1, succeeded 1, failed 1, not started 3 (next: item 3)');
    expect(out).toContain('Max concurrent:  3');
    expect(out).toMatch(/^ {2}2 +lr-0\.001-bs-128 +i-222 +running/m);
    expect(out).toContain('[1] lr-0.001-bs-64: the command exited with status 1');
  });

  it('shows a distributed run from its Map Run and child executions', async () => {
    deploy('test/fixtures/sweep-distributed/input.yaml');
    const id = 'render-frames-20260116-100443';
    const mapRunArn = `arn:aws:states:${REGION}:${ACCOUNT}:mapRun:render-frames/render-frames:abc`;
    sfn.on(DescribeExecutionCommand, { executionArn: execArn('render-frames', id) }).resolves({ executionArn: execArn('render-frames', id), name: id, status: 'RUNNING', startDate: new Date(0), stateMachineArn: smArn('render-frames'), input: JSON.stringify({ maxConcurrent: 100, itemsKey: 'k' }) });
    sfn.on(ListMapRunsCommand).resolves({ mapRuns: [{ mapRunArn, executionArn: execArn('render-frames', id), stateMachineArn: smArn('render-frames'), startDate: new Date(0) }] });
    sfn.on(DescribeMapRunCommand).resolves({ mapRunArn, executionArn: 'x', status: 'RUNNING', startDate: new Date(0), maxConcurrency: 100, toleratedFailurePercentage: 5, toleratedFailureCount: 0, itemCounts: { pending: 90, running: 100, succeeded: 8, failed: 2, timedOut: 0, aborted: 0, total: 200, resultsWritten: 0 }, executionCounts: { pending: 0, running: 100, succeeded: 8, failed: 2, timedOut: 0, aborted: 0, total: 110, resultsWritten: 0 } });
    const child = `arn:aws:states:${REGION}:${ACCOUNT}:execution:render-frames/render-frames:child-7`;
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: child, stateMachineArn: 'x', name: 'child-7', status: 'FAILED', startDate: new Date(0) }] });
    sfn.on(DescribeExecutionCommand, { executionArn: child }).resolves({ executionArn: child, name: 'child-7', status: 'FAILED', startDate: new Date(0), stateMachineArn: 'x', input: JSON.stringify({ item: { index: 7, name: 'scene-1-shot-h' } }), error: 'stepgraph.SweepItemFailed', cause: JSON.stringify({ index: 7, status: 'FAILED', instanceId: 'i-7', reason: 'launch failed: Ec2.Ec2Exception: InsufficientInstanceCapacity' }) });

    const { out } = await cli('status', '--sweep-id', id);

    expect(out).toContain('Sweep:           render-frames (distributed Map)');
    expect(out).toContain('launched 110, running 100, succeeded 8, failed 2, not started 90');
    expect(out).toContain('[7] scene-1-shot-h: launch failed: Ec2.Ec2Exception: InsufficientInstanceCapacity');
  });

  it('refreshes with --watch until the run ends', async () => {
    const { items } = deploy('workflows/sweeps/hyperparam.json');
    const running = { executionArn: execArn('hyperparam', ID), name: ID, startDate: new Date(0), stateMachineArn: smArn('hyperparam'), input: JSON.stringify({ maxConcurrent: 3, items }) };
    sfn.on(DescribeExecutionCommand).resolvesOnce({ ...running, status: 'RUNNING' }).resolves({ ...running, status: 'SUCCEEDED', stopDate: new Date(1000) });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: inlineHistory(items) });
    const { out } = await cli('status', '--sweep-id', ID, '--watch', '--interval', '1');
    expect(out.match(/^Sweep ID:/gm)).toHaveLength(2);
    expect(out).toContain('Status:          SUCCEEDED');
  });

  it('says what a sweep id looks like when given something else', async () => {
    const { code, err } = await cli('status', '--sweep-id', 'hyperparam');
    expect(code).toBe(1);
    expect(err).toContain("'hyperparam' is not a sweep id (<sweep>-<yyyymmdd>-<hhmmss>");
  });
});

describe('sweep cancel', () => {
  it('stops the run and terminates its instances, found by their execution tag', async () => {
    deploy('workflows/sweeps/hyperparam.json');
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: execArn('hyperparam', ID), name: ID, status: 'RUNNING', startDate: new Date(0), stateMachineArn: smArn('hyperparam'), input: '{"maxConcurrent":3}' });
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    ec2.on(DescribeInstancesCommand).resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-2' }, { InstanceId: 'i-1' }] }], NextToken: 'more' }).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-3' }] }] });
    ec2.on(TerminateInstancesCommand).resolves({});

    const { code, out } = await cli('cancel', '--sweep-id', ID);

    expect(code).toBe(0);
    expect(sfn.commandCalls(StopExecutionCommand)[0].args[0].input).toMatchObject({ executionArn: execArn('hyperparam', ID), error: 'stepgraph.SweepCancelled' });
    expect(ec2.commandCalls(DescribeInstancesCommand)[0].args[0].input.Filters).toEqual([
      { Name: 'tag:stepgraph:execution', Values: [ID] },
      { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
    ]);
    expect(ec2.commandCalls(TerminateInstancesCommand)[0].args[0].input.InstanceIds).toEqual(['i-1', 'i-2', 'i-3']);
    expect(out).toContain('Terminated 3 instances in us-east-1: i-1, i-2, i-3');
  });
});

describe('sweep resume', () => {
  const failed = (items: RuntimeItem[], extra: object = {}) => ({
    executionArn: execArn('hyperparam', ID),
    name: ID,
    status: 'FAILED' as const,
    startDate: new Date(Date.now() - 3_600_000),
    stopDate: new Date(Date.now() - 60_000),
    stateMachineArn: smArn('hyperparam'),
    input: JSON.stringify({ maxConcurrent: 3, toleratedFailureCount: 0, launchDelaySeconds: 0, items }),
    redriveStatus: 'REDRIVABLE' as const,
    ...extra,
  });

  /** A run's history in which item 0 succeeded and item 1 only started (its launch delay, say): nothing failed, nothing launched. */
  const stoppedEarly = (items: RuntimeItem[]): HistoryEvent[] => {
    const all = inlineHistory(items);
    const succeeded = all.find((e) => e.stateExitedEventDetails?.name === 'hyperparam succeeded')!;
    const startOf = (i: number) => all.find((e) => e.stateEnteredEventDetails?.name === 'hyperparam start' && JSON.parse(e.stateEnteredEventDetails.input!).item.index === i)!;
    return [all[0], startOf(0), startOf(1), succeeded];
  };

  it('redrives a run stopped before any item failed or launched an instance: Step Functions starts those items again', async () => {
    const { items } = deploy('workflows/sweeps/hyperparam.json');
    sfn.on(DescribeExecutionCommand).resolves(failed(items, { status: 'ABORTED' }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: stoppedEarly(items) });
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });
    const { code, out } = await cli('resume', '--sweep-id', ID);
    expect(code).toBe(0);
    expect(sfn.commandCalls(RedriveExecutionCommand)[0].args[0].input.executionArn).toBe(execArn('hyperparam', ID));
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(out).toContain(`Redriven ${ID}`);
  });

  it('starts a new run of the items that did not succeed when one failed: a redrive keeps its record (and the run fails again in its Fail state)', async () => {
    const { items } = deploy('workflows/sweeps/hyperparam.json');
    const events = [...inlineHistory(items), { id: 99, type: 'FailStateEntered', timestamp: new Date(), stateEnteredEventDetails: { name: 'hyperparam failed' } }] as HistoryEvent[];
    sfn.on(DescribeExecutionCommand).resolves(failed(items));
    sfn.on(GetExecutionHistoryCommand).resolves({ events });
    sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: execArn('hyperparam', input.name), startDate: new Date() }));

    const { code, out } = await cli('resume', '--sweep-id', ID);

    expect(code).toBe(0);
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    const started = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(started.name).not.toBe(ID);
    expect(JSON.parse(started.input!).items.map((i: RuntimeItem) => i.index)).toEqual([1, 2, 3, 4, 5]);
    expect(out).toContain("A new run, not a redrive: it failed in its Fail state 'hyperparam failed', where a redrive would fail again.");
  });

  it('starts a new run when an interrupted item had launched its instance (a redrive would only wait for it again)', async () => {
    const { items } = deploy('workflows/sweeps/hyperparam.json');
    const events = inlineHistory(items).filter((e) => e.stateExitedEventDetails?.name !== 'hyperparam failed (exit status)');
    sfn.on(DescribeExecutionCommand).resolves(failed(items, { status: 'ABORTED' }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events });
    sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: execArn('hyperparam', input.name), startDate: new Date() }));

    const { code, out } = await cli('resume', '--sweep-id', ID);

    expect(code).toBe(0);
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    expect(out).toContain('2 items had launched an instance when the run stopped (item 1 first)');
  });

  it('starts a new run of only the items that did not succeed when the concurrency changes', async () => {
    const { items } = deploy('workflows/sweeps/hyperparam.json');
    sfn.on(DescribeExecutionCommand).resolves(failed(items, { status: 'ABORTED' }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: stoppedEarly(items) });
    sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: execArn('hyperparam', input.name), startDate: new Date() }));

    const { code, out } = await cli('resume', '--sweep-id', ID, '--max-concurrent', '5');

    expect(code).toBe(0);
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!);
    expect(input.maxConcurrent).toBe(5);
    expect(input.items.map((i: RuntimeItem) => i.index)).toEqual([1, 2, 3, 4, 5]);
    expect(out).toMatch(/Resumed hyperparam-20260116-100443 as hyperparam-\d{8}-\d{6}: 5 items to run \(1 already succeeded\)/);
    expect(out).toContain('A new run, not a redrive: the concurrency changes');
  });

  it('reruns a distributed run\'s unfinished items from its items file and the Map Run\'s successes', async () => {
    deploy('test/fixtures/sweep-distributed/input.yaml');
    const id = 'render-frames-20260116-100443';
    const all = compileSweepFile('test/fixtures/sweep-distributed/input.yaml').compiled!.plan.items;
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: execArn('render-frames', id), name: id, status: 'SUCCEEDED', startDate: new Date(0), stopDate: new Date(1), stateMachineArn: smArn('render-frames'), input: JSON.stringify({ maxConcurrent: 100, toleratedFailurePercentage: 5, launchDelaySeconds: 0, itemsKey: 'render/_sweeps/render-frames/old/items.json' }), output: '{}' });
    s3.on(GetObjectCommand, { Key: 'render/_sweeps/render-frames/old/items.json' }).callsFake(() => body(JSON.stringify(all.slice(0, 4))));
    sfn.on(ListMapRunsCommand).resolves({ mapRuns: [{ mapRunArn: 'arn:mr', executionArn: 'x', stateMachineArn: 'x', startDate: new Date(0) }] });
    sfn.on(ListExecutionsCommand).resolves({ executions: [0, 2].map((i) => ({ executionArn: `arn:child-${i}`, stateMachineArn: 'x', name: `c${i}`, status: 'SUCCEEDED' as const, startDate: new Date(0) })) });
    sfn.on(DescribeExecutionCommand, { executionArn: 'arn:child-0' }).resolves({ executionArn: 'arn:child-0', status: 'SUCCEEDED', startDate: new Date(0), stateMachineArn: 'x', input: JSON.stringify({ item: { index: 0 } }) });
    sfn.on(DescribeExecutionCommand, { executionArn: 'arn:child-2' }).resolves({ executionArn: 'arn:child-2', status: 'SUCCEEDED', startDate: new Date(0), stateMachineArn: 'x', input: JSON.stringify({ item: { index: 2 } }) });
    s3.on(PutObjectCommand).resolves({});
    sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: execArn('render-frames', input.name), startDate: new Date() }));

    const { code } = await cli('resume', '--sweep-id', id);

    expect(code).toBe(0);
    const uploaded = JSON.parse(String(s3.commandCalls(PutObjectCommand)[0].args[0].input.Body)) as RuntimeItem[];
    expect(uploaded.map((i) => i.index)).toEqual([1, 3]);
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input.Key).toMatch(/^render\/_sweeps\/render-frames\/render-frames-\d{8}-\d{6}\/items\.json$/);
  });

  const distributedRun = (status: 'FAILED' | 'ABORTED', counts: object) => {
    deploy('test/fixtures/sweep-distributed/input.yaml');
    const id = 'render-frames-20260116-100443';
    const all = compileSweepFile('test/fixtures/sweep-distributed/input.yaml').compiled!.plan.items;
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: execArn('render-frames', id), name: id, status, redriveStatus: 'REDRIVABLE', startDate: new Date(Date.now() - 3_600_000), stopDate: new Date(Date.now() - 60_000), stateMachineArn: smArn('render-frames'), input: JSON.stringify({ maxConcurrent: 100, toleratedFailurePercentage: 5, launchDelaySeconds: 0, itemsKey: 'render/_sweeps/render-frames/old/items.json' }), output: '{}' });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [{ id: 1, type: 'ExecutionStarted', timestamp: new Date(0) }, { id: 2, type: 'MapStateEntered', timestamp: new Date(0), stateEnteredEventDetails: { name: 'render-frames' } }] });
    sfn.on(ListMapRunsCommand).resolves({ mapRuns: [{ mapRunArn: 'arn:mr', executionArn: 'x', stateMachineArn: 'x', startDate: new Date(0) }] });
    sfn.on(DescribeMapRunCommand).resolves({ mapRunArn: 'arn:mr', executionArn: 'x', status: 'FAILED', startDate: new Date(0), maxConcurrency: 100, toleratedFailurePercentage: 5, toleratedFailureCount: 0, itemCounts: { pending: 0, running: 0, succeeded: 2, failed: 0, timedOut: 0, aborted: 0, total: 4, resultsWritten: 0, ...counts }, executionCounts: { pending: 0, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, total: 0, resultsWritten: 0 } });
    s3.on(GetObjectCommand, { Key: 'render/_sweeps/render-frames/old/items.json' }).callsFake(() => body(JSON.stringify(all.slice(0, 4))));
    sfn.on(ListExecutionsCommand).resolves({ executions: [0, 2].map((i) => ({ executionArn: `arn:child-${i}`, stateMachineArn: 'x', name: `c${i}`, status: 'SUCCEEDED' as const, startDate: new Date(0) })) });
    for (const i of [0, 2]) sfn.on(DescribeExecutionCommand, { executionArn: `arn:child-${i}` }).resolves({ executionArn: `arn:child-${i}`, status: 'SUCCEEDED', startDate: new Date(0), stateMachineArn: 'x', input: JSON.stringify({ item: { index: i } }) });
    s3.on(PutObjectCommand).resolves({});
    sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: execArn('render-frames', input.name), startDate: new Date() }));
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });
    return id;
  };

  it('redrives a distributed run whose Map Run failed before any item did (its items not started run then)', async () => {
    const id = distributedRun('FAILED', { pending: 2 });
    const { code, out } = await cli('resume', '--sweep-id', id);
    expect(code).toBe(0);
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(1);
    expect(out).toContain(`Redriven ${id}`);
  });

  it('starts a new run of a distributed sweep whose items failed: a redriven child would fail again in its Fail state', async () => {
    const id = distributedRun('FAILED', { failed: 2 });
    const { code, out } = await cli('resume', '--sweep-id', id);
    expect(code).toBe(0);
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    const uploaded = JSON.parse(String(s3.commandCalls(PutObjectCommand)[0].args[0].input.Body)) as RuntimeItem[];
    expect(uploaded.map((i) => i.index)).toEqual([1, 3]);
    expect(out).toContain('A new run, not a redrive: 2 items failed');
  });

  it('starts a new run of an aborted distributed EC2 sweep whose children were stopped while running', async () => {
    const id = distributedRun('ABORTED', { aborted: 2 });
    const { out } = await cli('resume', '--sweep-id', id);
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    expect(out).toContain('2 items were stopped while running');
  });

  it('refuses a run that is still going', async () => {
    const { items } = deploy('workflows/sweeps/hyperparam.json');
    sfn.on(DescribeExecutionCommand).resolves({ ...failed(items), status: 'RUNNING' });
    const { code, err } = await cli('resume', '--sweep-id', ID);
    expect(code).toBe(1);
    expect(err).toContain('is still RUNNING');
  });
});

describe('sweep list and compile', () => {
  it('lists only the state machines that are sweeps, with their runs', async () => {
    const c = compileSweepFile('workflows/sweeps/quickstart.json').compiled!;
    sfn.on(ListStateMachinesCommand).resolves({
      stateMachines: [
        { name: 'quickstart', stateMachineArn: smArn('quickstart'), type: 'STANDARD', creationDate: new Date(0) },
        { name: 'player-analytics', stateMachineArn: smArn('player-analytics'), type: 'STANDARD', creationDate: new Date(0) },
      ],
    });
    sfn.on(DescribeStateMachineCommand, { stateMachineArn: smArn('quickstart') }).resolves({ definition: c.text, stateMachineArn: 'x', name: 'quickstart', roleArn: 'r', type: 'STANDARD', creationDate: new Date(0) });
    sfn.on(DescribeStateMachineCommand, { stateMachineArn: smArn('player-analytics') }).resolves({ definition: '{"Comment":"player-analytics (generated by stepgraph)","StartAt":"x","States":{}}', stateMachineArn: 'x', name: 'player-analytics', roleArn: 'r', type: 'STANDARD', creationDate: new Date(0) });
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: execArn('quickstart', 'quickstart-20260116-100443'), stateMachineArn: 'x', name: 'quickstart-20260116-100443', status: 'SUCCEEDED', startDate: new Date(Date.UTC(2026, 0, 16, 10, 4, 43)), stopDate: new Date(Date.UTC(2026, 0, 16, 10, 40)) }] });

    const { out } = await cli('list');

    expect(out.split('\n')).toEqual(['SWEEP       SWEEP ID                    STATUS     STARTED               STOPPED', 'quickstart  quickstart-20260116-100443  SUCCEEDED  2026-01-16T10:04:43Z  2026-01-16T10:40:00Z']);
  });

  it('compile writes the definition, the manifest and (distributed) the items file', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sweep-out-'));
    const { code } = await cli('compile', '--param-file', 'test/fixtures/sweep-distributed/input.yaml', '--out', out);
    expect(code).toBe(0);
    expect(readFileSync(join(out, 'render-frames.asl.json'), 'utf8')).toBe(readFileSync('test/fixtures/sweep-distributed/expected.asl.json', 'utf8'));
    expect(JSON.parse(readFileSync(join(out, 'render-frames.items.json'), 'utf8'))).toHaveLength(200);
    expect(existsSync(join(out, 'render-frames.manifest.json'))).toBe(true);
  });
});

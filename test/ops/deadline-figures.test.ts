// Durations learned from past runs in the operations commands (mocked Step Functions): `status`
// judges a running run's deadlines with the same medians the deadline handler learns, and
// `stepgraph durations` writes them as the durations file simulate reads.
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, ListStateMachinesCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import { parseDurations } from '../../generator/local/durations.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { watchStep } from '../../generator/ops/status.ts';
import { cli, execArn, mocks, testAws, REGION } from './support.ts';

const compiled = compilePaths(['workflows/bi-deadlines.yaml']).compiled[0];
const wf = compiled.workflow;
const MACHINE = `arn:aws:states:${REGION}:123456789012:stateMachine:bi-deadlines`;
const arn = execArn('bi-deadlines-2019-03-12', 'bi-deadlines');
const day = (d: number, hhmm = '00:00') => new Date(`2019-03-${String(d).padStart(2, '0')}T${hhmm}:00Z`);
let id = 0;
const step = (type: string, name: string, when: Date): HistoryEvent =>
  ({ id: ++id, previousEventId: id - 1, type, timestamp: when, ...(type.endsWith('Entered') ? { stateEnteredEventDetails: { name } } : { stateExitedEventDetails: { name } }) }) as HistoryEvent;
const plus = (d: Date, minutes: number) => new Date(d.getTime() + minutes * 60_000);
const job = (name: string, base: Date, from: number, to: number) => [step('TaskStateEntered', name, plus(base, from)), step('TaskStateExited', name, plus(base, to)), step('TaskStateEntered', `${name} done`, plus(base, to)), step('TaskStateExited', `${name} done`, plus(base, to))];
/** A past run whose revenue took `revenue` minutes; bi_import and dashboards skipped in none. */
const pastRun = (d: number, revenue: number) => {
  const base = day(d);
  return [...job('load_orders', base, 0, 40), ...job('load_events', base, 0, 10), ...job('revenue', base, 40, 40 + revenue), ...job('bi_import', base, 40 + revenue, 52 + revenue), ...job('dashboards', base, 52 + revenue, 57 + revenue)];
};

describe('durations from past runs in status and for simulate', () => {
  const { sfn } = mocks();
  beforeEach(() => {
    sfn.reset();
    // Three successful runs: revenue 2h20m, 2h30m, 2h40m (median 2h30m; its estimate is 1h30m)
    sfn.on(ListExecutionsCommand, { stateMachineArn: MACHINE, statusFilter: 'SUCCEEDED' }).resolves({
      executions: [11, 10, 9].map((d) => ({ executionArn: execArn(`bi-deadlines-2019-03-${d}`, 'bi-deadlines'), stateMachineArn: MACHINE, name: `bi-deadlines-2019-03-${d}`, status: 'SUCCEEDED', startDate: day(d) })),
    });
    [11, 10, 9].forEach((d, i) => sfn.on(GetExecutionHistoryCommand, { executionArn: execArn(`bi-deadlines-2019-03-${d}`, 'bi-deadlines') }).resolves({ events: pastRun(d, 140 + 10 * i) }));
  });

  it('status: a running run is judged on the medians of the last successful runs, and says so', async () => {
    // GIVEN loads done and revenue running since 00:40 UTC
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: arn, stateMachineArn: MACHINE, status: 'RUNNING', startDate: day(12), input: '{"date":"2019-03-12"}' });
    sfn.on(GetExecutionHistoryCommand, { executionArn: arn }).resolves({ events: [...job('load_orders', day(12), 0, 40), ...job('load_events', day(12), 0, 10), step('TaskStateEntered', 'revenue', day(12, '00:40'))] });
    const aws = await testAws();
    // WHEN status is asked at 01:00 UTC (the estimates say revenue ends 02:10 UTC, bi_import 03:20 Belgrade)
    const text = (await watchStep(aws, arn, wf, false, day(12, '01:00').getTime())).text;
    // THEN revenue's median 2h30m: revenue ends 03:10 UTC, bi_import (12m) 04:22 Belgrade, the run 04:27
    expect(text).toContain('job bi_import: expected 04:22 from the last 3 runs, deadline 05:30, on time');
    expect(text).toContain('run: expected 04:27 from the last 3 runs, deadline 06:00, on time');
    // AND a refresh (status --watch) does not read the past runs again
    await watchStep(aws, arn, wf, false, day(12, '01:01').getTime());
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(1);
    expect(sfn.commandCalls(GetExecutionHistoryCommand).filter((c) => c.args[0].input.executionArn !== arn)).toHaveLength(3);
  });

  it('`stepgraph durations` writes the medians as a durations file simulate reads', async () => {
    sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [{ stateMachineArn: MACHINE, name: 'bi-deadlines', type: 'STANDARD', creationDate: day(1) }] });
    const { code, out, err } = await cli('durations', 'workflows/bi-deadlines.yaml', '--runs', '3', '--region', REGION);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(sfn.commandCalls(ListExecutionsCommand)[0].args[0].input).toMatchObject({ stateMachineArn: MACHINE, statusFilter: 'SUCCEEDED' });
    expect(out.split('\n').filter((l) => !l.startsWith('#'))).toEqual(['load_orders: 40m', 'load_events: 10m', 'revenue: 2h30m', 'bi_import: 12m', 'dashboards: 5m']);
    // AND simulate takes those figures: the jobs run them and the deadline watch judges with them
    const file = join(mkdtempSync(join(tmpdir(), 'sg-durations-')), 'durations.yaml');
    writeFileSync(file, out);
    const durations = parseDurations(file, out, wf);
    const report = await simulate(compiled, { date: '2019-03-12', durations });
    expect(report.jobs.find((j) => j.name === 'revenue')!.endSeconds! - report.jobs.find((j) => j.name === 'revenue')!.startSeconds!).toBe(9000);
    expect(report.deadlines!.deadlines.map((d) => d.text)).toEqual(['run: done 04:27, deadline 06:00, met', 'job bi_import: done 04:22, deadline 05:30, met']);
    // AND with load_orders 1h30m late, the watch (judging on those figures, not the estimates) alerts before 05:30, naming them
    const late = await simulate(compiled, { date: '2019-03-12', durations, late: { load_orders: 5400 } });
    expect(late.deadlines!.alerts[0].text).toBe('job bi_import: expected 05:32 from the durations file, deadline 05:30, behind: load_orders (critical path left: load_orders -> revenue -> bi_import)');
  });
});

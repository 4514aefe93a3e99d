// `stepgraph status` of a workflow with deadlines: each deadline and whether the run is behind,
// from the run's history (mocked Step Functions), by the deadline handler's own logic.
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import { watchStep } from '../../generator/ops/status.ts';
import { execArn, mocks, testAws } from './support.ts';

const wf = compilePaths(['workflows/bi-deadlines.yaml']).compiled[0].workflow;
const arn = execArn('bi-deadlines-2019-03-12');
const at = (hhmm: string) => new Date(`2019-03-12T${hhmm}:00Z`);
let id = 0;
const step = (type: string, name: string, when: string): HistoryEvent =>
  ({ id: ++id, previousEventId: id - 1, type, timestamp: at(when), ...(type.endsWith('Entered') ? { stateEnteredEventDetails: { name } } : { stateExitedEventDetails: { name } }) }) as HistoryEvent;
const job = (name: string, from: string, to: string) => [step('TaskStateEntered', name, from), step('TaskStateExited', name, to), step('TaskStateEntered', `${name} done`, to), step('TaskStateExited', `${name} done`, to)];

describe('status shows the deadlines', () => {
  const { sfn } = mocks();
  beforeEach(() => sfn.reset());

  it('a running run: behind when the critical path left ends past a deadline', async () => {
    // GIVEN the loads done and revenue running since 00:40 UTC (01:40 Belgrade; estimate 1h30m)
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: arn, stateMachineArn: 'arn:sm', status: 'RUNNING', startDate: at('00:00'), input: '{"date":"2019-03-12"}' });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [...job('load_orders', '00:00', '00:40'), ...job('load_events', '00:00', '00:10'), step('TaskStateEntered', 'revenue', '00:40')] });
    // No successful run yet to learn durations from: the estimates stand
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    const aws = await testAws();

    // WHEN status is asked at 04:21 UTC
    const text = (await watchStep(aws, arn, wf, false, at('04:21').getTime())).text;

    // THEN bi_import is behind, the run on time
    expect(text).toContain('deadlines:\n  run: expected 05:37, deadline 06:00, on time\n  job bi_import: expected 05:32, deadline 05:30, behind: revenue (critical path left: revenue -> bi_import)  <-');
    const json = JSON.parse((await watchStep(aws, arn, wf, true, at('04:21').getTime())).text);
    expect(json.deadlines).toHaveLength(2);
  });

  it('a run that succeeded in time: both met; a replay shows none', async () => {
    const events = [...job('load_orders', '00:00', '00:40'), ...job('load_events', '00:00', '00:10'), ...job('revenue', '00:40', '02:10'), ...job('bi_import', '02:10', '02:20'), ...job('dashboards', '02:20', '02:25')];
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: arn, stateMachineArn: 'arn:sm', status: 'SUCCEEDED', startDate: at('00:00'), stopDate: at('02:25'), input: '{"date":"2019-03-12"}' });
    sfn.on(GetExecutionHistoryCommand).resolves({ events });
    const aws = await testAws();
    const text = (await watchStep(aws, arn, wf, false, at('09:00').getTime())).text;
    expect(text).toContain('run: done 03:25, deadline 06:00, met');
    expect(text).toContain('job bi_import: done 03:20, deadline 05:30, met');

    sfn.on(DescribeExecutionCommand).resolves({ executionArn: arn, stateMachineArn: 'arn:sm', status: 'SUCCEEDED', startDate: at('00:00'), stopDate: at('02:25'), input: '{"date":"2019-03-12","select":{"revenue":true}}' });
    expect((await watchStep(aws, arn, wf, false, at('09:00').getTime())).text).not.toContain('deadlines:');
  });
});

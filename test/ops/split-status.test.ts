// `stepgraph status` of a split workflow: the jobs inside child state machines come from the
// histories of the child executions the parent's part Tasks started, every page of them.
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { randomWorkflow } from '../../bench/graphs.ts';
import { compileWorkflow } from '../../generator/compile.ts';
import { childExecutions } from '../../generator/ops/children.ts';
import { runStatus } from '../../generator/ops/status.ts';
import { History, minute, serveHistories } from './history-builder.ts';
import { execArn, mocks, taskFailed, testAws } from './support.ts';

type StateTree = { States: Record<string, { Type: string; Branches?: StateTree[] }> };

/** The jobs whose Tasks a definition holds, in the workflow's order (a chain: the order they run). */
function jobTasks(definition: StateTree, jobs: readonly string[]): string[] {
  const tasks = new Set<string>();
  const walk = (m: StateTree): void => {
    for (const [name, state] of Object.entries(m.States)) {
      if (state.Type === 'Task') tasks.add(name);
      for (const b of state.Branches ?? []) walk(b);
    }
  };
  walk(definition);
  return jobs.filter((j) => tasks.has(j));
}

describe('status of a split workflow', () => {
  const { sfn } = mocks();
  beforeEach(() => sfn.reset());

  // A 1,000-job chain compiles into a main state machine that runs two parts, then the last jobs.
  const { compiled } = compileWorkflow(randomWorkflow('chain', 1000, 7));
  const workflow = compiled.workflow;
  const jobNames = workflow.jobs.map((j) => j.name);
  const [main, part1, part2] = compiled.definitions;
  const partTasks = Object.keys(main.definition.States).filter((n) => /^Part \d+ \(/.test(n));
  const parentArn = execArn('run-1', main.name);
  const child1 = execArn('run-1-part-1', part1.name);
  const child2 = execArn('run-1-part-2', part2.name);
  const jobs1 = jobTasks(part1.definition as unknown as StateTree, jobNames);
  const jobs2 = jobTasks(part2.definition as unknown as StateTree, jobNames);

  /** The parent ran part 1 (succeeded) and part 2, in which j900 failed. */
  function histories(): Map<string, HistoryEvent[]> {
    const clock = { minute: 0 };
    const parent = new History(clock);
    const c1 = new History(clock);
    const c2 = new History(clock);
    parent.add('ExecutionStarted');
    parent.pass('Check input', 'Choice');

    parent.enter(partTasks[0]);
    parent.add('TaskScheduled', { taskScheduledEventDetails: { resourceType: 'states', resource: 'startExecution.sync:2', region: 'eu-west-1', parameters: '{}' } });
    parent.add('TaskStarted');
    parent.add('TaskSubmitted', { taskSubmittedEventDetails: { resourceType: 'states', resource: 'startExecution.sync:2', output: JSON.stringify({ ExecutionArn: child1, StartDate: 0 }) } });
    c1.add('ExecutionStarted');
    c1.pass('Start part');
    for (const j of jobs1) c1.job(j);
    c1.add('ExecutionSucceeded');
    parent.add('TaskSucceeded', { taskSucceededEventDetails: { resourceType: 'states', resource: 'startExecution.sync:2', output: JSON.stringify({ ExecutionArn: child1, Status: 'SUCCEEDED', Output: '{}' }) } });
    parent.exit(partTasks[0]);

    parent.enter(partTasks[1]);
    parent.add('TaskScheduled');
    parent.add('TaskStarted');
    parent.add('TaskSubmitted', { taskSubmittedEventDetails: { resourceType: 'states', resource: 'startExecution.sync:2', output: JSON.stringify({ ExecutionArn: child2, StartDate: 0 }) } });
    c2.add('ExecutionStarted');
    c2.pass('Start part');
    for (const j of jobs2.slice(0, jobs2.indexOf('j900'))) c2.job(j);
    // j900 fails in its own Task (no Catch): the child fails with the Task's error.
    c2.pass('j900 selected?', 'Choice');
    c2.enter('j900');
    c2.add('TaskScheduled');
    c2.add('TaskStarted');
    c2.add('TaskFailed', taskFailed('Lambda.Unknown', 'the rollup ran out of memory'));
    c2.runFailed('Lambda.Unknown', 'the rollup ran out of memory');
    const cause = JSON.stringify({ ExecutionArn: child2, Status: 'FAILED', Error: 'Lambda.Unknown', Cause: 'the rollup ran out of memory' });
    parent.add('TaskFailed', { taskFailedEventDetails: { resourceType: 'states', resource: 'startExecution.sync:2', error: 'States.TaskFailed', cause } });
    parent.enter(`Part 2 failed`, 'Fail');
    parent.add('ExecutionFailed', { executionFailedEventDetails: { error: 'stepgraph.PartFailed', cause } });
    return new Map([
      [parentArn, parent.events],
      [child1, c1.events],
      [child2, c2.events],
    ]);
  }

  it('GIVEN a parent with two part Tasks, the second child failed WHEN status is read THEN every job shows as its own execution saw it', async () => {
    // GIVEN
    expect(partTasks).toHaveLength(2);
    expect(jobs1.length + jobs2.length).toBeGreaterThan(900);
    const h = histories();
    // Each child's history is several pages of 1,000 events.
    expect(h.get(child1)!.length).toBeGreaterThan(4000);
    expect(h.get(child2)!.length).toBeGreaterThan(4000);
    serveHistories(sfn, h);
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: parentArn, stateMachineArn: 'arn:sm', status: 'FAILED', startDate: minute(0), stopDate: minute(99_999), error: 'stepgraph.PartFailed' });

    // WHEN
    const run = await runStatus(await testAws(), parentArn, workflow);

    // THEN the jobs of both children are there: part 1 all succeeded, part 2 up to j900
    const byJob = new Map(run.jobs.map((j) => [j.job, j]));
    for (const j of jobs1) expect(byJob.get(j), j).toMatchObject({ status: 'succeeded', attempts: 1 });
    for (const j of jobs2.slice(0, jobs2.indexOf('j900'))) expect(byJob.get(j)!.status, j).toBe('succeeded');
    expect(byJob.get('j900')).toMatchObject({ status: 'failed', attempts: 1, error: 'Lambda.Unknown', cause: 'the rollup ran out of memory' });
    // AND what came after j900 never ran, in the child or in the parent
    for (const j of [...jobs2.slice(jobs2.indexOf('j900') + 1), 'j999']) expect(byJob.get(j)!.status, j).toBe('not run');
    // AND the order is the workflow's, with each job once
    expect(run.jobs.map((j) => j.job)).toEqual(workflow.jobs.map((j) => j.name));
    // AND every page of every history was read
    const calls = sfn.commandCalls(GetExecutionHistoryCommand).map((c) => `${c.args[0].input.executionArn === parentArn ? 'parent' : c.args[0].input.executionArn === child1 ? 'child1' : 'child2'}:${c.args[0].input.nextToken ?? 0}`);
    expect(calls).toEqual(['parent:0', ...pagesOf('child1', h.get(child1)!.length), ...pagesOf('child2', h.get(child2)!.length)]);
  });

  it('without the workflow file, the jobs come from every history too', async () => {
    const h = histories();
    serveHistories(sfn, h);
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: parentArn, stateMachineArn: 'arn:sm', status: 'FAILED', startDate: minute(0), stopDate: minute(99_999) });

    const run = await runStatus(await testAws(), parentArn);

    const byJob = new Map(run.jobs.map((j) => [j.job, j.status]));
    expect(byJob.get('j0')).toBe('succeeded');
    expect(byJob.get('j899')).toBe('succeeded');
    expect(byJob.get('j900')).toBe('failed');
    expect(run.jobs.filter((j) => j.status === 'succeeded')).toHaveLength(900);
  });

  it('leaves out a child whose history Step Functions no longer keeps', async () => {
    const h = histories();
    h.delete(child1);
    serveHistories(sfn, h);
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: parentArn, stateMachineArn: 'arn:sm', status: 'FAILED', startDate: minute(0), stopDate: minute(99_999) });

    const run = await runStatus(await testAws(), parentArn, workflow);

    const byJob = new Map(run.jobs.map((j) => [j.job, j.status]));
    expect(byJob.get('j0')).toBe('not run');
    expect(byJob.get('j900')).toBe('failed');
  });
});

const pagesOf = (name: string, events: number): string[] => Array.from({ length: Math.ceil(events / 1000) }, (_, i) => `${name}:${i === 0 ? 0 : i * 1000}`);

describe('child executions in a history', () => {
  const child = execArn('run-part-1', 'wf-part-1');

  it('are read from the part Task: TaskSubmitted, TaskSucceeded or TaskFailed', () => {
    const submitted = new History();
    submitted.enter('Part 1 (a, +2 more)');
    submitted.add('TaskSubmitted', { taskSubmittedEventDetails: { resourceType: 'states', resource: 'startExecution.sync:2', output: JSON.stringify({ ExecutionArn: child }) } });
    const succeeded = new History();
    succeeded.enter('Part 1 (a, +2 more)');
    succeeded.add('TaskSucceeded', { taskSucceededEventDetails: { resourceType: 'states', resource: 'startExecution.sync:2', output: JSON.stringify({ ExecutionArn: child, Status: 'SUCCEEDED' }) } });
    const failed = new History();
    failed.enter('Part 1 (a, +2 more)');
    failed.add('TaskFailed', { taskFailedEventDetails: { resourceType: 'states', resource: 'startExecution.sync:2', error: 'States.TaskFailed', cause: JSON.stringify({ ExecutionArn: child, Status: 'FAILED' }) } });

    for (const h of [submitted, failed, succeeded]) expect(childExecutions(h.events)).toEqual([child]);
  });

  it("are not the executions a job's own state machine started (a state_machine job)", () => {
    const h = new History();
    h.enter('load');
    h.add('TaskSubmitted', { taskSubmittedEventDetails: { resourceType: 'states', resource: 'startExecution.sync:2', output: JSON.stringify({ ExecutionArn: execArn('x', 'their-machine') }) } });
    h.add('TaskSucceeded', { taskSucceededEventDetails: { resourceType: 'states', resource: 'startExecution.sync:2', output: JSON.stringify({ ExecutionArn: execArn('x', 'their-machine') }) } });
    h.exit('load');
    expect(childExecutions(h.events)).toEqual([]);
  });
});

// `stepgraph status` of a workflow with sweep jobs: a sweep job has no Task of its own (its Map
// stands where the Task would), so it runs from `J started` entered to `J summary` exited, the
// failures of single items inside the Map are not the job's, and a failed sweep says why (an
// inline sweep fails in its `J failed` Fail state once more items failed than it tolerates).
import { DescribeExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import { stateOwners } from '../../generator/emit/state-owners.ts';
import { jobStatuses, stepOfOwner } from '../../generator/ops/history.ts';
import { runStatus } from '../../generator/ops/status.ts';
import { History, minute, serveHistories } from './history-builder.ts';
import { execArn, mocks, taskFailed, testAws } from './support.ts';

const [compiled] = compilePaths(['test/fixtures/sweep-job/workflow.yaml']).compiled;
const workflow = compiled.workflow;
const arn = execArn('model-training-2026-01-16', 'model-training');

/** Marks of the history, by what happened: the minute each event was written. */
interface Marks {
  trainStarted: number;
  trainMapEntered: number;
  trainSummaryExited: number;
  scoreFailed: number;
}

/**
 * features ran; then train (an EC2 sweep of 3 items, one launch throttled once) succeeded, and
 * score (a lambda sweep of 2 items, both failed) failed the run. `upTo`: stop after that many events.
 */
function history(upTo?: number): { events: HistoryEvent[]; marks: Marks } {
  const h = new History();
  const marks = {} as Marks;
  const at = (id: number): number => h.events[id - 1].timestamp!.getTime();
  h.add('ExecutionStarted');
  for (const s of ['Check input', 'Default params', 'Prepare run']) h.pass(s, s === 'Check input' ? 'Choice' : 'Pass');
  h.job('features');
  h.enter('Parallel (train, score)', 'Parallel');
  h.add('ParallelStateStarted');

  h.pass('train selected?', 'Choice');
  marks.trainStarted = at(h.enter('train started', 'Pass'));
  h.exit('train started', 'Pass');
  h.pass('train settings');
  marks.trainMapEntered = at(h.enter('train', 'Map'));
  h.add('MapStateStarted', { mapStateStartedEventDetails: { length: 3 } });
  for (let i = 0; i < 3; i++) {
    h.add('MapIterationStarted', { mapIterationStartedEventDetails: { name: 'train', index: i } });
    h.pass('train start');
    h.enter('train launch');
    if (i === 0) {
      // A throttled launch, retried: an item's trouble, not the job's failure.
      h.add('TaskScheduled');
      h.add('TaskFailed', taskFailed('Ec2.RequestLimitExceeded', 'throttled'));
    }
    h.add('TaskScheduled');
    h.add('TaskSucceeded');
    h.exit('train launch');
    h.task('train check');
    h.pass('train succeeded');
    h.add('MapIterationSucceeded', { mapIterationSucceededEventDetails: { name: 'train', index: i } });
  }
  h.add('MapStateSucceeded');
  h.exit('train', 'Map');
  for (const s of ['train tally?', 'train count failures', 'train failed count', 'train any succeeded?', 'train not counting successes', 'train within tolerance?']) h.pass(s, s.endsWith('?') ? 'Choice' : 'Pass');
  h.enter('train summary', 'Pass');
  marks.trainSummaryExited = at(h.exit('train summary', 'Pass'));
  h.task('train done');

  h.pass('score selected?', 'Choice');
  h.pass('score started');
  h.pass('score settings');
  h.enter('score', 'Map');
  h.add('MapStateStarted', { mapStateStartedEventDetails: { length: 2 } });
  for (let i = 0; i < 2; i++) {
    h.add('MapIterationStarted', { mapIterationStartedEventDetails: { name: 'score', index: i } });
    h.pass('score start');
    h.enter('score run');
    h.add('TaskScheduled');
    h.add('TaskFailed', taskFailed('Lambda.Unknown', `model ${i} diverged`));
    h.pass('score run failed');
    h.add('MapIterationSucceeded', { mapIterationSucceededEventDetails: { name: 'score', index: i } });
  }
  h.add('MapStateSucceeded');
  h.exit('score', 'Map');
  for (const s of ['score tally?', 'score count failures', 'score failed count', 'score any succeeded?', 'score within tolerance?', 'score too many failures']) h.pass(s, s.endsWith('?') ? 'Choice' : 'Pass');
  const error = { Error: 'stepgraph.SweepFailed', Cause: '2 of 2 items failed; 0 tolerated' };
  marks.scoreFailed = at(h.enter('score failed', 'Fail', { date: '2026-01-16', sweep: { settings: { maxConcurrent: 2 }, error } }));
  h.add('ParallelStateFailed');
  h.runFailed(error.Error, error.Cause);
  return { events: upTo === undefined ? h.events : h.events.slice(0, upTo), marks };
}

describe('status of a workflow with sweep jobs', () => {
  const { sfn } = mocks();
  beforeEach(() => sfn.reset());

  it('GIVEN a run where one sweep succeeded and one failed WHEN status is read THEN each sweep job spans its first to its last state', async () => {
    // GIVEN
    const { events, marks } = history();
    serveHistories(sfn, new Map([[arn, events]]));
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: arn, stateMachineArn: 'arn:sm', status: 'FAILED', startDate: minute(0), stopDate: new Date(marks.scoreFailed + 60_000) });

    // WHEN
    const run = await runStatus(await testAws(), arn, workflow);

    // THEN train ran from `train started` to `train summary`, its throttled launch no failure of its own
    const byJob = new Map(run.jobs.map((j) => [j.job, j]));
    expect(byJob.get('features')!.status).toBe('succeeded');
    expect(byJob.get('train')).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(byJob.get('train')!.start!.getTime()).toBe(marks.trainStarted);
    expect(byJob.get('train')!.end!.getTime()).toBe(marks.trainSummaryExited);
    expect(byJob.get('train')!.error).toBeUndefined();
    // AND score failed with the sweep's own reason, not a generic one
    expect(byJob.get('score')).toMatchObject({ status: 'failed', attempts: 1, error: 'stepgraph.SweepFailed', cause: '2 of 2 items failed; 0 tolerated', failedIn: 'score failed' });
    expect(byJob.get('score')!.end!.getTime()).toBe(marks.scoreFailed);
    expect(byJob.get('pick_best')!.status).toBe('not run');
  });

  it('shows a sweep job running from its first state, before its Map has started', () => {
    const { marks, events } = history();
    const cut = events.findIndex((e) => e.stateEnteredEventDetails?.name === 'train settings');
    const owners = stateOwners(workflow, compiled.plan.sync, compiled.definitions.map((d) => d.definition));
    const stepOf = (state: string) => {
      const o = owners.get(state);
      return o && stepOfOwner(o);
    };
    const train = jobStatuses(events.slice(0, cut + 1), ['train'], new Set(), stepOf)[0];
    expect(train).toMatchObject({ status: 'running', attempts: 1 });
    expect(train.start!.getTime()).toBe(marks.trainStarted);
    expect(marks.trainStarted).toBeLessThan(marks.trainMapEntered);
  });

  it('reads the same from the state names alone when the workflow file is not at hand', async () => {
    const { events, marks } = history();
    serveHistories(sfn, new Map([[arn, events]]));
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: arn, stateMachineArn: 'arn:sm', status: 'FAILED', startDate: minute(0), stopDate: new Date(marks.scoreFailed + 60_000) });

    const run = await runStatus(await testAws(), arn);

    expect(run.jobs.map((j) => [j.job, j.status, j.start?.getTime() ?? null, j.error ?? null])).toStrictEqual([
      ['features', 'succeeded', events.find((e) => e.stateEnteredEventDetails?.name === 'features')!.timestamp!.getTime(), null],
      ['train', 'succeeded', marks.trainStarted, null],
      ['score', 'failed', expect.any(Number), 'stepgraph.SweepFailed'],
    ]);
  });
});

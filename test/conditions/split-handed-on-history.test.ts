// A split run whose failure was handed on inside a child machine, as Step Functions' histories show
// it: the child catches load's failure into `load failure handed on`, runs on and succeeds; the main
// machine runs cleanup and ends in `Run failed`, whose history names no job. The alert, `redrive`
// and `status` read the child's history to name the job that failed first.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handedOnInChild, splitRunOutcome } from '../../generator/contract/part-failures.ts';
import { runOutcome } from '../../generator/contract/run-failure.ts';
import { failStateOf } from '../../generator/ops/redrive.ts';
import { runStatusOf } from '../../generator/ops/status.ts';
import { analyzeHistory } from '../../handlers/failure.ts';
import { notify, type ExecutionStatusEvent } from '../../handlers/notify.ts';
import { History, serveHistories } from '../ops/history-builder.ts';

const ARN = 'arn:aws:states:eu-west-1:123456789012:execution';
const MAIN = `${ARN}:split-rules:split-rules-2019-03-12`;
const CHILD = `${ARN}:split-rules-part-1:split-rules-2019-03-12-part-1`;
const jobs = [
  { name: 'extract', needs: [] },
  { name: 'load', needs: ['extract'] },
  { name: 'publish', needs: ['load'] },
  { name: 'cleanup', needs: ['load'], runIf: 'all_done' },
];

/** Part 1 (extract, load, publish) hands load's failure on and succeeds; cleanup runs in the main machine. */
function histories(): { main: HistoryEvent[]; child: HistoryEvent[] } {
  const clock = { minute: 0 };
  const main = new History(clock);
  const child = new History(clock);
  main.add('ExecutionStarted');
  main.pass('Track outcomes');
  main.enter('Part 1 (extract, +2 more)');
  main.add('TaskScheduled', { taskScheduledEventDetails: { resourceType: 'states', resource: 'startExecution.sync:2', region: 'eu-west-1', parameters: '{}' } });
  main.add('TaskStarted');
  main.add('TaskSubmitted', { taskSubmittedEventDetails: { resourceType: 'states', resource: 'startExecution.sync:2', output: JSON.stringify({ ExecutionArn: CHILD, StartDate: 0 }) } });
  child.add('ExecutionStarted');
  child.pass('Start part');
  child.job('extract');
  child.pass('load selected?', 'Choice');
  const failed = child.failingTask('load', 2, 'Lambda.Unknown', (n) => `out of memory (attempt ${n})`);
  child.add('PassStateEntered', { stateEnteredEventDetails: { name: 'load failure handed on', input: '{}' } }, failed);
  child.exit('load failure handed on', 'Pass');
  child.pass('publish selected?', 'Choice');
  child.pass('publish run if?', 'Choice');
  child.pass('publish not run');
  child.add('ExecutionSucceeded');
  const output = { ExecutionArn: CHILD, Status: 'SUCCEEDED', Output: { outcomes: { jobs: { load: { outcome: 'failed', failed: true } } } } };
  main.add('TaskSucceeded', { taskSucceededEventDetails: { resourceType: 'states', resource: 'startExecution.sync:2', output: JSON.stringify(output) } });
  main.exit('Part 1 (extract, +2 more)');
  main.pass('cleanup selected?', 'Choice');
  main.task('cleanup');
  main.task('cleanup done');
  main.pass('Any job failed?', 'Choice');
  main.enter('Run failed', 'Fail');
  main.runFailed('stepgraph.JobFailed', 'a job failed and the jobs whose run_if waited for it ran');
  return { main: main.events, child: child.events };
}

describe('a failure handed on inside a child machine, read from the histories', () => {
  it('the main history alone names only its Fail state; with the child it names load, with its own error', () => {
    const { main, child } = histories();
    expect(runOutcome(main)?.failed).toMatchObject({ state: 'Run failed', how: 'fail' });
    expect(handedOnInChild(main)).toBe(true);
    expect(handedOnInChild(child)).toBe(false);
    expect(splitRunOutcome([main, child])?.failed).toMatchObject({ state: 'load', how: 'task', handedOn: true, error: 'Lambda.Unknown', cause: 'out of memory (attempt 2)' });
  });

  it('redrive refuses it as a handed-on failure and offers the replay from load', () => {
    const { main, child } = histories();
    expect(failStateOf(main, 'split-rules')).toMatchObject({ kind: 'other', state: 'Run failed' });
    expect(failStateOf(main, 'split-rules', undefined, [child])).toMatchObject({ kind: 'handed_on', owner: 'load', error: 'Lambda.Unknown' });
  });

  it('status shows load failed with its error, cleanup succeeded and publish not run', () => {
    const { main, child } = histories();
    const execution = { executionArn: MAIN, stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:split-rules', name: 'split-rules-2019-03-12', status: 'FAILED' as const, startDate: new Date(0), error: 'stepgraph.JobFailed' };
    const status = runStatusOf(execution, [{ executionArn: MAIN, events: main }, { executionArn: CHILD, events: child }], undefined, 'eu-west-1', Date.now());
    const by = Object.fromEntries(status.jobs.map((j) => [j.job, j]));
    expect(by.load).toMatchObject({ status: 'failed', error: 'Lambda.Unknown' });
    expect(by.cleanup.status).toBe('succeeded');
    expect(by.publish.status).toBe('not run: rule unmet');
  });

  it('the alert analysis names load from the child history', () => {
    const { main, child } = histories();
    expect(analyzeHistory(main, jobs).jobs).toEqual([]);
    expect(analyzeHistory(main, jobs, [child])).toMatchObject({ jobs: ['load'], state: 'load', error: 'Lambda.Unknown', runError: 'stepgraph.JobFailed' });
  });

  describe('the failure alert', () => {
    const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
    const sfn = new SFNClient({ region: 'eu-west-1', credentials });
    const sns = new SNSClient({ region: 'eu-west-1', credentials });
    const secrets = new SecretsManagerClient({ region: 'eu-west-1', credentials });
    const sfnMock = mockClient(sfn);
    const snsMock = mockClient(sns);
    beforeEach(() => {
      sfnMock.reset();
      snsMock.reset();
    });

    it('reads the child machines the part Tasks started and names load, with the replay from it', async () => {
      // Prepare
      const { main, child } = histories();
      serveHistories(sfnMock, new Map([[MAIN, main], [CHILD, child]]));
      snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
      const event = { region: 'eu-west-1', detail: { executionArn: MAIN, stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:split-rules', name: 'split-rules-2019-03-12', status: 'FAILED', input: '{"date":"2019-03-12"}', error: 'stepgraph.JobFailed' } } as unknown as ExecutionStatusEvent;

      // Act
      const result = await notify(event, { sfn, sns: () => sns, secrets: () => secrets, fetch: vi.fn(), config: { workflow: 'split-rules', jobs, snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:data-alerts' } });

      // Assess
      expect(result.alert?.replayCommand).toBe('npx stepgraph replay split-rules --date 2019-03-12 --from load');
      expect(result.alert?.text).toContain('Lambda.Unknown');
      expect(sfnMock.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input.executionArn)).toContain(CHILD);
    });
  });
});

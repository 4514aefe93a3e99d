// A run whose failure was handed on to run_if jobs, as its Step Functions history shows it: the
// failing Task is caught into `J failure handed on`, the run_if job runs, and the run fails at its
// end in `Run failed`. status, alerts (contract/run-failure.ts) and redrive read that history.
import { describe, expect, it } from 'vitest';
import { runOutcome } from '../../generator/contract/run-failure.ts';
import { jobStatuses } from '../../generator/ops/history.ts';
import { failStateOf, redriveEligibility } from '../../generator/ops/redrive.ts';
import { History } from '../ops/history-builder.ts';

const NOW = Date.UTC(2019, 2, 13);

/** extract ok; load fails twice (handed on); publish not run; cleanup (all_done) runs; Run failed. */
function handedOnRun(): History {
  const h = new History();
  h.add('ExecutionStarted');
  h.job('extract');
  h.pass('load selected?', 'Choice');
  const failed = h.failingTask('load', 2, 'Lambda.Unknown', (n) => `out of memory (attempt ${n})`);
  h.add('PassStateEntered', { stateEnteredEventDetails: { name: 'load failure handed on', input: '{}' } }, failed);
  h.exit('load failure handed on', 'Pass');
  h.pass('publish selected?', 'Choice');
  h.pass('publish run if?', 'Choice');
  h.pass('publish not run');
  h.pass('cleanup selected?', 'Choice');
  h.task('cleanup');
  h.task('cleanup done');
  h.pass('Any job failed?', 'Choice');
  h.enter('Run failed', 'Fail');
  h.runFailed('stepgraph.JobFailed', 'a job failed and the jobs whose run_if waited for it ran');
  return h;
}

describe('a failure handed on to run_if jobs, read from the history', () => {
  it('names the job that failed, with its own error, not the Fail state at the end', () => {
    const failed = runOutcome(handedOnRun().events)?.failed;
    expect(failed).toMatchObject({ state: 'load', how: 'task', handedOn: true, error: 'Lambda.Unknown', cause: 'out of memory (attempt 2)' });
  });

  it('shows each job as it ended: failed, not run by its rule, and the run_if job succeeded', () => {
    const statuses = jobStatuses(handedOnRun().events, ['extract', 'load', 'publish', 'cleanup']);
    const by = new Map(statuses.map((s) => [s.job, s]));
    expect(by.get('extract')!.status).toBe('succeeded');
    expect(by.get('load')!.status).toBe('failed');
    expect(by.get('load')!.error).toBe('Lambda.Unknown');
    expect(by.get('publish')!.status).toBe('not run: rule unmet');
    expect(by.get('cleanup')!.status).toBe('succeeded');
  });

  it('refuses a redrive, which would only enter Run failed again, and offers a replay from the failed job', () => {
    const failState = failStateOf(handedOnRun().events, 'nightly-load');
    expect(failState).toMatchObject({ kind: 'handed_on', owner: 'load' });
    const result = redriveEligibility({
      execution: { executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:nightly-load:nightly-load-2019-03-12', name: 'nightly-load-2019-03-12', stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly-load', status: 'FAILED', startDate: new Date(NOW - 3_600_000), stopDate: new Date(NOW), redriveStatus: 'REDRIVABLE' } as never,
      current: { type: 'STANDARD', revisionId: 'r1', definition: '{}' },
      used: { revisionId: 'r1', definition: '{}' },
      failState,
      now: NOW,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons.join('\n')).toContain("job 'load' failed");
    expect(result.instead?.command).toBe('npx stepgraph replay nightly-load --date 2019-03-12 --from load');
  });
});

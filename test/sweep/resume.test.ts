// When `sweep resume` redrives and when it starts a new run (generator/sweep/ops/resume.ts): a
// redrive only where Step Functions re-runs every item that did not succeed. The end-to-end cases
// against mocked AWS histories are in cli.test.ts; these are the rules one by one.
import { describe, expect, it } from 'vitest';
import { redriveVerdict, type RedriveFacts } from '../../generator/sweep/ops/resume.ts';
import type { ItemProgress } from '../../generator/sweep/ops/progress.ts';
import { compiled, ec2Sweep } from './support.ts';

const now = new Date(Date.UTC(2026, 0, 20));
const ec2Definition = compiled(ec2Sweep(3)).definition as unknown as Record<string, unknown>;
const lambdaDefinition = compiled({ name: 'fns', lambda: 'f', params: [{ a: 1 }, { a: 2 }] }).definition as unknown as Record<string, unknown>;
const item = (index: number, state: ItemProgress['state']): ItemProgress => ({ index, name: `i${index}`, state });
const facts = (extra: Partial<RedriveFacts> = {}): RedriveFacts => ({
  status: 'ABORTED',
  redriveStatus: 'REDRIVABLE',
  stopDate: new Date(now.getTime() - 3_600_000),
  now,
  sameConcurrency: true,
  definition: ec2Definition,
  items: [item(0, 'succeeded'), item(1, 'launching')],
  ...extra,
});

describe('sweep resume: redrive or a new run', () => {
  it('redrives a stopped run whose unfinished items had not launched: Step Functions starts them again', () => {
    expect(redriveVerdict(facts())).toEqual({ redrive: true });
  });

  it('redrives a runner sweep stopped inside its items\' Tasks: a redrive runs those Tasks again', () => {
    expect(redriveVerdict(facts({ definition: lambdaDefinition, items: [item(0, 'running'), item(1, 'running')] }))).toEqual({ redrive: true });
  });

  it('starts a new run when Step Functions cannot or should not redrive', () => {
    const why = (extra: Partial<RedriveFacts>) => (redriveVerdict(facts(extra)) as { why: string }).why;
    expect(why({ status: 'SUCCEEDED' })).toBe('it succeeded (within its tolerated failures)');
    expect(why({ redriveStatus: 'NOT_REDRIVABLE' })).toBe('Step Functions will not redrive it');
    expect(why({ stopDate: new Date(now.getTime() - 15 * 24 * 3_600_000) })).toBe('it closed more than 14 days ago');
    expect(why({ sameConcurrency: false })).toMatch(/^the concurrency changes/);
  });

  it('starts a new run when a redrive would not re-run the items that failed', () => {
    const why = (extra: Partial<RedriveFacts>) => (redriveVerdict(facts(extra)) as { why: string }).why;
    expect(why({ status: 'FAILED', items: [item(0, 'failed'), item(1, 'succeeded')] })).toBe("1 item failed, and a redrive keeps an item's record");
    expect(why({ status: 'FAILED', failState: 'Invalid input', items: [] })).toBe("it failed in its Fail state 'Invalid input', where a redrive would fail again");
    expect(why({ items: [item(0, 'running')] })).toMatch(/^1 item had launched an instance when the run stopped \(item 0 first\)/);
    expect(why({ items: undefined, mapRun: { failed: 1, timedOut: 1 } })).toMatch(/^2 items failed, and a redrive resumes a failed item's child execution/);
    expect(why({ items: undefined, mapRun: { aborted: 3 } })).toMatch(/^3 items were stopped while running/);
    expect(redriveVerdict(facts({ definition: lambdaDefinition, items: undefined, mapRun: { aborted: 3 } }))).toEqual({ redrive: true });
  });

  it('never redrives a run of a definition that caught the sweep\'s failure into a Fail state (compiled before this contract)', () => {
    const old = structuredClone(ec2Definition) as { States: Record<string, Record<string, unknown>> };
    old.States.demo.Catch = [{ ErrorEquals: ['States.ALL'], Next: 'demo failed' }];
    expect(redriveVerdict(facts({ definition: old }))).toEqual({ redrive: false, why: "its definition catches the sweep's failure into a Fail state, where a redrive would fail again" });
  });
});

// The runtime contract every emitted definition keeps (docs/architecture.md): nothing polls,
// failures happen in place (no Catch into a Fail state a redrive would re-enter), every wait is a
// callback with its deadline, and the machine's own input check refuses a malformed date.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomWorkflow } from '../../bench/graphs.ts';
import { compilePaths, compileTexts, compileWorkflow, type CompiledWorkflow } from '../../generator/compile.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { validateAsl } from '../support/asl-validate.ts';
import { dagYaml, randomDag } from '../support/dag-arbitrary.ts';
import { pollingConstructs } from '../support/no-polling.ts';

type Machine = Parameters<typeof pollingConstructs>[0];
const result = compilePaths(['workflows']);
const examples = result.compiled.map((c) => [c.workflow.name, c] as const);
const sweeps = result.sweeps.map((s) => [s.sweep.name, s] as const);

/** Every state of a definition at every level, with its name. */
function* allStates(machine: Machine): Generator<[string, Record<string, unknown>]> {
  for (const [name, state] of Object.entries(machine.States)) {
    yield [name, state];
    for (const branch of (state.Branches as Machine[] | undefined) ?? []) yield* allStates(branch);
    const processor = (state.ItemProcessor ?? state.Iterator) as Machine | undefined;
    if (processor) yield* allStates(processor);
  }
}

describe('the walker that finds polling', () => {
  it('finds the shapes of the old contract: a Retry on a missing key, a Wait -> check -> Choice loop', () => {
    const retried: Machine = {
      StartAt: 'w',
      States: { w: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:getObject', Retry: [{ ErrorEquals: ['S3.NoSuchKeyException'], MaxAttempts: 99 }], End: true } },
    };
    const looped: Machine = {
      StartAt: 'wait',
      States: {
        wait: { Type: 'Wait', Seconds: 60, Next: 'check' },
        check: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ec2:describeInstances', Next: 'ended?' },
        'ended?': { Type: 'Choice', Choices: [{ Variable: '$.s', StringEquals: 'terminated', Next: 'done' }], Default: 'wait' },
        done: { Type: 'Succeed' },
      },
    };
    expect(pollingConstructs(retried)).toEqual(['w: retries on S3.NoSuchKeyException (a read repeated until it finds something)']);
    expect(pollingConstructs(looped)).toEqual(['loop: wait -> check -> ended? -> wait']);
  });
});

describe.each(examples)('example workflow %s', (_, compiled: CompiledWorkflow) => {
  it('polls nowhere, passes both validators, and never catches a failure into a Fail state', async () => {
    for (const d of compiled.definitions) {
      expect(pollingConstructs(d.definition as Machine)).toEqual([]);
      expect(await validateAsl(d.definition)).toEqual([]);
      for (const [name, state] of allStates(d.definition as Machine)) {
        for (const c of (state.Catch as { Next: string }[] | undefined) ?? []) {
          expect(d.definition.States[c.Next]?.Type, `${name} catches into a Fail state`).not.toBe('Fail');
        }
      }
    }
  });

  it('waits only through callbacks whose TimeoutSeconds is the deadline they hand the router', () => {
    const waits = [...allStates(compiled.definitions[0].definition as Machine)].filter(([name]) => name.includes(' waits for '));
    expect(waits.length).toBe(compiled.workflow.jobs.reduce((n, j) => n + j.waitsFor.length, 0) + compiled.plan.sync.length);
    for (const [, state] of waits) {
      const payload = (state.Parameters as { Payload: Record<string, unknown> }).Payload;
      expect(state.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
      expect(payload['token.$']).toBe('$$.Task.Token');
      expect(state.TimeoutSeconds).toBe(payload.timeoutSeconds);
    }
  });
});

describe.each(sweeps)('example sweep %s', (_, sweep) => {
  it('polls nowhere and passes both validators', async () => {
    expect(pollingConstructs(sweep.definition as Machine)).toEqual([]);
    expect(await validateAsl(sweep.definition)).toEqual([]);
  });
});

describe('random DAGs', () => {
  it('never poll and pass both validators', async () => {
    await fc.assert(
      fc.asyncProperty(randomDag, async (dag) => {
        const compiled = compileTexts([{ file: 'random.yaml', text: dagYaml(dag) }]).compiled[0];
        for (const d of compiled.definitions) {
          expect(pollingConstructs(d.definition as Machine)).toEqual([]);
          expect(await validateAsl(d.definition)).toEqual([]);
        }
      }),
      { seed: 20191231, numRuns: 20 },
    );
  });

  it('a 120-job graph with 12-hour timeouts stays one state machine, its history a small constant per wait', () => {
    const { compiled } = compileWorkflow(randomWorkflow('sparse', 120, 11, { timeoutSeconds: 12 * 3600 }));
    expect(compiled!.definitions.map((d) => d.id)).toEqual(['main']);
    expect(pollingConstructs(compiled!.definitions[0].definition as Machine)).toEqual([]);
  });
});

describe("the state machine's own date check", () => {
  const daily = result.compiled.find((c) => c.workflow.partition === 'daily')!;
  const hourly = result.compiled.find((c) => c.workflow.partition === 'hourly')!;
  // A valid date is simulated as that date (its external markers are there); a malformed one
  // goes in as the execution's input as it is, past the CLI's own check.
  const run = (compiled: CompiledWorkflow, date: string, ok: boolean) =>
    simulate(compiled, { date: ok ? date : compiled.workflow.partition === 'hourly' ? '2019-03-12T05' : '2019-03-12', input: { date } });
  // A good date runs the workflow; a bad one fails the run before any job starts.
  const expectDateCheck = async (compiled: CompiledWorkflow, date: string, ok: boolean): Promise<void> => {
    const report = await run(compiled, date, ok);
    if (ok) expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    else {
      expect(report.status).toBe('FAILED');
      expect(report.jobs.every((j) => j.startSeconds === null)).toBe(true);
    }
  };

  it.each([
    ['2019-03-12', true],
    ['2020-02-29', true],
    ['2000-02-29', true],
    ['2019-12-31', true],
    ['2019-3-1', false],
    ['2019-02-29', false],
    ['1900-02-29', false],
    ['2019-02-30', false],
    ['2019-04-31', false],
    ['2019-13-01', false],
    ['0000-01-01', false],
    ['2019-03-12T05', false],
    ['2019-03-12 ', false],
    ['1e3-03-12', false],
    ['2019-03-1.5', false],
  ])('daily %s: %s', (date, ok) => expectDateCheck(daily, date, ok));

  it.each([
    ['2019-03-12T05', true],
    ['2019-03-12T00', true],
    ['2019-03-12T23', true],
    ['2019-03-12T24', false],
    ['2019-03-12T99', false],
    ['2019-03-12', false],
    ['2019-03-12T5', false],
  ])('hourly %s: %s', (date, ok) => expectDateCheck(hourly, date, ok));
});

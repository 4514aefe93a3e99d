// Measuring definitions against Step Functions' limits, and the SG4001 / SG4002 diagnostics
// with the figures in them.
import { describe, expect, it } from 'vitest';
import { randomWorkflow, workflowOf } from '../../bench/graphs.ts';
import { compilePaths, compileWorkflow } from '../../generator/compile.ts';
import { emitWorkflow } from '../../generator/emit/asl.ts';
import { historyOfStates, LIMITS, measureDefinition, requestBytes, stateEvents } from '../../generator/emit/limits.ts';
import type { Workflow } from '../../generator/model.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { planWorkflow } from '../../generator/plan/plan.ts';

const task = (extra: Record<string, unknown> = {}) => ({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', ...extra });

describe('history events per state type', () => {
  it('GIVEN a Task WHEN counted THEN 5 events (Entered, Scheduled, Started, Succeeded, Exited); a .sync Task 6', () => {
    expect(stateEvents('a', task())).toBe(5);
    expect(stateEvents('a', task({ Resource: 'arn:aws:states:::states:startExecution.sync:2' }))).toBe(6);
  });

  it("GIVEN retriers WHEN counted THEN each failed attempt adds its events; Lambda's transient errors and marker writes are not counted", () => {
    const retried = task({ Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2 }, { ErrorEquals: ['Lambda.ServiceException'], MaxAttempts: 3 }] });
    expect(stateEvents('a', retried)).toBe(5 + 2 * 3);
    const markerWrite = task({ Resource: 'arn:aws:states:::aws-sdk:s3:putObject', Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 4 }] });
    expect(stateEvents('m', markerWrite)).toBe(5);
  });

  it('GIVEN a callback wait WHEN counted THEN 6 events whatever its deadline (it does not poll)', () => {
    const wait = (seconds: number) => task({ Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', TimeoutSeconds: seconds });
    expect(stateEvents('w', wait(60))).toBe(6);
    expect(stateEvents('w', wait(7 * 24 * 3600))).toBe(6);
  });

  it('GIVEN Choice, Parallel and Map states WHEN counted THEN the longest Choice branch, every Parallel branch, every Map iteration', () => {
    const states = {
      pick: { Type: 'Choice', Choices: [{ Next: 'short' }], Default: 'long' },
      short: { Type: 'Pass', Next: 'par' },
      long: task({ Next: 'par' }),
      par: { Type: 'Parallel', Branches: [{ StartAt: 'x', States: { x: task({ End: true }) } }, { StartAt: 'y', States: { y: { Type: 'Pass', End: true } } }], Next: 'map' },
      map: { Type: 'Map', ItemProcessor: { StartAt: 'z', States: { z: task({ End: true }) } }, End: true },
    };
    expect(historyOfStates('pick', states)).toBe(2 + 5 + (4 + 5 + 2) + (4 + 40 * (2 + 5)));
    expect(historyOfStates('pick', states, { mapItems: () => 3 })).toBe(2 + 5 + (4 + 5 + 2) + (4 + 3 * (2 + 5)));
  });

  it('GIVEN a run with in-run waits and no retries WHEN its definition is measured THEN the estimate equals what the local engine records', async () => {
    const workflow = randomWorkflow('layered', 60, 4);
    const plan = planWorkflow(workflow);
    const definition = emitWorkflow(workflow, plan);
    const report = await simulate({ workflow, plan, definition }, { date: '2019-03-12' });
    expect(plan.sync.length).toBeGreaterThan(0);
    expect(report.polls).toBe(0);
    expect(measureDefinition(definition).historyEvents).toBe(report.historyEvents);
  });
});

describe('sweep jobs', () => {
  it("GIVEN a workflow with sweep jobs WHEN measured THEN each sweep's inline Map counts its own items, not the default 40", () => {
    const { compiled } = compilePaths(['test/fixtures/sweep-job/workflow.yaml']);
    const [{ workflow, definitions }] = compiled;
    const items = new Map(workflow.jobs.flatMap((j) => (j.kind.type === 'sweep' ? [[j.name, j.kind.sweep.items.length] as const] : [])));
    expect(items.size).toBeGreaterThan(0);
    const definition = definitions[0].definition;
    expect(definitions[0].measurement.historyEvents).toBe(measureDefinition(definition, { mapItems: (name) => items.get(name) }).historyEvents);
    expect(definitions[0].measurement.historyEvents).toBeLessThan(measureDefinition(definition).historyEvents);
  });
});

describe('request size', () => {
  it('GIVEN a definition text WHEN the request is sized THEN quotes are escaped and placeholders count at ARN length', () => {
    const plain = '{"a":"b"}';
    expect(requestBytes(plain)).toBe(JSON.stringify(plain).length + 4096);
    expect(requestBytes('{"a":"${Part1Arn}"}') - requestBytes('{"a":""}')).toBe(140);
  });
});

/** A workflow of `n` independent jobs (one Parallel state). */
const wide = (n: number, name = 'wide'): Workflow => workflowOf(Array.from({ length: n }, () => []), 1, { name });

describe('SG4001: within 20% of a limit, with the figures', () => {
  it('GIVEN a definition between 80% and 100% of 1 MB WHEN compiled THEN one state machine and a warning with its size', () => {
    // Find the size deterministically: the first job count whose request passes 80%.
    let n = 400;
    while (compileWorkflow(wide(n)).compiled.definitions[0].measurement.requestBytes < 0.8 * LIMITS.definitionBytes) n += 20;
    const { compiled, diagnostics } = compileWorkflow(wide(n));
    expect(compiled.definitions).toHaveLength(1);
    const bytes = compiled.definitions[0].measurement.requestBytes;
    const warnings = diagnostics.filter((d) => d.code === 'SG4001');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].severity).toBe('warning');
    expect(warnings[0].message).toContain(`${bytes.toLocaleString('en-US')} bytes (${Math.round((100 * bytes) / LIMITS.definitionBytes)}% of the 1,048,576-byte limit)`);
    expect(warnings[0].message).toContain(`state machine 'wide'`);
    expect(warnings[0].file).toBe('bench/wide.yaml');
  });

  it('GIVEN a job waiting a week for a marker WHEN compiled THEN no history warning: a wait costs 6 events whatever its deadline', () => {
    const one = workflowOf([[]], 1, { name: 'patient' });
    const workflow = { ...one, jobs: one.jobs.map((j) => ({ ...j, waitsFor: [{ marker: 'feed', prefix: 'done/', timeoutSeconds: 7 * 24 * 3600 }] })) };
    const { compiled, diagnostics } = compileWorkflow(workflow);
    expect(compiled.definitions[0].measurement.historyEvents).toBeLessThan(100);
    expect(diagnostics).toEqual([]);
  });

  it('GIVEN a job retried 9,000 times WHEN compiled THEN a warning that its history can pass 25,000 events', () => {
    const one = workflowOf([[]], 1, { name: 'patient' });
    const workflow = { ...one, jobs: one.jobs.map((j) => ({ ...j, retry: { attempts: 9000, intervalSeconds: 1, backoff: 1 } })) };
    const { compiled, diagnostics } = compileWorkflow(workflow);
    const events = compiled.definitions[0].measurement.historyEvents;
    expect(events).toBeGreaterThan(LIMITS.historyEvents);
    const warning = diagnostics.find((d) => d.code === 'SG4001')!;
    expect(warning.severity).toBe('warning');
    expect(warning.message).toContain(`${events.toLocaleString('en-US')} events (${Math.round((100 * events) / LIMITS.historyEvents)}% of the 25,000-event limit)`);
    expect(warning.message).toContain('past the limit Step Functions fails the execution');
  });

  it('GIVEN 4,500 jobs with 48-character names WHEN compiled THEN a warning that a replay selecting them all nears 256 KiB of state data', () => {
    const base = randomWorkflow('fan', 4500, 2);
    const long = (name: string): string => `${name}_${'x'.repeat(47 - name.length)}`;
    const workflow = { ...base, jobs: base.jobs.map((j) => ({ ...j, name: long(j.name), needs: j.needs.map(long) })) };
    expect(workflow.jobs.every((j) => j.name.length === 48)).toBe(true);
    const { diagnostics } = compileWorkflow(workflow);
    const warning = diagnostics.find((d) => d.code === 'SG4001' && d.message.includes('state data'))!;
    expect(warning.message).toMatch(/replay that selects every job is [\d,]+ bytes \(\d+% of the 262,144-byte limit\)/);
  });

  it('GIVEN a small workflow WHEN compiled THEN no limit diagnostics', () => {
    expect(compileWorkflow(randomWorkflow('sparse', 50, 1)).diagnostics).toEqual([]);
  });
});

describe('worst-case state data', () => {
  it('is the size of a replay input that selects every job, counted without building it', async () => {
    const { fitWorkflow } = await import('../../generator/emit/fit.ts');
    for (const size of [1, 2, 37]) {
      const workflow = randomWorkflow('sparse', size, 5);
      const state = {
        date: '2019-03-12T05',
        params: {},
        select: Object.fromEntries(workflow.jobs.map((j) => [j.name, true])),
        run: { datekey: '2019031205', execution: 'x'.repeat(80) },
        job: { startedAt: '2019-03-12T05:00:00.000Z' },
      };
      expect(fitWorkflow(workflow, planWorkflow(workflow)).payloadBytes, `${size} jobs`).toBe(Buffer.byteLength(JSON.stringify(state)));
    }
  });
});

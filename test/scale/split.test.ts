// Graphs too big for one state machine compile into a main state machine and child state
// machines ("parts"), each within Step Functions' limits, with every dependency kept.
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { randomWorkflow, workflowOf } from '../../bench/graphs.ts';
import { compileWorkflow, type CompiledWorkflow } from '../../generator/compile.ts';
import { LIMITS, WARN_FRACTION } from '../../generator/emit/limits.ts';
import type { Workflow } from '../../generator/model.ts';
import { readStructure, unmetNeeds } from './structure.ts';

type State = Record<string, unknown>;

/** Every Task state of a definition, at all levels. */
function tasks(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, s]) => [
    ...(s.Type === 'Task' ? [[name, s] as [string, State]] : []),
    ...((s.Branches as { States: Record<string, State> }[] | undefined) ?? []).flatMap((b) => tasks(b.States)),
  ]);
}

/**
 * A graph whose definition would fit but whose worst-case history would not: every job retried
 * up to 80 times. (Waits no longer do this: a wait is 6 events whatever its deadline.)
 */
function manyRetries(): Workflow {
  const workflow = workflowOf(
    Array.from({ length: 120 }, (_, i) => (i === 0 ? [] : [i - 1])),
    5,
    { name: 'many-retries' },
  );
  return { ...workflow, jobs: workflow.jobs.map((job) => ({ ...job, retry: { attempts: 80, intervalSeconds: 10, backoff: 1 }, waitsFor: [{ marker: `feed_${job.name}`, prefix: 'done/', timeoutSeconds: 4 * 3600 }] })) };
}

const cases: [string, () => Workflow][] = [
  ['a 3,000-job layered graph (many in-run waits)', () => randomWorkflow('layered', 3000, 7)],
  ['a 3,000-job chain of N shapes (deep nesting)', () => randomWorkflow('n', 3000, 7)],
  ['a 3,000-job fan-out/fan-in (Parallel states of up to 60 branches, 50 stages)', () => randomWorkflow('fan', 3000, 7)],
  ['a 120-job chain whose jobs are retried up to 80 times (history, not size)', manyRetries],
];

describe.each(cases)('GIVEN %s', (_, make) => {
  const workflow = make();
  const { compiled, diagnostics } = compileWorkflow(workflow);
  const parts = compiled.definitions.filter((d) => d.id !== 'main');

  it('WHEN compiled THEN it is split, and every state machine is within the limits, clear of the warning zone', () => {
    expect(parts.length).toBeGreaterThan(0);
    for (const d of compiled.definitions) {
      expect(Buffer.byteLength(JSON.stringify(d.definition))).toBe(d.measurement.definitionBytes);
      expect(d.measurement.requestBytes).toBeGreaterThan(d.measurement.definitionBytes);
      expect(d.measurement.requestBytes).toBeLessThanOrEqual(WARN_FRACTION * LIMITS.definitionBytes);
      expect(d.measurement.historyEvents).toBeLessThanOrEqual(WARN_FRACTION * LIMITS.historyEvents);
    }
    expect(diagnostics.filter((d) => d.code.startsWith('SG4'))).toEqual([]);
  });

  it('THEN the manifest lists every state machine, and each child ARN is a substitution used by exactly one parent Task', () => {
    expect(compiled.manifest.stateMachines.map((s) => s.id)).toEqual(['main', ...parts.map((_, i) => `part-${i + 1}`)]);
    expect(compiled.manifest.stateMachines.map((s) => s.name)).toEqual([workflow.name, ...parts.map((_, i) => `${workflow.name}-part-${i + 1}`)]);
    expect(compiled.manifest.stateMachines.map((s) => s.definitionFile)).toEqual(compiled.definitions.map((d) => `${d.name}.asl.json`));
    for (let n = 1; n <= parts.length; n++) {
      const placeholder = `\${Part${n}Arn}`;
      expect(compiled.manifest.substitutions).toContain(`Part${n}Arn`);
      const users = compiled.definitions.filter((d) => d.deployed.includes(placeholder));
      expect(users).toHaveLength(1);
      expect(users[0].id).not.toBe(`part-${n}`);
      expect(users[0].deployed.split(placeholder)).toHaveLength(2);
    }
  });

  it('THEN a parent runs a child to completion with the run state and its execution id, and the child takes that state as its own', () => {
    const partTasks = compiled.definitions.flatMap((d) => tasks(d.definition.States as Record<string, State>)).filter(([, s]) => String((s.Parameters as State | undefined)?.StateMachineArn ?? '').startsWith('${Part'));
    expect(partTasks).toHaveLength(parts.length);
    for (const [name, task] of partTasks) {
      expect(name).toMatch(/^Part \d+ \(j\d+(, \+\d+ more)?\)$/);
      expect(task.Resource).toBe('arn:aws:states:::states:startExecution.sync:2');
      expect((task.Parameters as State).Input).toEqual({ 'state.$': '$', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' });
      expect(task.ResultPath).toBeNull();
    }
    for (const part of parts) {
      const start = (part.definition.States as Record<string, State>)[part.definition.StartAt];
      expect(start).toMatchObject({ Type: 'Pass', InputPath: '$.state' });
    }
  });

  it('THEN across parent and children every job runs once, after all of its needs (nesting or in-run wait)', () => {
    const structure = readStructure(compiled.definitions, workflow.jobs.map((j) => j.name));
    expect([...structure.seen.values()].every((n) => n === 1)).toBe(true);
    expect(structure.seen.size).toBe(workflow.jobs.length);
    expect(structure.partsEntered.sort()).toEqual(parts.map((p) => p.id).sort());
    expect(unmetNeeds(structure, new Map(workflow.jobs.map((j) => [j.name, j.needs])))).toEqual([]);
    // The waits are exactly the plan's: splitting adds none.
    const waits = [...structure.waits].flatMap(([job, afters]) => [...afters].map((a) => `${a}->${job}`)).sort();
    expect(waits).toEqual(compiled.plan.sync.map((s) => `${s.after}->${s.job}`).sort());
  });

  it('THEN the main state machine and the largest child pass asl-validator', () => {
    const largest = [...parts].sort((a, b) => b.measurement.definitionBytes - a.measurement.definitionBytes)[0];
    for (const d of [compiled.definitions[0], largest]) {
      const { isValid, errors } = aslValidator(structuredClone(d.definition) as never, { checkPaths: true, checkArn: true });
      expect(errors).toEqual([]);
      expect(isValid).toBe(true);
    }
  });

  it('THEN compiling again gives the same bytes', () => {
    const again: CompiledWorkflow = compileWorkflow(make()).compiled;
    expect(again.definitions.map((d) => d.deployed)).toEqual(compiled.definitions.map((d) => d.deployed));
  });
});

describe('GIVEN a graph that fits one state machine', () => {
  it('WHEN compiled THEN it is one state machine with no part Tasks', () => {
    const { compiled } = compileWorkflow(randomWorkflow('layered', 200, 3));
    expect(compiled.definitions.map((d) => d.id)).toEqual(['main']);
    expect(compiled.definitions[0].deployed).not.toContain('startExecution.sync:2');
    expect(compiled.manifest.substitutions.filter((s) => s.startsWith('Part'))).toEqual([]);
  });
});

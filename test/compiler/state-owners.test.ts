// emit/state-owners.ts: which job each state of an emitted definition serves. The local engine
// and `stepgraph status` both read runs through it.
import { describe, expect, it } from 'vitest';
import { randomWorkflow } from '../../bench/graphs.ts';
import { compilePaths, compileWorkflow, type CompiledWorkflow } from '../../generator/compile.ts';
import { stateOwners, type StateOwner } from '../../generator/emit/state-owners.ts';

const owners = (c: CompiledWorkflow): Map<string, StateOwner> => stateOwners(c.workflow, c.plan.sync, c.definitions.map((d) => d.definition));

/** Every state name of the definitions, nested ones included. */
function allStates(c: CompiledWorkflow): string[] {
  type Machine = { States: Record<string, { Branches?: Machine[]; ItemProcessor?: Machine }> };
  const out: string[] = [];
  const walk = (m: Machine): void => {
    for (const [name, s] of Object.entries(m.States)) {
      out.push(name);
      for (const b of s.Branches ?? []) walk(b);
      if (s.ItemProcessor) walk(s.ItemProcessor);
    }
  };
  for (const d of c.definitions) walk(d.definition as unknown as Machine);
  return out;
}

const examples = new Map(compilePaths(['workflows']).compiled.map((c) => [c.workflow.name, c]));

describe('stateOwners', () => {
  it('GIVEN a workflow with sweep jobs THEN every state of a sweep (its Map, the states around it, each item state) is the job\'s, first and last marked', () => {
    const [c] = compilePaths(['test/fixtures/sweep-job/workflow.yaml']).compiled;
    const o = owners(c);
    expect(o.get('train started')).toStrictEqual({ job: 'train', step: 'sweep', edge: 'first' });
    expect(o.get('train summary')).toStrictEqual({ job: 'train', step: 'sweep', edge: 'last' });
    for (const inner of ['train settings', 'train', 'train tally?', 'train too many failures', 'train launch', 'train wait', 'train exit status', 'train failed (exit status)', 'score run', 'score run failed']) {
      expect(o.get(inner), inner).toMatchObject({ job: inner.split(' ')[0], step: 'sweep' });
      expect(o.get(inner)).not.toHaveProperty('edge');
    }
    // The sweep's failure is the job's own Fail state; its marker is written as for any job.
    expect(o.get('train failed')).toStrictEqual({ job: 'train', step: 'failed' });
    expect(o.get('train done')).toStrictEqual({ job: 'train', step: 'done' });
    expect(o.get('features')).toStrictEqual({ job: 'features', step: 'task' });
    // States of no job: the prologue and the Parallel.
    for (const none of ['Check input', 'Prepare run', 'Parallel (train, score)']) expect(o.has(none), none).toBe(false);
    // Every state but those is owned.
    expect(allStates(c).filter((s) => !o.has(s))).toEqual(['Check input', 'Invalid input', 'Default params', 'Read date', 'Check date', 'Prepare run', 'Parallel (train, score)']);
  });

  it('GIVEN the examples THEN waits say what they wait for, and a data pipeline is its own Task (released by its marker)', () => {
    const ad = owners(examples.get('ad-attribution')!);
    expect(ad.get('attribution waits for installs')).toStrictEqual({ job: 'attribution', step: 'wait', wait: 'in-run', what: 'installs' });
    const finance = owners(examples.get('finance-close')!);
    expect(finance.get('ledger waits for payments')).toMatchObject({ job: 'ledger', step: 'wait', wait: 'external', what: 'payments' });
    const player = owners(examples.get('player-analytics')!);
    expect(player.get('player_entry')).toStrictEqual({ job: 'player_entry', step: 'task' });
    expect(player.has('player_entry finishes')).toBe(false);
    expect(player.has('player_entry clears marker')).toBe(false);
    expect(player.has('player_entry done')).toBe(false);
  });

  it('GIVEN a split workflow THEN the states inside its children are owned too, and the part Tasks are no job\'s', () => {
    const { compiled } = compileWorkflow(randomWorkflow('chain', 1000, 7));
    expect(compiled.definitions.length).toBe(3);
    const o = owners(compiled);
    for (const job of compiled.workflow.jobs) expect(o.get(job.name), job.name).toStrictEqual({ job: job.name, step: 'task' });
    const unowned = allStates(compiled).filter((s) => !o.has(s));
    expect(unowned.filter((s) => /^Part \d+ \(/.test(s))).toHaveLength(2);
    expect(unowned.every((s) => /^(Part \d+|Start part|Check input|Default params|Read date|Check date|Prepare run|Invalid input)/.test(s)), unowned.join(', ')).toBe(true);
  });
});

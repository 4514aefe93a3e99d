// Which job each state of an emitted definition serves, and what for. State names come from
// emit/names.ts (a job's Task is the job's name; helper states are `J <something>`) and, for a
// sweep job, from emit/sweep.ts and emit/sweep-item.ts (its Map stands where the Task would, with
// states around it and inside it). Every reader of a run (the local engine's timeline and
// handlers, `stepgraph status` reading a history) asks this table rather than parsing names, so a
// new state kind is taught here once.
import { writesOwnMarker } from '../kinds/registry.ts';
import { type ExternalMarker, type Workflow, waitLabel } from '../model.ts';
import type { SyncEdge } from '../plan/plan.ts';
import { names } from './names.ts';
import { blockNames } from './sweep.ts';
import { outcomeNames } from './outcomes.ts';
import { poolNames } from './pool.ts';
import { forEachNames } from './for-each.ts';

type StateStep =
  /** `J selected?` and `J skipped`: the replay guard and its skipped path. */
  | { step: 'selected' }
  | { step: 'skipped' }
  /** `J skipped by condition` (its `when` was false), `J not run` (its `run_if` unmet), `J failure handed on` (emit/outcomes.ts). */
  | { step: 'condition_false' }
  | { step: 'not_run' }
  | { step: 'handed_on' }
  /** `J waits for X`: a marker of another producer (external) or of a job of this run (in-run). */
  | { step: 'wait'; wait: 'external' | 'in-run'; what: string; marker?: ExternalMarker }
  /** `J`: the job's own Task (a data pipeline's lasts until its marker appears); `J item`: a for_each job's Task, once per element. */
  | { step: 'task'; item?: true }
  | { step: 'done' }
  | { step: 'signal' }
  /** `J failed`: a sweep job's or a for_each job's Fail state (more items failed than it tolerates). */
  | { step: 'failed' }
  /**
   * A state of a sweep job: `first` (`J started`) is entered when the job starts, `last`
   * (`J summary`) exits when the whole sweep is done; the others (its settings, its Map, the tally
   * after it, every state of an item) are the sweep at work.
   */
  | { step: 'sweep'; edge?: 'first' | 'last' }
  /** `J acquires <pool>` (a callback wait for a slot) and `J releases <pool>`. */
  | { step: 'pool'; edge: 'acquire' | 'release'; pool: string };

export type StateOwner = StateStep & { job: string };

/** The parts of an ASL definition this reads (a Definition, or one with placeholders resolved). */
interface AslState {
  Branches?: readonly AslMachine[];
  ItemProcessor?: AslMachine;
  Iterator?: AslMachine;
}
export interface AslMachine {
  States: Readonly<Record<string, AslState>>;
}

/**
 * Every state of `definitions` (a workflow's main state machine and its children) that serves a
 * job, with the job and its step; states of no job (the prologue, Parallel states, the Tasks
 * that run child state machines) are absent. `sync` is the plan's in-run waits.
 */
export function stateOwners(workflow: Workflow, sync: readonly SyncEdge[], definitions: readonly AslMachine[]): Map<string, StateOwner> {
  const known = new Map<string, StateOwner>();
  const sweeps = new Set<string>();
  for (const job of workflow.jobs) {
    const j = job.name;
    const set = (name: string, step: StateStep): void => void known.set(name, { ...step, job: j });
    set(names.selected(j), { step: 'selected' });
    set(names.skipped(j), { step: 'skipped' });
    // The condition's and the rule's Choices guard the job as the selection does.
    set(outcomeNames.when(j), { step: 'selected' });
    set(outcomeNames.runIf(j), { step: 'selected' });
    set(outcomeNames.conditionFalse(j), { step: 'condition_false' });
    set(outcomeNames.notRun(j), { step: 'not_run' });
    set(outcomeNames.handedOn(j), { step: 'handed_on' });
    for (const m of job.waitsFor) set(names.waitsFor(j, waitLabel(m)), { step: 'wait', wait: 'external', what: waitLabel(m), marker: m });
    if (!writesOwnMarker(job)) set(names.done(j), { step: 'done' });
    set(names.signals(j), { step: 'signal' });
    set(names.signalsFailure(j), { step: 'signal' });
    if (job.pool !== undefined) {
      set(poolNames.acquires(j, job.pool), { step: 'pool', edge: 'acquire', pool: job.pool });
      set(poolNames.releases(j, job.pool), { step: 'pool', edge: 'release', pool: job.pool });
      set(poolNames.releasesAfterFailure(j, job.pool), { step: 'pool', edge: 'release', pool: job.pool });
    }
    if (job.kind.type === 'sweep') {
      sweeps.add(j);
      for (const name of Object.values(blockNames(j))) set(name, { step: 'sweep' });
      set(blockNames(j).started, { step: 'sweep', edge: 'first' });
      set(blockNames(j).summary, { step: 'sweep', edge: 'last' });
      // After the sweep's names: its `J failed` Fail state is where the sweep job fails.
      set(names.failed(j), { step: 'failed' });
    } else {
      set(names.task(j), { step: 'task' });
      // A for_each job's Map stands where its Task would; the Task runs once per element inside it.
      if (job.forEach) set(forEachNames.item(j), { step: 'task', item: true });
      // A for_each job that tolerates failures fails in its own Fail state when more items failed.
      if (job.forEach?.toleratedFailures) set(names.failed(j), { step: 'failed' });
    }
  }
  for (const edge of sync) known.set(names.waitsFor(edge.job, edge.after), { job: edge.job, step: 'wait', wait: 'in-run', what: edge.after });

  const out = new Map<string, StateOwner>();
  const walk = (machine: AslMachine, inside?: string): void => {
    for (const [name, state] of Object.entries(machine.States)) {
      const owner = inside !== undefined ? { job: inside, step: 'sweep' as const } : known.get(name);
      if (owner) out.set(name, owner);
      for (const branch of state.Branches ?? []) walk(branch, inside);
      const processor = state.ItemProcessor ?? state.Iterator;
      // A sweep job's Map: every state of an item is the sweep's.
      if (processor) walk(processor, inside ?? (owner && sweeps.has(owner.job) ? owner.job : undefined));
    }
  };
  for (const definition of definitions) walk(definition);
  return out;
}

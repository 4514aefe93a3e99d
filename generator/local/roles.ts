// What each state of an emitted definition is for, as the local engine needs it: which Task
// reads a marker, which runs a job, which writes a marker (emit/state-owners.ts says which job
// each state serves); a Task no job owns (a child state machine's start, a future state kind)
// is served generically by its Resource.
import { stateOwners, type StateOwner } from '../emit/state-owners.ts';
import type { ExternalMarker, Workflow } from '../model.ts';
import type { SyncEdge } from '../plan/plan.ts';

export type WaitKind = 'external' | 'in-run';

type TaskRole =
  | { kind: 'job'; job: string }
  /** A callback wait released by the router: `J waits for X`. */
  | { kind: 'wait'; job: string; wait: WaitKind; what: string; marker?: ExternalMarker }
  | { kind: 'marker'; job: string }
  | { kind: 'signal'; job: string }
  /** `J releases <pool>`: a router invocation (its acquire is a callback wait, served as one). */
  | { kind: 'pool-release'; job: string }
  | { kind: 'other' };

export interface TaskState {
  name: string;
  resource: string;
  role: TaskRole;
  timeoutSeconds?: number;
  /** `.sync` integrations record one more history event per attempt (TaskSubmitted). */
  sync: boolean;
  /** A callback (`.waitForTaskToken`) to stepgraph's router or activator: TaskSubmitted too. */
  callback: boolean;
}

/** Non-Task states that say something about a job. */
type JobStateRole = { kind: 'selected' | 'skipped' | 'failed' | 'condition_false' | 'not_run' | 'handed_on'; job: string };

export interface StateIndex {
  tasks: Map<string, TaskState>;
  /** The job every state of the run serves (a sweep job's states included), by state name. */
  owners: Map<string, StateOwner>;
  jobStates: Map<string, JobStateRole>;
  /** Item processors of Map states, by identity (their executions are Map iterations). */
  iterations: WeakSet<object>;
}

interface AslState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Branches?: AslMachine[];
  ItemProcessor?: AslMachine;
  Iterator?: AslMachine;
}
interface AslMachine {
  States: Record<string, AslState>;
}

/** Indexes the Task states of a definition and of its children (a split workflow). */
export function indexStates(workflow: Workflow, sync: readonly SyncEdge[], definitions: readonly AslMachine[]): StateIndex {
  const owners = stateOwners(workflow, sync, definitions);
  const jobStates = new Map<string, JobStateRole>();
  for (const [name, o] of owners) {
    if (o.step === 'selected' || o.step === 'skipped' || o.step === 'failed' || o.step === 'condition_false' || o.step === 'not_run' || o.step === 'handed_on') jobStates.set(name, { kind: o.step, job: o.job });
  }

  const tasks = new Map<string, TaskState>();
  const iterations = new WeakSet<object>();
  const walk = (machine: AslMachine): void => {
    for (const [name, state] of Object.entries(machine.States)) {
      if (state.Type === 'Task') {
        const resource = state.Resource ?? '';
        tasks.set(name, {
          name,
          resource,
          role: taskRole(owners.get(name)),
          ...(state.TimeoutSeconds !== undefined && { timeoutSeconds: state.TimeoutSeconds }),
          sync: /\.sync(:\d+)?$/.test(resource),
          callback: resource.endsWith('.waitForTaskToken'),
        });
      }
      for (const branch of state.Branches ?? []) walk(branch);
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) {
        iterations.add(processor);
        walk(processor);
      }
    }
  };
  for (const definition of definitions) walk(definition);
  return { tasks, owners, jobStates, iterations };
}

function taskRole(owner: StateOwner | undefined): TaskRole {
  switch (owner?.step) {
    case 'task':
      return { kind: 'job', job: owner.job };
    case 'wait':
      return { kind: 'wait', job: owner.job, wait: owner.wait, what: owner.what, ...(owner.marker && { marker: owner.marker }) };
    case 'done':
      return { kind: 'marker', job: owner.job };
    case 'signal':
      return { kind: 'signal', job: owner.job };
    case 'pool':
      return owner.edge === 'release' ? { kind: 'pool-release', job: owner.job } : { kind: 'other' };
    default:
      // A sweep's own Tasks are served by the sweep's local implementations (sweep/local.ts).
      return { kind: 'other' };
  }
}

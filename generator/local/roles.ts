// What each state of an emitted definition is for. State names are derived from job names by
// emit/names.ts, so the workflow (and its plan's in-run waits) tells exactly which Task reads a
// marker, which runs a job, which writes a marker; a Task the table does not know (a future
// state kind) is served generically by its Resource.
import { names } from '../emit/names.ts';
import type { ExternalMarker, Workflow } from '../model.ts';
import type { SyncEdge } from '../plan/plan.ts';

export type WaitKind = 'external' | 'in-run' | 'pipeline';

export type TaskRole =
  | { kind: 'job'; job: string }
  /** A marker read retried until the object exists: `J waits for X`, `J finishes`. */
  | { kind: 'wait'; job: string; wait: WaitKind; what: string; marker?: ExternalMarker }
  | { kind: 'clear'; job: string }
  | { kind: 'marker'; job: string }
  | { kind: 'signal'; job: string }
  | { kind: 'other' };

export interface TaskState {
  name: string;
  resource: string;
  role: TaskRole;
  timeoutSeconds?: number;
  /** `.sync` integrations record one more history event per attempt (TaskSubmitted). */
  sync: boolean;
}

/** Non-Task states that say something about a job. */
export type JobStateRole =
  | { kind: 'selected' | 'skipped' | 'failed'; job: string }
  | { kind: 'wait-failed'; job: string; what: string };

export interface StateIndex {
  tasks: Map<string, TaskState>;
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
  const known = new Map<string, TaskRole>();
  const jobStates = new Map<string, JobStateRole>();
  for (const job of workflow.jobs) {
    const j = job.name;
    known.set(names.task(j), { kind: 'job', job: j });
    for (const m of job.waitsFor) known.set(names.waitsFor(j, m.marker), { kind: 'wait', job: j, wait: 'external', what: m.marker, marker: m });
    known.set(names.finishes(j), { kind: 'wait', job: j, wait: 'pipeline', what: j });
    known.set(names.clearsMarker(j), { kind: 'clear', job: j });
    known.set(names.done(j), { kind: 'marker', job: j });
    known.set(names.signals(j), { kind: 'signal', job: j });
    jobStates.set(names.selected(j), { kind: 'selected', job: j });
    jobStates.set(names.skipped(j), { kind: 'skipped', job: j });
    jobStates.set(names.failed(j), { kind: 'failed', job: j });
    for (const m of job.waitsFor) jobStates.set(names.waitFailed(j, m.marker), { kind: 'wait-failed', job: j, what: m.marker });
  }
  for (const edge of sync) {
    known.set(names.waitsFor(edge.job, edge.after), { kind: 'wait', job: edge.job, wait: 'in-run', what: edge.after });
    jobStates.set(names.waitFailed(edge.job, edge.after), { kind: 'wait-failed', job: edge.job, what: edge.after });
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
          role: known.get(name) ?? { kind: 'other' },
          ...(state.TimeoutSeconds !== undefined && { timeoutSeconds: state.TimeoutSeconds }),
          sync: /\.sync(:\d+)?$/.test(resource),
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
  return { tasks, jobStates, iterations };
}

// How far a for_each job's items got, read from an execution's history. An inline Map records
// MapStateEntered (the job's name), MapStateStarted (`length`: the item count) and, per item,
// MapIterationStarted then MapIterationSucceeded, MapIterationFailed or MapIterationAborted (each
// naming the Map and the item's index). Under `tolerated_failures` an item's failure is caught
// inside its iteration, which then succeeds: its `J item failed` state, entered in the same
// history, is what says the item failed. A Map entered again (a redrive, a replay's run) starts
// the count anew.
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { toleranceNames } from '../emit/for-each-tolerance.ts';
import type { Workflow } from '../model.ts';

export interface ItemProgress {
  /** The list's length, once the Map has started. */
  items?: number;
  started: number;
  succeeded: number;
  failed: number;
  /** Started and not yet ended (aborted items, cut short by the Map's failure, are not counted). */
  running: number;
  /** `2` or `10%`, for a job with tolerated_failures. */
  tolerated?: string;
}

interface Count {
  items?: number;
  started: number;
  succeeded: number;
  failed: number;
  aborted: number;
  caught: number;
}

/** The items of each for_each job the history reached, by job. */
export function itemProgress(events: readonly HistoryEvent[], workflow: Workflow): Map<string, ItemProgress> {
  const jobs = new Map(workflow.jobs.filter((j) => j.forEach).map((j) => [j.name, j]));
  const caughtIn = new Map([...jobs.keys()].map((j) => [toleranceNames(j).itemFailed, j]));
  const counts = new Map<string, Count>();
  const entered = new Map<number, string>();
  for (const e of events) {
    const name = e.stateEnteredEventDetails?.name;
    if (e.type === 'MapStateEntered' && name !== undefined && jobs.has(name)) {
      counts.set(name, { started: 0, succeeded: 0, failed: 0, aborted: 0, caught: 0 });
      if (e.id !== undefined) entered.set(e.id, name);
      continue;
    }
    if (e.type === 'MapStateStarted') {
      const job = entered.get(e.previousEventId ?? -1);
      const count = job && counts.get(job);
      if (count) count.items = e.mapStateStartedEventDetails?.length;
      continue;
    }
    const caught = name !== undefined ? caughtIn.get(name) : undefined;
    if (caught && e.type === 'PassStateEntered') {
      const count = counts.get(caught);
      if (count) count.caught += 1;
      continue;
    }
    const iteration = e.mapIterationStartedEventDetails ?? e.mapIterationSucceededEventDetails ?? e.mapIterationFailedEventDetails ?? e.mapIterationAbortedEventDetails;
    const count = iteration?.name !== undefined ? counts.get(iteration.name) : undefined;
    if (!count) continue;
    if (e.type === 'MapIterationStarted') count.started += 1;
    else if (e.type === 'MapIterationSucceeded') count.succeeded += 1;
    else if (e.type === 'MapIterationFailed') count.failed += 1;
    else if (e.type === 'MapIterationAborted') count.aborted += 1;
  }
  const out = new Map<string, ItemProgress>();
  for (const [job, c] of counts) {
    const tolerance = jobs.get(job)!.forEach!.toleratedFailures;
    // A caught item's iteration succeeds after its `J item failed`: it failed.
    const succeeded = Math.max(0, c.succeeded - c.caught);
    const failed = c.failed + c.caught;
    out.set(job, {
      ...(c.items !== undefined && { items: c.items }),
      started: c.started,
      succeeded,
      failed,
      running: Math.max(0, c.started - c.succeeded - c.failed - c.aborted),
      ...(tolerance && { tolerated: 'count' in tolerance ? String(tolerance.count) : `${tolerance.percent}%` }),
    });
  }
  return out;
}

/** `10 items: 9 succeeded, 1 failed (10% tolerated)`, as status shows it beside the job. */
export function itemsText(p: ItemProgress): string {
  const parts = [`${p.succeeded} succeeded`, ...(p.failed > 0 ? [`${p.failed} failed`] : []), ...(p.running > 0 ? [`${p.running} running`] : [])];
  const left = p.items !== undefined ? p.items - p.started : 0;
  if (left > 0) parts.push(`${left} not started`);
  return `${p.items ?? p.started} items: ${parts.join(', ')}${p.tolerated ? ` (${p.tolerated} tolerated)` : ''}`;
}

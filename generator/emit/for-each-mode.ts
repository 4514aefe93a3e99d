// Whether a for_each job's Map runs inline or distributed, decided as a sweep's is (sweep/plan.ts)
// but from what is known at compile time: the list's length is known only at run time, so its
// declared bound (`max_items`) stands for it.
// - `map: inline | distributed` forces the mode;
// - an inline Map runs at most 40 iterations at a time: a higher max_concurrent needs a
//   Distributed Map;
// - an inline Map's iterations all land in the run's history (25,000 events): when max_items
//   iterations, counted per state as emit/limits.ts counts them, would take more than the
//   sweep's budget of it (20,000), the items run as child executions, each with its own history.
// Without max_items and without either reason the Map stays inline (check/for-each-size.ts warns
// when its items could fill the history).
import type { Job } from '../model.ts';
import type { States } from './job.ts';
import { historyOfStates } from './limits.ts';

export type ForEachMode = 'inline' | 'distributed';

const INLINE_CONCURRENCY = 40;
const HISTORY_BUDGET = 20_000;

/** The mode of the job's Map; `processor` is the inline Map's processor (StartAt and States). */
export function forEachMode(job: Job, processor: { StartAt: string; States: States }): ForEachMode {
  const forEach = job.forEach!;
  if (forEach.map) return forEach.map;
  if ((forEach.maxConcurrent ?? 0) > INLINE_CONCURRENCY) return 'distributed';
  if (forEach.maxItems === undefined) return 'inline';
  // MapStateEntered/Started/Succeeded/Exited, and per iteration its two events around its states.
  const events = 4 + forEach.maxItems * (2 + historyOfStates(processor.StartAt, processor.States));
  return events > HISTORY_BUDGET ? 'distributed' : 'inline';
}

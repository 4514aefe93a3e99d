// The outcome records (`$.outcomes`, emit/outcomes.ts) across the parts of a split graph
// (plan/split.ts, emit/parts.ts). A child gets the parent's whole state data, records included,
// and its `Start part` keeps them; its jobs add theirs, and the child ends with all of them in its
// output. The parent's Task reads them back from the child's Output (`startExecution.sync:2` gives
// the Output as JSON, `.sync` as a string): since the child started from the parent's records and
// only adds its own jobs' (each job runs in exactly one machine), its records are the parent's
// merged with the child's, and they replace `$.outcomes` as a Parallel's merged branches do.
//
// A child never fails for a failure handed on (it has no `Any job failed?`): it ends successfully
// with the failed record, and only the main machine ends the run in `Run failed`.
import type { State } from './job.ts';

/** Where a part's Task puts its result: nowhere, or the child's records at `$.outcomes`. */
export function partResult(tracking: boolean): State {
  if (!tracking) return { ResultPath: null };
  return { ResultSelector: { 'jobs.$': '$.Output.outcomes.jobs' }, ResultPath: '$.outcomes' };
}

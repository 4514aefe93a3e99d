// A pool job's slot (contract/pools.ts): `J acquires <pool>` before the job's Task, a callback wait
// whose subject is the pool and whose TimeoutSeconds is how long the job may wait for a slot, and
// `J releases <pool>` right after it. A failure of J is not caught: the run fails in J and its end
// event gives the slot back (and keeps it for a redrive), so redrive still continues in J. The one
// exception is a guarded job (emit/outcomes.ts): its failure is handed on and the run goes on, so
// the slot goes back at once through `J releases <pool> after failure` before `J failure handed on`.
import type { PoolReleaseRequest, PoolSubject } from '../contract/pools.ts';
import { RELEASED_AFTER_FAILURE } from '../contract/run-failure.ts';
import type { Job, Pool, Workflow } from '../model.ts';
import { stateName } from './names.ts';
import { callbackWait, lambdaRetry, ROUTER_FUNCTION, type State } from './waits.ts';

export const poolNames = {
  acquires: (job: string, pool: string) => stateName(`${job} acquires ${pool}`),
  releases: (job: string, pool: string) => stateName(`${job} releases ${pool}`),
  /** A guarded job's failure on its way to `J failure handed on` (the run goes on without the slot). */
  releasesAfterFailure: (job: string, pool: string) => stateName(`${job} releases ${pool}${RELEASED_AFTER_FAILURE}`),
};

/** A slot outlives the job's worst case (every attempt timing out, every retry pause) by this much. */
const LEASE_GRACE_SECONDS = 3600;

/** How long a job may hold its slot before the pool takes it back (a lost end event costs that). */
function leaseSeconds(job: Job): number {
  let retries = 0;
  for (let k = 0; k < job.retry.attempts; k++) retries += job.retry.intervalSeconds * job.retry.backoff ** k;
  return Math.ceil(job.timeoutSeconds * (job.retry.attempts + 1) + retries) + LEASE_GRACE_SECONDS;
}

export const poolOf = (workflow: Workflow, job: Job): Pool | undefined => (job.pool === undefined ? undefined : workflow.pools?.find((p) => p.name === job.pool));

export function acquireState(workflow: Workflow, job: Job, pool: Pool): [string, State] {
  const name = poolNames.acquires(job.name, pool.name);
  const subject: PoolSubject = { kind: 'pool', pool: pool.name, slots: pool.slots, workflow: workflow.name, job: job.name, leaseSeconds: leaseSeconds(job) };
  return [name, callbackWait(name, { ...subject }, { seconds: pool.timeoutSeconds })];
}

export function releaseState(job: Job, pool: Pool): [string, State] {
  return [poolNames.releases(job.name, pool.name), releaseTask(job, pool)];
}

function releaseTask(job: Job, pool: Pool): State {
  const payload: State = { action: 'pool_release' satisfies PoolReleaseRequest['action'], pool: pool.name, 'execution.$': '$$.Execution.Id', job: job.name };
  return { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: ROUTER_FUNCTION, Payload: payload }, ResultPath: null, Retry: [lambdaRetry] };
}

/**
 * A guarded pool job: the Catch of every state that holds the slot (between `J acquires` and
 * `J releases`) goes to `J releases <pool> after failure`, then on to where it went (`J failure
 * handed on`). Its ResultPath null keeps the caught error for that Pass. A failed acquire holds no
 * slot and a failed `J releases` gave it back (or the run's end will): they keep their Catch as it is.
 */
export function releaseBeforeHandOn(job: Job, pool: Pool, chain: readonly string[], handedOn: string, states: Record<string, State>): void {
  const from = chain.indexOf(poolNames.acquires(job.name, pool.name));
  const to = chain.indexOf(poolNames.releases(job.name, pool.name));
  const release = poolNames.releasesAfterFailure(job.name, pool.name);
  let used = false;
  for (const name of chain.slice(from + 1, to)) {
    const catches = states[name].Catch as { Next: string }[] | undefined;
    if (!catches?.some((c) => c.Next === handedOn)) continue;
    states[name] = { ...states[name], Catch: catches.map((c) => (c.Next === handedOn ? { ...c, Next: release } : c)) };
    used = true;
  }
  // Should the release itself fail, the job's failure is still the one handed on (ResultPath null
  // keeps it); the run's end gives the slot back then.
  if (used) states[release] = { ...releaseTask(job, pool), Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: handedOn }], Next: handedOn };
}

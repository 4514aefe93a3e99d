// A pool job's slot (contract/pools.ts): `J acquires <pool>` before the job's Task, a callback wait
// whose subject is the pool and whose TimeoutSeconds is how long the job may wait for a slot, and
// `J releases <pool>` right after it. A failure of J is not caught: the run fails in J and its end
// event gives the slot back (and keeps it for a redrive), so redrive still continues in J.
import type { PoolReleaseRequest, PoolSubject } from '../contract/pools.ts';
import type { Job, Pool, Workflow } from '../model.ts';
import { stateName } from './names.ts';
import { callbackWait, lambdaRetry, ROUTER_FUNCTION, type State } from './waits.ts';

export const poolNames = {
  acquires: (job: string, pool: string) => stateName(`${job} acquires ${pool}`),
  releases: (job: string, pool: string) => stateName(`${job} releases ${pool}`),
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
  const payload: State = { action: 'pool_release' satisfies PoolReleaseRequest['action'], pool: pool.name, 'execution.$': '$$.Execution.Id', job: job.name };
  return [
    poolNames.releases(job.name, pool.name),
    { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: ROUTER_FUNCTION, Payload: payload }, ResultPath: null, Retry: [lambdaRetry] },
  ];
}

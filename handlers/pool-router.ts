// The router's pool side (generator/contract/pools.ts): `J acquires <pool>` registrations and
// `J releases <pool>` calls from the state machines, Step Functions' "Execution Status Change"
// events of the workflow's own machines (a run's end gives back what it holds; a redrive takes
// back what it held when it failed) and the backstop's look at leases. Configured by POOL_TABLE
// (the shared table of the stepgraph-pools stack) and POOLS (`<pool>=<slots>,...`: the pools
// this workflow declares, the only ones its role may touch).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { acquireSlot, poolBackstop, releaseSlot, runEnded, runRedriven, type PoolDeps, type PoolReleaseRequest, type PoolSubject } from '../generator/contract/pools.ts';
import type { WaitRequest } from '../generator/contract/waits.ts';
import { ConfigurationError } from './errors.ts';
import { log } from './log.ts';
import { DynamoPoolStore } from './pool-store.ts';
import { SfnReleaser } from './releaser.ts';

export interface PoolConfig {
  table: string;
  /** Pool -> slots, as the workflow declares them. */
  pools: Map<string, number>;
}

/** POOL_TABLE and POOLS, or undefined for a workflow without pools. */
export function poolConfig(env: NodeJS.ProcessEnv): PoolConfig | undefined {
  const table = env.POOL_TABLE;
  if (table === undefined || table === '') return undefined;
  const pools = new Map<string, number>();
  for (const part of (env.POOLS ?? '').split(',').filter((p) => p !== '')) {
    const [name, slots] = part.split('=');
    if (!name || !/^[1-9]\d*$/.test(slots ?? '')) throw new ConfigurationError(`POOLS has '${part}', not '<pool>=<slots>'`);
    pools.set(name, Number(slots));
  }
  if (pools.size === 0) throw new ConfigurationError('POOL_TABLE is set but POOLS names no pool');
  return { table, pools };
}

export interface PoolRouterDeps {
  deps: PoolDeps;
  pools: Map<string, number>;
}

export function awsPoolDeps(config: PoolConfig, clients: { dynamodb: DynamoDBClient; sfn: SFNClient }, now: () => number = Date.now): PoolRouterDeps {
  const releaser = new SfnReleaser(clients.sfn);
  return {
    pools: config.pools,
    deps: {
      store: new DynamoPoolStore(clients.dynamodb, config.table),
      // SendTaskSuccess to whichever workflow's run waits first: infra grants it on the machines
      // of every workflow that shares a pool with this one.
      granter: { grant: (waiter) => releaser.release(waiter.token, { pool: waiter.pool, holder: waiter.holder }) },
      now,
    },
  };
}

export type PoolOutcome =
  | { outcome: 'slot granted' | 'slot queued'; pool: string; job: string }
  | { outcome: 'slot released'; pool: string; job: string; held: boolean }
  | { outcome: 'run ended'; execution: string; status: string; freed: number }
  | { outcome: 'run redriven'; execution: string; restored: number; over: number };

export async function acquire(request: WaitRequest & { subject: PoolSubject }, pools: PoolRouterDeps | undefined): Promise<PoolOutcome> {
  const known = requirePool(request.subject.pool, pools);
  const outcome = await acquireSlot(request, known.deps);
  log.info(outcome === 'granted' ? 'pool slot granted at once' : 'pool slot queued', { pool: request.subject.pool, job: request.subject.job, execution: request.execution });
  return { outcome: outcome === 'granted' ? 'slot granted' : 'slot queued', pool: request.subject.pool, job: request.subject.job };
}

export async function release(request: PoolReleaseRequest, pools: PoolRouterDeps | undefined): Promise<PoolOutcome> {
  const known = requirePool(request.pool, pools);
  const held = await releaseSlot(request, known.deps);
  // A slot already given back (the lease passed, a repeated call) is not an error: the job is done.
  log.info(held ? 'pool slot released' : 'pool slot was not held', { pool: request.pool, job: request.job, execution: request.execution });
  return { outcome: 'slot released', pool: request.pool, job: request.job, held };
}

/** Step Functions' Execution Status Change of one of the workflow's machines. */
export async function executionStatusChanged(detail: { executionArn: string; status: string; redriveCount: number }, pools: PoolRouterDeps): Promise<PoolOutcome | undefined> {
  if (detail.status === 'RUNNING') {
    if (detail.redriveCount < 1) return undefined;
    const { restored, over } = await runRedriven(detail.executionArn, pools.pools, pools.deps);
    if (over > 0) log.warn('a redriven run took back its pool slots over the pool size: its jobs were already running again', { execution: detail.executionArn, over });
    return { outcome: 'run redriven', execution: detail.executionArn, restored, over };
  }
  if (!ENDED.includes(detail.status)) return undefined;
  const freed = await runEnded(detail.executionArn, detail.status, [...pools.pools.keys()], pools.deps);
  if (freed > 0) log.info('pool slots given back at the run end', { execution: detail.executionArn, status: detail.status, freed });
  return { outcome: 'run ended', execution: detail.executionArn, status: detail.status, freed };
}

export const backstopPools = (pools: PoolRouterDeps): Promise<number> => poolBackstop([...pools.pools.keys()], pools.deps);

const ENDED = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

/** The source and detail type of Step Functions' status-change events. */
export const EXECUTION_STATUS_EVENT = { source: 'aws.states', detailType: 'Step Functions Execution Status Change' } as const;

function requirePool(pool: string, pools: PoolRouterDeps | undefined): PoolRouterDeps {
  // A state machine naming a pool its stack was not deployed with: fail its Task at once, by name.
  if (!pools?.pools.has(pool)) throw new ConfigurationError(`pool '${pool}' is not one this router was deployed with (POOLS): redeploy the workflow's stack`);
  return pools;
}

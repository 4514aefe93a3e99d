// The router's pools against mocked AWS (the shared table through @aws-sdk/client-dynamodb, Step
// Functions through @aws-sdk/client-sfn): acquires granted at once or queued, releases handing the
// slot to the oldest waiter whatever its workflow, a run's end giving back what it holds (and
// remembering it for a redrive), a redrive taking it back, the backstop taking back a lapsed lease.
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PoolSubject } from '../../generator/contract/pools.ts';
import type { WaitRequest } from '../../generator/contract/waits.ts';
import { ConfigurationError } from '../../handlers/errors.ts';
import { awsPoolDeps, poolConfig } from '../../handlers/pool-router.ts';
import { route, type RouterDeps } from '../../handlers/router.ts';
import { captureLogs, type LogLine } from './logs.ts';
import { fakePoolAws, POOL_TABLE } from './pool-aws.ts';
import { fakeAws, NOW, TABLE } from './wait-aws.ts';
import { awsWaitDeps } from '../../handlers/wait-deps.ts';

const aws = fakeAws();
const pool = fakePoolAws();
const LOADS = 'arn:aws:states:eu-west-1:123456789012:execution:warehouse-loads:warehouse-loads-2019-03-12';
const AUDIT = 'arn:aws:states:eu-west-1:123456789012:execution:warehouse-audit:warehouse-audit-2019-03-12';
let now = NOW;
let deps: RouterDeps;
let logs: LogLine[];

function acquire(execution: string, job: string, workflow = 'warehouse-loads', slots = 2, leaseSeconds = 7200): WaitRequest {
  const subject: PoolSubject = { kind: 'pool', pool: 'warehouse', slots, workflow, job, leaseSeconds };
  return { action: 'wait', subject, token: `token-${job}-${execution.slice(-10)}`, execution, state: `${job} acquires warehouse`, timeoutSeconds: 3600 };
}
const release = (execution: string, job: string) => ({ action: 'pool_release', pool: 'warehouse', execution, job });
const statusChange = (executionArn: string, status: string, redriveCount = 0) => ({
  version: '0',
  id: 'e1',
  'detail-type': 'Step Functions Execution Status Change',
  source: 'aws.states',
  account: '123456789012',
  time: '2019-03-12T03:00:00Z',
  region: 'eu-west-1',
  resources: [executionArn],
  detail: { executionArn, stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:warehouse-loads', status, redriveCount },
});

beforeEach(() => {
  aws.reset();
  pool.reset();
  now = NOW;
  deps = {
    wait: awsWaitDeps(aws.clients, TABLE, { now: () => now }),
    pools: awsPoolDeps({ table: POOL_TABLE, pools: new Map([['warehouse', 2]]) }, pool.clients, () => now),
  };
  logs = [];
  captureLogs(logs);
});
afterEach(() => vi.restoreAllMocks());

describe('router: pools', () => {
  it('grants a free slot at once: one conditional update, then SendTaskSuccess', async () => {
    const outcome = await route(acquire(LOADS, 'load_orders'), deps);
    expect(outcome).toEqual({ outcome: 'slot granted', pool: 'warehouse', job: 'load_orders' });
    expect(pool.released).toEqual([acquire(LOADS, 'load_orders').token]);
    expect(pool.slots('warehouse')).toEqual({ used: 1, holders: [`${LOADS}#load_orders`] });
    expect(pool.entries('warehouse', 'w#')).toEqual([]);
  });

  it('queues when the pool is full, and a release hands the slot to the oldest waiter, of another workflow too', async () => {
    await route(acquire(LOADS, 'a'), deps);
    await route(acquire(LOADS, 'b'), deps);
    now += 1000;
    expect(await route(acquire(AUDIT, 'audit', 'warehouse-audit'), deps)).toMatchObject({ outcome: 'slot queued' });
    now += 1000;
    await route(acquire(LOADS, 'c'), deps);
    expect(pool.released).toHaveLength(2);
    expect(pool.entries('warehouse', 'w#')).toHaveLength(2);

    // WHEN a holder releases
    expect(await route(release(LOADS, 'a'), deps)).toEqual({ outcome: 'slot released', pool: 'warehouse', job: 'a', held: true });

    // THEN the oldest waiter (the other workflow's) runs; the younger one keeps waiting
    expect(pool.released.at(-1)).toBe(acquire(AUDIT, 'audit').token);
    expect(pool.slots('warehouse').holders).toEqual([`${AUDIT}#audit`, `${LOADS}#b`]);
    expect(pool.entries('warehouse', 'w#')).toHaveLength(1);
  });

  it('skips a waiter whose task is gone and gives its slot to the next', async () => {
    await route(acquire(LOADS, 'a', 'warehouse-loads', 1), deps);
    await route(acquire(LOADS, 'b', 'warehouse-loads', 1), deps);
    now += 1000;
    await route(acquire(LOADS, 'c', 'warehouse-loads', 1), deps);
    pool.gone.add(acquire(LOADS, 'b').token);
    await route(release(LOADS, 'a'), deps);
    expect(pool.released).toEqual([acquire(LOADS, 'a').token, acquire(LOADS, 'c').token]);
    expect(pool.slots('warehouse')).toEqual({ used: 1, holders: [`${LOADS}#c`] });
  });

  it("a failed run's end gives its slots back, drops its waiters and remembers the slots for a redrive", async () => {
    await route(acquire(LOADS, 'a'), deps);
    await route(acquire(AUDIT, 'audit', 'warehouse-audit'), deps);
    await route(acquire(LOADS, 'b'), deps);
    expect(await route(statusChange(LOADS, 'FAILED'), deps)).toEqual({ outcome: 'run ended', execution: LOADS, status: 'FAILED', freed: 1 });
    expect(pool.slots('warehouse')).toEqual({ used: 1, holders: [`${AUDIT}#audit`] });
    expect(pool.entries('warehouse', 'w#')).toEqual([]);
    expect(pool.entries('warehouse', 's#')).toEqual([`s#${LOADS}#a`]);
  });

  it('a redrive takes back the slots its run held, over the pool size when it must, and logs it', async () => {
    await route(acquire(LOADS, 'a'), deps);
    await route(statusChange(LOADS, 'FAILED'), deps);
    // A plain start's RUNNING event (redriveCount 0) asks nothing
    expect(await route(statusChange(LOADS, 'RUNNING'), deps)).toMatchObject({ outcome: 'ignored' });
    expect(await route(statusChange(LOADS, 'RUNNING', 1), deps)).toEqual({ outcome: 'run redriven', execution: LOADS, restored: 1, over: 0 });
    expect(pool.slots('warehouse')).toEqual({ used: 1, holders: [`${LOADS}#a`] });
    expect(pool.entries('warehouse', 's#')).toEqual([]);

    // WHEN it fails again, two other jobs take both slots, and it is redriven once more
    await route(statusChange(LOADS, 'FAILED'), deps);
    await route(acquire(AUDIT, 'audit'), deps);
    await route(acquire(AUDIT, 'check'), deps);
    expect(await route(statusChange(LOADS, 'RUNNING', 2), deps)).toEqual({ outcome: 'run redriven', execution: LOADS, restored: 1, over: 1 });

    // THEN it holds its slot over the size (its job already runs again), and nothing new gets in
    expect(pool.slots('warehouse').used).toBe(3);
    expect(logs.some((l) => l.level === 'WARN' && /over the pool size/.test(l.message))).toBe(true);
    expect(await route(acquire(AUDIT, 'late'), deps)).toMatchObject({ outcome: 'slot queued' });
  });

  it('a succeeded run keeps nothing for a redrive; a release after the end is not an error', async () => {
    await route(acquire(LOADS, 'a'), deps);
    await route(statusChange(LOADS, 'SUCCEEDED'), deps);
    expect(pool.entries('warehouse', 's#')).toEqual([]);
    expect(await route(release(LOADS, 'a'), deps)).toEqual({ outcome: 'slot released', pool: 'warehouse', job: 'a', held: false });
  });

  it('the backstop takes back a slot whose lease passed and grants it to the oldest waiter', async () => {
    await route(acquire(LOADS, 'a', 'warehouse-loads', 1, 600), deps);
    await route(acquire(AUDIT, 'audit', 'warehouse-audit', 1), deps);
    aws.mocks.dynamodb.on(ScanCommand).resolves({ Items: [] });
    now += 601 * 1000;
    await route({ action: 'backstop' }, deps);
    expect(pool.slots('warehouse')).toEqual({ used: 1, holders: [`${AUDIT}#audit`] });
    expect(pool.released.at(-1)).toBe(acquire(AUDIT, 'audit').token);
  });

  it("fails the Task at once for a pool the router was not deployed with", async () => {
    const other = acquire(LOADS, 'a');
    await expect(route({ ...other, subject: { ...other.subject, pool: 'lake' } }, deps)).rejects.toThrow(ConfigurationError);
  });
});

describe('router: pool configuration', () => {
  it('reads POOL_TABLE and POOLS; none without POOL_TABLE; refuses a malformed POOLS', () => {
    expect(poolConfig({ POOL_TABLE: 'stepgraph-pools', POOLS: 'warehouse=3,lake=1' })).toEqual({ table: 'stepgraph-pools', pools: new Map([['warehouse', 3], ['lake', 1]]) });
    expect(poolConfig({})).toBeUndefined();
    expect(() => poolConfig({ POOL_TABLE: 't', POOLS: 'warehouse=0' })).toThrow(ConfigurationError);
    expect(() => poolConfig({ POOL_TABLE: 't', POOLS: '' })).toThrow(ConfigurationError);
  });
});

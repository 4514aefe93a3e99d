// Pools (generator/contract/pools.ts) are shared by every workflow of the account and region, so
// their table cannot belong to any one workflow's stack: the stack `stepgraph-pools` owns it,
// under a fixed name every workflow's router finds it by, and a workflow stack whose jobs take
// slots depends on it (`cdk deploy stepgraph-<workflow>` deploys it first). A workflow's router
// gets, from here: its part of the table (only the partitions of the pools it declares), the
// release of whichever run waits first for a shared pool (SendTaskSuccess on the state machines of
// every workflow sharing one of its pools), and the "Execution Status Change" events of its own
// machines (a run's end gives back its slots; a redrive takes them back).
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import type { Manifest } from '../generator/emit/manifest-types.ts';
import { regionalArn } from './arns.ts';
import type { Grant } from './grants.ts';
import type { HandlerFunction } from './handler-function.ts';
import { ttlTable } from './ttl-table.ts';

/** The shared table's name: fixed, so that every workflow's stack finds the same one. */
const POOL_TABLE_NAME = 'stepgraph-pools';
export const POOLS_STACK_NAME = 'stepgraph-pools';

/** What the pool store (handlers/pool-store.ts) does: conditional updates of `#slots`, waiters put, queried and deleted. */
const POOL_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'];

export class PoolsStack extends Stack {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { description: 'stepgraph pools: the semaphores shared by every workflow of this account and region (generated; do not edit)', ...props });
    this.table = ttlTable(this, 'Pools', {
      tableName: POOL_TABLE_NAME,
      partitionKey: 'pool',
      sortKey: 'entry',
      whyNoRecovery:
        "The table holds only live semaphores: who holds a slot now and who waits for one, each with a lease or deadline (TTL removes waiters and suspended slots). A restored copy would hand out slots of jobs long finished; a lost one costs at most a lease, after which the slot is taken back.",
    });
  }
}

/** The workflows (their manifests) that share at least one pool with `manifest`, itself excluded. */
export function poolPeers(manifest: Manifest, all: readonly Manifest[]): Manifest[] {
  const mine = new Set((manifest.pools ?? []).map((p) => p.name));
  return all.filter((m) => m.workflow !== manifest.workflow && (m.pools ?? []).some((p) => mine.has(p.name)));
}

/** The router's environment for pools: the table and the pools it may touch, with their slots. */
export function poolEnvironment(manifest: Manifest): Record<string, string> {
  const pools = manifest.pools ?? [];
  if (pools.length === 0) return {};
  return { POOL_TABLE: POOL_TABLE_NAME, POOLS: pools.map((p) => `${p.name}=${p.slots}`).join(',') };
}

/**
 * The router's grants for pools: the table's items of its own pools only (LeadingKeys), and the
 * release of the runs of the workflows it shares a pool with (its own machines it releases already).
 */
export function poolGrants(manifest: Manifest, peers: readonly Manifest[]): Grant[] {
  const pools = manifest.pools ?? [];
  if (pools.length === 0) return [];
  const machines = [...new Set(peers.flatMap((p) => p.stateMachines.map((m) => m.name)))].sort();
  return [
    {
      actions: POOL_TABLE_ACTIONS,
      resources: [regionalArn('dynamodb', `table/${POOL_TABLE_NAME}`)],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': pools.map((p) => p.name) } },
    },
    ...(machines.length > 0 ? [{ actions: ['states:SendTaskSuccess'], resources: machines.map((m) => regionalArn('states', `stateMachine:${m}`)) }] : []),
  ];
}

/**
 * Step Functions' status changes of the workflow's own machines go to its router: a run's end
 * (succeeded, failed, timed out, aborted) gives back the slots it holds, and a redrive (RUNNING
 * with a redrive count) takes back the ones it held when it failed. Machines by name, as the
 * router knows them (their ARNs would be a dependency cycle).
 */
export function executionStatusRule(scope: Construct, manifest: Manifest, router: HandlerFunction): Rule | undefined {
  if ((manifest.pools ?? []).length === 0) return undefined;
  return new Rule(scope, 'PoolRunEnds', {
    description: `stepgraph ${manifest.workflow}: a run's end gives back its pool slots; a redrive takes them back`,
    eventPattern: {
      source: ['aws.states'],
      detailType: ['Step Functions Execution Status Change'],
      detail: {
        stateMachineArn: manifest.stateMachines.map((m) => regionalArn('states', `stateMachine:${m.name}`)),
        status: ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
      },
    },
    targets: [new LambdaFunction(router.function, { retryAttempts: 8 })],
  });
}

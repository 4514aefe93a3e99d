// `status`'s look at the pools a workflow declares: who holds each slot and who waits, read from
// the shared pool table (contract/pools.ts; handlers/pool-store.ts writes it) with consistent reads,
// through ops/aws.ts. Holders and waiters are named by run and job, never by task token.
import { GetItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Pool } from '../model.ts';
import type { Aws } from './aws.ts';

/** The shared table's name (infra/pools.ts creates it under this name). */
const POOL_TABLE = 'stepgraph-pools';

interface PoolSlotView {
  workflow: string;
  /** The run: the execution's name. */
  run: string;
  job: string;
  /** ISO time: held since / waiting since. */
  since: string;
  /** ISO time: the lease (holders) or the wait's deadline (waiters). */
  until: string;
}

export interface PoolView {
  pool: string;
  slots: number;
  holders: PoolSlotView[];
  waiting: PoolSlotView[];
}

type Item = Record<string, AttributeValue>;

export async function readPools(aws: Aws, pools: readonly Pool[]): Promise<PoolView[]> {
  const out: PoolView[] = [];
  for (const pool of pools) {
    const slots = await aws.call('reading the pool table (GetItem)', () => aws.dynamodb.send(new GetItemCommand({ TableName: POOL_TABLE, Key: { pool: { S: pool.name }, entry: { S: '#slots' } }, ConsistentRead: true })));
    const holders: PoolSlotView[] = [];
    for (const [name, value] of Object.entries(slots.Item ?? {})) {
      if (!name.startsWith('h:') || !value.M) continue;
      holders.push(view(value.M, Number(value.M.since?.N), Number(value.M.expiresAt?.N)));
    }
    const waiting: PoolSlotView[] = [];
    let start: Item | undefined;
    do {
      const page = await aws.call('reading the pool table (Query)', () =>
        aws.dynamodb.send(
          new QueryCommand({
            TableName: POOL_TABLE,
            ConsistentRead: true,
            KeyConditionExpression: '#p = :p AND begins_with(#e, :w)',
            ExpressionAttributeNames: { '#p': 'pool', '#e': 'entry' },
            ExpressionAttributeValues: { ':p': { S: pool.name }, ':w': { S: 'w#' } },
            ...(start && { ExclusiveStartKey: start }),
          }),
        ),
      );
      for (const item of page.Items ?? []) waiting.push(view(item, Math.floor(Number(item.entry?.S?.slice(2, 17)) / 1000), Number(item.deadline?.N)));
      start = page.LastEvaluatedKey;
    } while (start);
    out.push({ pool: pool.name, slots: pool.slots, holders: holders.sort((a, b) => (a.since < b.since ? -1 : 1)), waiting });
  }
  return out;
}

function view(m: Item, since: number, until: number): PoolSlotView {
  const execution = m.execution?.S ?? '';
  return { workflow: m.workflow?.S ?? '?', run: execution.slice(execution.lastIndexOf(':') + 1), job: m.job?.S ?? '?', since: iso(since), until: iso(until) };
}

const iso = (seconds: number): string => (Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString().replace('.000Z', 'Z') : '?');

/** `status`'s lines for the pools. */
export function renderPools(pools: readonly PoolView[]): string[] {
  const lines: string[] = [];
  for (const p of pools) {
    lines.push(`pool ${p.pool}: ${p.holders.length} of ${p.slots} slot${p.slots === 1 ? '' : 's'} held${p.waiting.length > 0 ? `, ${p.waiting.length} waiting` : ''}`);
    for (const h of p.holders) lines.push(`  held by ${h.workflow} ${h.run} ${h.job} since ${h.since} (lease until ${h.until})`);
    for (const w of p.waiting) lines.push(`  waiting: ${w.workflow} ${w.run} ${w.job} since ${w.since} (gives up at ${w.until})`);
  }
  return lines;
}

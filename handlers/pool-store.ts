// The pool store in AWS (generator/contract/pools.ts: PoolStore): one DynamoDB table shared by
// every workflow of the account and region (the `stepgraph-pools` stack's), partition key `pool`,
// sort key `entry`:
// - `#slots`: the semaphore, `used` (a number) and one attribute `h:<holder>` per holder (a map:
//   workflow, execution, job, since, expiresAt). A slot is taken with one conditional
//   UpdateItem (the holder is absent and `used < slots`), the standard Step Functions semaphore;
// - `w#<registered at>#<holder>`: a queued waiter, read in sort-key order (first come, first served);
// - `s#<holder>`: a slot a failed run held, kept for its redrive.
// Waiters and suspended slots expire by TTL (`expiresAt`); the `#slots` item has no such attribute.
// Every read is strongly consistent: the contract's race-freedom needs a read to see every write
// that finished before it.
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { PoolHolder, PoolStore, PoolWaiter, TakeOutcome } from '../generator/contract/pools.ts';
import { log } from './log.ts';
import { queryAll, type Item } from './dynamo-query.ts';


const SLOTS = '#slots';
const HOLDER = 'h:';
const WAITER = 'w#';
const SUSPENDED = 's#';

export class DynamoPoolStore implements PoolStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async take(pool: string, holder: PoolHolder, slots: number): Promise<TakeOutcome> {
    const bounded = Number.isFinite(slots);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: slotsKey(pool),
          UpdateExpression: 'SET #h = :h ADD #used :one',
          ConditionExpression: bounded ? 'attribute_not_exists(#h) AND (attribute_not_exists(#used) OR #used < :slots)' : 'attribute_not_exists(#h)',
          ExpressionAttributeNames: { '#h': HOLDER + holder.holder, '#used': 'used' },
          ExpressionAttributeValues: { ':h': { M: holderMap(holder) }, ':one': { N: '1' }, ...(bounded && { ':slots': { N: String(slots) } }) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'acquired';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return error.Item?.[HOLDER + holder.holder] ? 'held' : 'full';
    }
  }

  give(pool: string, holder: string): Promise<boolean> {
    return this.remove(pool, holder);
  }

  reclaim(pool: string, holder: string, expiresAt: number): Promise<boolean> {
    return this.remove(pool, holder, expiresAt);
  }

  private async remove(pool: string, holder: string, expiresAt?: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: slotsKey(pool),
          UpdateExpression: 'REMOVE #h ADD #used :minus',
          ConditionExpression: expiresAt === undefined ? 'attribute_exists(#h)' : 'attribute_exists(#h) AND #h.#e = :e',
          ExpressionAttributeNames: { '#h': HOLDER + holder, '#used': 'used', ...(expiresAt !== undefined && { '#e': 'expiresAt' }) },
          ExpressionAttributeValues: { ':minus': { N: '-1' }, ...(expiresAt !== undefined && { ':e': { N: String(expiresAt) } }) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async holders(pool: string): Promise<PoolHolder[]> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.table, Key: slotsKey(pool), ConsistentRead: true }));
    const holders: PoolHolder[] = [];
    for (const [name, value] of Object.entries(out.Item ?? {})) {
      if (!name.startsWith(HOLDER)) continue;
      const holder = fromHolderMap(name.slice(HOLDER.length), value.M ?? {});
      if (holder) holders.push(holder);
      else log.warn('unreadable pool holder skipped', { pool, holder: name });
    }
    return holders.sort((a, b) => a.since - b.since || (a.holder < b.holder ? -1 : 1));
  }

  async putWaiter(waiter: PoolWaiter): Promise<void> {
    const item: Item = {
      pool: { S: waiter.pool },
      entry: { S: WAITER + waiter.waiter },
      ...holderMap({ holder: waiter.holder, workflow: waiter.workflow, execution: waiter.execution, job: waiter.job, since: 0, expiresAt: waiter.expiresAt }),
      token: { S: waiter.token },
      slots: { N: String(waiter.slots) },
      leaseSeconds: { N: String(waiter.leaseSeconds) },
      deadline: { N: String(waiter.deadline) },
    };
    delete item.since;
    await this.client.send(new PutItemCommand({ TableName: this.table, Item: item }));
  }

  async deleteWaiter(pool: string, waiter: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.table, Key: { pool: { S: pool }, entry: { S: WAITER + waiter } } }));
  }

  async waiters(pool: string): Promise<PoolWaiter[]> {
    const waiters: PoolWaiter[] = [];
    for (const item of await this.query(pool, WAITER)) {
      const waiter = fromWaiterItem(pool, item);
      if (waiter) waiters.push(waiter);
      else log.warn('unreadable pool waiter skipped', { pool, entry: item.entry?.S });
    }
    return waiters;
  }

  async suspend(pool: string, holder: PoolHolder, expiresAt: number): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.table,
        Item: { pool: { S: pool }, entry: { S: SUSPENDED + holder.holder }, held: { M: holderMap(holder) }, execution: { S: holder.execution }, expiresAt: { N: String(expiresAt) } },
      }),
    );
  }

  async takeSuspended(pool: string, execution: string): Promise<PoolHolder[]> {
    const out: PoolHolder[] = [];
    for (const item of await this.query(pool, SUSPENDED)) {
      if (item.execution?.S !== execution) continue;
      // Deleted with its old value returned: of two routers taking it at once, one gets it.
      const deleted = await this.client.send(new DeleteItemCommand({ TableName: this.table, Key: { pool: { S: pool }, entry: item.entry }, ReturnValues: 'ALL_OLD' }));
      const holder = deleted.Attributes && fromHolderMap(item.entry!.S!.slice(SUSPENDED.length), deleted.Attributes.held?.M ?? {});
      if (holder) out.push(holder);
    }
    return out;
  }

  private query(pool: string, prefix: string): Promise<Item[]> {
    return queryAll(this.client, {
      TableName: this.table,
      ConsistentRead: true,
      KeyConditionExpression: '#p = :p AND begins_with(#e, :prefix)',
      ExpressionAttributeNames: { '#p': 'pool', '#e': 'entry' },
      ExpressionAttributeValues: { ':p': { S: pool }, ':prefix': { S: prefix } },
    });
  }
}

const slotsKey = (pool: string): Item => ({ pool: { S: pool }, entry: { S: SLOTS } });

function holderMap(h: PoolHolder): Item {
  return {
    workflow: { S: h.workflow },
    execution: { S: h.execution },
    job: { S: h.job },
    since: { N: String(h.since) },
    expiresAt: { N: String(h.expiresAt) },
  };
}

function fromHolderMap(holder: string, m: Item): PoolHolder | undefined {
  const since = Number(m.since?.N);
  const expiresAt = Number(m.expiresAt?.N);
  const { workflow, execution, job } = { workflow: m.workflow?.S, execution: m.execution?.S, job: m.job?.S };
  if (!workflow || !execution || !job || !Number.isFinite(since) || !Number.isFinite(expiresAt)) return undefined;
  return { holder, workflow, execution, job, since, expiresAt };
}

function fromWaiterItem(pool: string, item: Item): PoolWaiter | undefined {
  const waiter = item.entry?.S?.slice(WAITER.length);
  const holder = waiter?.slice(waiter.indexOf('#') + 1);
  const numbers = { slots: Number(item.slots?.N), leaseSeconds: Number(item.leaseSeconds?.N), deadline: Number(item.deadline?.N), expiresAt: Number(item.expiresAt?.N) };
  const text = { workflow: item.workflow?.S, execution: item.execution?.S, job: item.job?.S, token: item.token?.S };
  if (!waiter || !holder || !text.workflow || !text.execution || !text.job || !text.token || !Object.values(numbers).every(Number.isFinite)) return undefined;
  return { pool, waiter, holder, workflow: text.workflow, execution: text.execution, job: text.job, token: text.token, ...numbers };
}

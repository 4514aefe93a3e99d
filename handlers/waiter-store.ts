// The waiter store of the router in AWS: one DynamoDB table per stack, partition key `subject`,
// sort key `waiter`, TTL attribute `expiresAt` (generator/contract/waits.ts: WaiterStore). Every
// read is strongly consistent: the race-freedom argument of the contract (register-then-look
// against satisfy-then-read) holds only if a read sees every write that finished before it.
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { parseSubject, SIGNALLED, type SubjectOutcome, type WaiterRecord, type WaiterStore, type WaitSubject } from '../generator/contract/waits.ts';
import { log } from './log.ts';
import { queryAll, type Item } from './dynamo-query.ts';


export class DynamoWaiterStore implements WaiterStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async put(record: WaiterRecord): Promise<void> {
    await this.client.send(new PutItemCommand({ TableName: this.table, Item: toItem(record) }));
  }

  async delete(subject: string, waiter: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.table, Key: { subject: { S: subject }, waiter: { S: waiter } } }));
  }

  async waitersOf(subject: string): Promise<WaiterRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      ConsistentRead: true,
      KeyConditionExpression: '#s = :s',
      // The signal's own record shares the partition; it is not a waiter.
      FilterExpression: '#w <> :signalled',
      ExpressionAttributeNames: { '#s': 'subject', '#w': 'waiter' },
      ExpressionAttributeValues: { ':s': { S: subject }, ':signalled': { S: SIGNALLED } },
    });
    const records: WaiterRecord[] = [];
    for (const item of items) pushRecord(records, item);
    return records;
  }

  async *allWaiters(): AsyncIterable<WaiterRecord> {
    let start: Item | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.table,
          ConsistentRead: true,
          FilterExpression: '#w <> :signalled',
          ExpressionAttributeNames: { '#w': 'waiter' },
          ExpressionAttributeValues: { ':signalled': { S: SIGNALLED } },
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      const records: WaiterRecord[] = [];
      for (const item of page.Items ?? []) pushRecord(records, item);
      yield* records;
      start = page.LastEvaluatedKey;
    } while (start);
  }

  async signal(subject: string, expiresAt: number): Promise<void> {
    await this.client.send(
      new PutItemCommand({ TableName: this.table, Item: { subject: { S: subject }, waiter: { S: SIGNALLED }, expiresAt: { N: String(expiresAt) } } }),
    );
  }

  async isSignalled(subject: string): Promise<boolean> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        ConsistentRead: true,
        Key: { subject: { S: subject }, waiter: { S: SIGNALLED } },
        ProjectionExpression: '#s',
        ExpressionAttributeNames: { '#s': 'subject' },
      }),
    );
    return out.Item !== undefined;
  }

  /** The outcome goes in the subject's own record (sort key SIGNALLED), beside its waiters. */
  async settle(subject: string, outcome: SubjectOutcome, expiresAt: number): Promise<void> {
    const item: Item = { subject: { S: subject }, waiter: { S: SIGNALLED }, expiresAt: { N: String(expiresAt) }, outcome: { S: outcome.ok ? 'succeeded' : 'failed' } };
    if (!outcome.ok) Object.assign(item, { error: { S: outcome.error }, cause: { S: outcome.cause } });
    await this.client.send(new PutItemCommand({ TableName: this.table, Item: item }));
  }

  async settled(subject: string): Promise<SubjectOutcome | undefined> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        ConsistentRead: true,
        Key: { subject: { S: subject }, waiter: { S: SIGNALLED } },
        ProjectionExpression: '#o, #e, #c',
        ExpressionAttributeNames: { '#o': 'outcome', '#e': 'error', '#c': 'cause' },
      }),
    );
    const outcome = out.Item?.outcome?.S;
    if (outcome === 'succeeded') return { ok: true };
    if (outcome === 'failed') return { ok: false, error: out.Item?.error?.S ?? 'stepgraph.Failed', cause: out.Item?.cause?.S ?? '' };
    return undefined;
  }
}

/** The subject's detail is kept as a map of strings, readable in the console. */
export function toItem(record: WaiterRecord): Item {
  const detail: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(record.detail)) detail[name] = { S: value };
  return {
    subject: { S: record.subject },
    waiter: { S: record.waiter },
    token: { S: record.token },
    detail: { M: detail },
    deadline: { N: String(record.deadline) },
    expiresAt: { N: String(record.expiresAt) },
  };
}

/** undefined for an item this code did not write (or wrote in an older shape). */
export function fromItem(item: Item): WaiterRecord | undefined {
  const detail: Record<string, unknown> = Object.create(null);
  for (const [name, value] of Object.entries(item.detail?.M ?? {})) detail[name] = value.S;
  const subject = parseSubject(detail) as WaitSubject | undefined;
  const deadline = Number(item.deadline?.N);
  const expiresAt = Number(item.expiresAt?.N);
  if (!item.subject?.S || !item.waiter?.S || !item.token?.S || !subject || !Number.isFinite(deadline) || !Number.isFinite(expiresAt)) return undefined;
  return { subject: item.subject.S, waiter: item.waiter.S, token: item.token.S, detail: subject, deadline, expiresAt };
}

function pushRecord(records: WaiterRecord[], item: Item): void {
  const record = fromItem(item);
  if (record) records.push(record);
  // Left for the TTL to remove: nothing can release a record without a token or subject.
  else log.warn('unreadable waiter record skipped', { subject: item.subject?.S, waiter: item.waiter?.S });
}

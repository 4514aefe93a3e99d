// The shared pool table and Step Functions behind aws-sdk-client-mock, for the router's pool tests:
// a DynamoDB table that answers the calls handlers/pool-store.ts makes, evaluating its two
// conditional updates as DynamoDB would (a take: the holder absent and `used` below the slots; a
// give: the holder present, with the lease given) and refusing reads that are not strongly
// consistent; and Step Functions tasks that are waiting, or gone (TaskTimedOut).
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
type Item = Record<string, AttributeValue>;
export const POOL_TABLE = 'stepgraph-pools';

export function fakePoolAws() {
  const dynamodb = new DynamoDBClient({ region: 'eu-west-1', credentials });
  const sfn = new SFNClient({ region: 'eu-west-1', credentials });
  const mocks = { dynamodb: mockClient(dynamodb), sfn: mockClient(sfn) };
  const table = new Map<string, Item>();
  const gone = new Set<string>();
  const released: string[] = [];
  const key = (k: Item | undefined) => `${k?.pool?.S}\u0000${k?.entry?.S}`;
  const failed = (item: Item | undefined) => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, ...(item && { Item: item }) });

  const reset = () => {
    table.clear();
    gone.clear();
    released.length = 0;
    mocks.dynamodb.reset();
    mocks.sfn.reset();
    mocks.dynamodb.on(PutItemCommand).callsFake((input) => void table.set(key(input.Item), structuredClone(input.Item)));
    mocks.dynamodb.on(DeleteItemCommand).callsFake((input) => {
      const old = table.get(key(input.Key));
      table.delete(key(input.Key));
      return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: old } : {};
    });
    mocks.dynamodb.on(GetItemCommand).callsFake((input) => {
      if (input.ConsistentRead !== true) throw new Error('the pool store must read consistently');
      const item = table.get(key(input.Key));
      return item ? { Item: structuredClone(item) } : {};
    });
    mocks.dynamodb.on(QueryCommand).callsFake((input) => {
      if (input.ConsistentRead !== true) throw new Error('the pool store must query consistently');
      const pool = input.ExpressionAttributeValues[':p'].S;
      const prefix = input.ExpressionAttributeValues[':prefix'].S;
      const items = [...table.values()].filter((i) => i.pool.S === pool && i.entry.S!.startsWith(prefix)).sort((a, b) => (a.entry.S! < b.entry.S! ? -1 : 1));
      return { Items: items.map((i) => structuredClone(i)) };
    });
    mocks.dynamodb.on(ScanCommand).rejects(new Error('the pool store never scans'));
    mocks.dynamodb.on(UpdateItemCommand).callsFake((input) => {
      const k = key(input.Key);
      const item: Item = table.get(k) ?? structuredClone(input.Key);
      const h = input.ExpressionAttributeNames['#h'];
      const used = Number(item.used?.N ?? 0);
      if (input.UpdateExpression === 'SET #h = :h ADD #used :one') {
        const slots = input.ExpressionAttributeValues[':slots']?.N;
        if (item[h] || (slots !== undefined && used >= Number(slots))) throw failed(input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? table.get(k) : undefined);
        item[h] = input.ExpressionAttributeValues[':h'];
        item.used = { N: String(used + 1) };
      } else if (input.UpdateExpression === 'REMOVE #h ADD #used :minus') {
        const lease = input.ExpressionAttributeValues[':e']?.N;
        if (!item[h] || (lease !== undefined && item[h].M?.expiresAt?.N !== lease)) throw failed(undefined);
        delete item[h];
        item.used = { N: String(used - 1) };
      } else throw new Error(`unexpected update ${input.UpdateExpression}`);
      table.set(k, item);
      return {};
    });
    mocks.sfn.on(SendTaskSuccessCommand).callsFake((input) => {
      if (gone.has(input.taskToken)) throw new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} });
      released.push(input.taskToken);
      return {};
    });
  };
  reset();

  /** The `#slots` item of a pool: its count and holders' ids. */
  const slots = (pool: string) => {
    const item = table.get(`${pool}\u0000#slots`);
    return { used: Number(item?.used?.N ?? 0), holders: Object.keys(item ?? {}).filter((a) => a.startsWith('h:')).map((a) => a.slice(2)).sort() };
  };
  const entries = (pool: string, prefix: string) => [...table.values()].filter((i) => i.pool.S === pool && i.entry.S!.startsWith(prefix)).map((i) => i.entry.S!);
  return { clients: { dynamodb, sfn }, mocks, table, gone, released, reset, slots, entries };
}

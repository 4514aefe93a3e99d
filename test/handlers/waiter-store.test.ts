// The DynamoDB waiter store's item shape and reads, against aws-sdk-client-mock.
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WaiterRecord } from '../../generator/contract/waits.ts';
import { DynamoWaiterStore, fromItem, toItem } from '../../handlers/waiter-store.ts';

const client = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const mock = mockClient(client);
const store = new DynamoWaiterStore(client, 'waiters');

const record: WaiterRecord = {
  subject: 'ec2://us-east-1/i-0abc',
  waiter: 'arn:exec#item 3 runs',
  token: 'tok',
  detail: { kind: 'instance', region: 'us-east-1', instanceId: 'i-0abc' },
  deadline: 1552363200,
  expiresAt: 1552366800,
};

describe('DynamoDB waiter store', () => {
  let warnings: string[];
  beforeEach(() => {
    mock.reset();
    warnings = [];
    vi.spyOn(console, 'warn').mockImplementation((line: string) => void warnings.push(line));
  });
  afterEach(() => vi.restoreAllMocks());

  it('reads back what it writes', () => {
    expect(fromItem(toItem(record))).toEqual(record);
  });

  it('skips, with a warning, items it cannot read instead of failing every release of the subject', async () => {
    mock.on(QueryCommand).resolves({
      Items: [toItem(record), { subject: { S: record.subject }, waiter: { S: 'broken' } }, { ...toItem(record), detail: { M: { kind: { S: 'tape' } } } }],
    });

    expect(await store.waitersOf(record.subject)).toEqual([record]);
    expect(warnings).toHaveLength(2);
  });

  it('asks for a signal with a consistent GetItem of its own record', async () => {
    mock.on(GetItemCommand).resolves({ Item: { subject: { S: 'run://r/j' } } });

    expect(await store.isSignalled('run://r/j')).toBe(true);
    expect(mock.commandCalls(GetItemCommand)[0].args[0].input).toMatchObject({
      TableName: 'waiters',
      ConsistentRead: true,
      Key: { subject: { S: 'run://r/j' }, waiter: { S: '#signalled' } },
    });
    mock.on(GetItemCommand).resolves({});
    expect(await store.isSignalled('run://r/j')).toBe(false);
  });
});

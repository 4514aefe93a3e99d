// `status` shows who holds the slots of the workflow's pools and who waits, read from the shared
// pool table through ops/aws.ts (DynamoDB mocked at the API boundary).
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { readPools, renderPools } from '../../generator/ops/pools.ts';
import { execArn, testAws } from './support.ts';

const dynamodb = mockClient(DynamoDBClient);
afterEach(() => dynamodb.reset());

const T = Date.UTC(2019, 2, 12, 3) / 1000;
const holder = (workflow: string, run: string, job: string, since: number) => ({
  M: { workflow: { S: workflow }, execution: { S: execArn(run, workflow) }, job: { S: job }, since: { N: String(since) }, expiresAt: { N: String(since + 7200) } },
});

describe('status: pools', () => {
  it('reads the holders and the queue consistently and names them by run and job', async () => {
    // GIVEN a full two-slot pool with one waiter, the second holder from another workflow
    dynamodb.on(GetItemCommand).resolves({
      Item: {
        pool: { S: 'warehouse' },
        entry: { S: '#slots' },
        used: { N: '2' },
        [`h:${execArn('warehouse-audit-2019-03-12', 'warehouse-audit')}#audit`]: holder('warehouse-audit', 'warehouse-audit-2019-03-12', 'audit', T + 60),
        [`h:${execArn('warehouse-loads-2019-03-12', 'warehouse-loads')}#load_orders`]: holder('warehouse-loads', 'warehouse-loads-2019-03-12', 'load_orders', T),
      },
    });
    dynamodb.on(QueryCommand).resolves({
      Items: [
        {
          pool: { S: 'warehouse' },
          entry: { S: `w#${String((T + 120) * 1000).padStart(15, '0')}#x` },
          workflow: { S: 'warehouse-loads' },
          execution: { S: execArn('warehouse-loads-2019-03-11', 'warehouse-loads') },
          job: { S: 'load_customers' },
          token: { S: 'secret-token' },
          deadline: { N: String(T + 120 + 21600) },
        },
      ],
    });

    // WHEN status reads the pool
    const pools = await readPools(await testAws(), [{ name: 'warehouse', slots: 2, timeoutSeconds: 21600 }]);

    // THEN every read was consistent, and the lines name runs and jobs, oldest holder first, never a token
    expect(dynamodb.commandCalls(GetItemCommand)[0].args[0].input).toMatchObject({ TableName: 'stepgraph-pools', ConsistentRead: true, Key: { pool: { S: 'warehouse' }, entry: { S: '#slots' } } });
    expect(dynamodb.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({ ConsistentRead: true, ExpressionAttributeValues: { ':p': { S: 'warehouse' }, ':w': { S: 'w#' } } });
    expect(renderPools(pools)).toEqual([
      'pool warehouse: 2 of 2 slots held, 1 waiting',
      '  held by warehouse-loads warehouse-loads-2019-03-12 load_orders since 2019-03-12T03:00:00Z (lease until 2019-03-12T05:00:00Z)',
      '  held by warehouse-audit warehouse-audit-2019-03-12 audit since 2019-03-12T03:01:00Z (lease until 2019-03-12T05:01:00Z)',
      '  waiting: warehouse-loads warehouse-loads-2019-03-11 load_customers since 2019-03-12T03:02:00Z (gives up at 2019-03-12T09:02:00Z)',
    ]);
    expect(JSON.stringify(pools)).not.toContain('secret-token');
  });

  it('an unused pool reads as empty', async () => {
    dynamodb.on(GetItemCommand).resolves({});
    dynamodb.on(QueryCommand).resolves({ Items: [] });
    const pools = await readPools(await testAws(), [{ name: 'lake', slots: 1, timeoutSeconds: 60 }]);
    expect(renderPools(pools)).toEqual(['pool lake: 0 of 1 slot held']);
  });
});

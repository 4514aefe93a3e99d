// AWS for the wait handlers' tests, behind aws-sdk-client-mock: a DynamoDB table that answers the
// five calls the waiter store makes (and checks they are made the consistent way), a bucket that
// holds a set of keys, EC2 instances in two regions, and Step Functions tasks that are waiting,
// timed out, or released. Tests assert on what these fakes end up holding and on the calls.
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import { DeleteObjectCommand, HeadObjectCommand, NotFound, S3Client } from '@aws-sdk/client-s3';
import { InvalidToken, SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { SIGNALLED } from '../../generator/contract/waits.ts';
import type { WaitClients } from '../../handlers/wait-deps.ts';

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
type Item = Record<string, AttributeValue>;

export const TABLE = 'stepgraph-waiters';
/** 2019-03-12T03:00:00Z, in epoch ms. */
export const NOW = Date.UTC(2019, 2, 12, 3);

export function fakeAws() {
  const dynamodb = new DynamoDBClient({ region: 'eu-west-1', credentials });
  const s3 = new S3Client({ region: 'eu-west-1', credentials });
  const sfn = new SFNClient({ region: 'eu-west-1', credentials });
  const ec2: Record<string, EC2Client> = {
    'eu-west-1': new EC2Client({ region: 'eu-west-1', credentials }),
    'us-east-1': new EC2Client({ region: 'us-east-1', credentials }),
  };
  const mocks = {
    dynamodb: mockClient(dynamodb),
    s3: mockClient(s3),
    sfn: mockClient(sfn),
    ec2: { 'eu-west-1': mockClient(ec2['eu-west-1']), 'us-east-1': mockClient(ec2['us-east-1']) },
  };
  const clients: WaitClients = {
    dynamodb,
    s3,
    sfn,
    ec2For: (region) => {
      if (!Object.hasOwn(ec2, region)) throw new Error(`no EC2 client for ${region} in this test`);
      return ec2[region];
    },
  };

  /** The table: `${subject}\u0000${waiter}` -> item. */
  const table = new Map<string, Item>();
  /** Keys present in the buckets: `${bucket}/${key}`. */
  const objects = new Set<string>();
  /** Instance id -> state name (absent: InvalidInstanceID.NotFound). */
  const instances = new Map<string, string>();
  /** Tokens Step Functions answers TaskTimedOut / InvalidToken for. */
  const timedOut = new Set<string>();
  const finished = new Set<string>();
  /** Tokens released, in order. */
  const released: string[] = [];
  /** Tokens failed (SendTaskFailure), in order, with their error and cause. */
  const failed: { token: string; error: string; cause: string }[] = [];
  /** Page size of Query and Scan answers, small so that paging is exercised. */
  const pageSize = 2;

  const id = (subject: string, waiter: string) => `${subject}\u0000${waiter}`;
  const page = (items: Item[], start: Item | undefined) => {
    // Like DynamoDB, carry on after the start key even when that item was deleted meanwhile.
    const after = start ? id(start.subject.S!, start.waiter.S!) : undefined;
    const next = items.findIndex((i) => after === undefined || id(i.subject.S!, i.waiter.S!) > after);
    const from = next === -1 ? items.length : next;
    const slice = items.slice(from, from + pageSize);
    const last = from + pageSize < items.length ? { subject: slice.at(-1)!.subject, waiter: slice.at(-1)!.waiter } : undefined;
    return { Items: slice, ...(last && { LastEvaluatedKey: last }) };
  };
  const notSignal = (i: Item) => i.waiter.S !== SIGNALLED;
  const sorted = () => [...table.values()].sort((a, b) => (id(a.subject.S!, a.waiter.S!) < id(b.subject.S!, b.waiter.S!) ? -1 : 1));

  function install(): void {
    mocks.dynamodb.on(PutItemCommand).callsFake((input) => {
      table.set(id(input.Item.subject.S, input.Item.waiter.S), input.Item);
      return {};
    });
    mocks.dynamodb.on(DeleteItemCommand).callsFake((input) => {
      table.delete(id(input.Key.subject.S, input.Key.waiter.S));
      return {};
    });
    mocks.dynamodb.on(GetItemCommand).callsFake((input) => {
      if (input.ConsistentRead !== true) throw new Error('GetItem without ConsistentRead');
      const item = table.get(id(input.Key.subject.S, input.Key.waiter.S));
      if (!item) return {};
      // The projection's attributes only, as DynamoDB answers.
      const names = String(input.ProjectionExpression).split(',').map((n) => input.ExpressionAttributeNames[n.trim()]);
      return { Item: Object.fromEntries(names.filter((n) => item[n] !== undefined).map((n) => [n, item[n]])) };
    });
    mocks.dynamodb.on(QueryCommand).callsFake((input) => {
      if (input.ConsistentRead !== true) throw new Error('Query without ConsistentRead');
      if (input.KeyConditionExpression !== '#s = :s' || input.FilterExpression !== '#w <> :signalled') throw new Error('unexpected Query');
      const subject = input.ExpressionAttributeValues[':s'].S;
      return page(sorted().filter((i) => i.subject.S === subject && notSignal(i)), input.ExclusiveStartKey);
    });
    mocks.dynamodb.on(ScanCommand).callsFake((input) => {
      if (input.ConsistentRead !== true) throw new Error('Scan without ConsistentRead');
      if (input.FilterExpression !== '#w <> :signalled') throw new Error('unexpected Scan');
      return page(sorted().filter(notSignal), input.ExclusiveStartKey);
    });
    mocks.s3.on(HeadObjectCommand).callsFake((input) => {
      if (objects.has(`${input.Bucket}/${input.Key}`)) return {};
      throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
    });
    mocks.s3.on(DeleteObjectCommand).callsFake((input) => {
      objects.delete(`${input.Bucket}/${input.Key}`);
      return {};
    });
    mocks.sfn.on(SendTaskSuccessCommand).callsFake((input) => {
      if (timedOut.has(input.taskToken)) throw new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} });
      if (finished.has(input.taskToken)) throw new InvalidToken({ message: 'Invalid token', $metadata: {} });
      finished.add(input.taskToken);
      released.push(input.taskToken);
      return {};
    });
    mocks.sfn.on(SendTaskFailureCommand).callsFake((input) => {
      if (timedOut.has(input.taskToken)) throw new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} });
      if (finished.has(input.taskToken)) throw new InvalidToken({ message: 'Invalid token', $metadata: {} });
      finished.add(input.taskToken);
      failed.push({ token: input.taskToken, error: input.error, cause: input.cause });
      return {};
    });
    for (const mock of Object.values(mocks.ec2)) {
      mock.on(DescribeInstancesCommand).callsFake((input) => {
        const instanceId = input.InstanceIds[0];
        const state = instances.get(instanceId);
        if (state === undefined) {
          throw new EC2ServiceException({ name: 'InvalidInstanceID.NotFound', $fault: 'client', message: `The instance ID '${instanceId}' does not exist`, $metadata: {} });
        }
        return { Reservations: [{ Instances: [{ InstanceId: instanceId, State: { Name: state } }] }] };
      });
    }
  }

  function reset(): void {
    for (const mock of [mocks.dynamodb, mocks.s3, mocks.sfn, ...Object.values(mocks.ec2)]) mock.reset();
    table.clear();
    objects.clear();
    instances.clear();
    timedOut.clear();
    finished.clear();
    released.length = 0;
    failed.length = 0;
    install();
  }

  /** Waiter items (not signals) left in the table, as `subject waiter`. */
  const waiters = () => sorted().filter(notSignal).map((i) => `${i.subject.S} ${i.waiter.S}`);

  return { clients, mocks, table, objects, instances, timedOut, released, failed, waiters, reset };
}

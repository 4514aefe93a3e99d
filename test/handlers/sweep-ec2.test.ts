import {
  DescribeInstancesCommand,
  DescribeTagsCommand,
  EC2Client,
  EC2ServiceException,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callEc2, clientFor, handler, RegionNotAllowed, UnknownEc2Action } from '../../handlers/sweep-ec2.ts';
import { InvalidEventError } from '../../handlers/errors.ts';

// Every EC2Client (one per region in the handler's cache) goes through this mock.
const mock = mockClient(EC2Client);
const regions = ['eu-west-1', 'us-east-1', 'us-west-2'];
const deps = { clientFor, regions };

describe('the cross-region EC2 handler of sweeps', () => {
  beforeEach(() => mock.reset());
  afterEach(() => {
    delete process.env.REGIONS;
  });

  it("launches in the item's region with the input as given and returns the response without SDK metadata", async () => {
    // Prepare
    const launchTime = new Date('2024-06-01T10:00:00Z');
    mock.on(RunInstancesCommand).resolves({ $metadata: { httpStatusCode: 200 }, Instances: [{ InstanceId: 'i-0abc', LaunchTime: launchTime }] });
    const input = { ImageId: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64', InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 };

    // Act
    const response = await callEc2({ region: 'us-west-2', action: 'runInstances', input }, deps);

    // Assess
    expect(response).toEqual({ Instances: [{ InstanceId: 'i-0abc', LaunchTime: launchTime }] });
    const [call] = mock.commandCalls(RunInstancesCommand);
    expect(call.args[0].input).toEqual(input);
    expect(await call.thisValue.config.region()).toBe('us-west-2');
    // The Task reads `$.Payload.Instances[0].LaunchTime`: Lambda serializes the Date as ISO text.
    expect(JSON.parse(JSON.stringify(response))).toEqual({ Instances: [{ InstanceId: 'i-0abc', LaunchTime: '2024-06-01T10:00:00.000Z' }] });
  });

  it('makes each of the calls an item makes, to the region it names', async () => {
    // Prepare
    mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ State: { Name: 'running' } }] }] });
    mock.on(TerminateInstancesCommand).resolves({ TerminatingInstances: [{ InstanceId: 'i-1' }] });
    mock.on(DescribeTagsCommand).resolves({ Tags: [{ Key: 'stepgraph:exit-status', Value: '0' }] });

    // Act
    const described = await callEc2({ region: 'eu-west-1', action: 'describeInstances', input: { InstanceIds: ['i-1'] } }, deps);
    const terminated = await callEc2({ region: 'us-east-1', action: 'terminateInstances', input: { InstanceIds: ['i-1'] } }, deps);
    const tags = await callEc2({ region: 'eu-west-1', action: 'describeTags', input: { Filters: [{ Name: 'resource-id', Values: ['i-1'] }] } }, deps);

    // Assess
    expect(described).toEqual({ Reservations: [{ Instances: [{ State: { Name: 'running' } }] }] });
    expect(terminated).toEqual({ TerminatingInstances: [{ InstanceId: 'i-1' }] });
    expect(tags).toEqual({ Tags: [{ Key: 'stepgraph:exit-status', Value: '0' }] });
    expect(await mock.commandCalls(TerminateInstancesCommand)[0].thisValue.config.region()).toBe('us-east-1');
    expect(mock.commandCalls(DescribeTagsCommand)[0].args[0].input).toEqual({ Filters: [{ Name: 'resource-id', Values: ['i-1'] }] });
  });

  it('keeps one client per region for the life of the container', () => {
    expect(clientFor('eu-west-1')).toBe(clientFor('eu-west-1'));
    expect(clientFor('eu-west-1')).not.toBe(clientFor('us-east-1'));
  });

  it("passes EC2's errors through with their names, for the Task's Retry and Catch", async () => {
    // Prepare
    mock.on(RunInstancesCommand).rejects(new EC2ServiceException({ name: 'InsufficientInstanceCapacity', message: 'no capacity', $fault: 'server', $metadata: {} }));

    // Act / Assess
    await expect(callEc2({ region: 'us-east-1', action: 'runInstances', input: {} }, deps)).rejects.toMatchObject({ name: 'InsufficientInstanceCapacity', message: 'no capacity' });
  });

  it('refuses an action an item never makes, a region the sweep does not name, and a malformed event, before calling EC2', async () => {
    await expect(callEc2({ region: 'us-east-1', action: 'createVpc', input: {} }, deps)).rejects.toThrow(UnknownEc2Action);
    await expect(callEc2({ region: 'us-east-1', action: 'toString', input: {} }, deps)).rejects.toThrow(/'toString' is not one of runInstances, describeInstances, describeTags, terminateInstances/);
    await expect(callEc2({ region: 'ap-south-1', action: 'runInstances', input: {} }, deps)).rejects.toThrow(RegionNotAllowed);
    await expect(callEc2({ region: 'us-east-1', action: 'runInstances' } as never, deps)).rejects.toThrow(InvalidEventError);
    expect(mock.calls()).toEqual([]);
  });

  it('reads the allowed regions from REGIONS, and says so when the stack did not set it', async () => {
    // Prepare
    mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });

    // Act / Assess
    await expect(handler({ region: 'us-east-1', action: 'describeInstances', input: {} })).rejects.toThrow(/environment variable REGIONS is not set/);
    process.env.REGIONS = 'us-east-1,us-west-2';
    await expect(handler({ region: 'us-west-2', action: 'describeInstances', input: { InstanceIds: ['i-2'] } })).resolves.toEqual({ Reservations: [] });
    await expect(handler({ region: 'eu-west-1', action: 'describeInstances', input: {} })).rejects.toThrow(/'eu-west-1' is not one of this sweep's regions \(us-east-1, us-west-2\)/);
  });
});

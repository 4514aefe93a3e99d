import { ListStateMachinesCommand, SFNServiceException } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../generator/errors.ts';
import { AwsError, connect } from '../../generator/ops/aws.ts';
import { findStateMachineArn } from '../../generator/ops/state-machine.ts';
import { mocks, testAws } from './support.ts';

const throttled = (): SFNServiceException =>
  new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });

describe('AWS calls', () => {
  const { sfn } = mocks();
  beforeEach(() => sfn.reset());

  it('retries a throttled call with growing pauses, then succeeds', async () => {
    // GIVEN two throttled answers before the real one
    sfn
      .on(ListStateMachinesCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(new SFNServiceException({ name: 'TooManyRequestsException', $fault: 'client', $metadata: {}, message: 'slow down' }))
      .resolvesOnce({ stateMachines: [{ name: 'player-analytics', stateMachineArn: 'arn:sm', type: 'STANDARD', creationDate: new Date() }] });
    const sleeps: number[] = [];

    // WHEN
    const arn = await findStateMachineArn(await testAws(sleeps), 'player-analytics');

    // THEN three calls, two pauses, the second longer
    expect(arn).toBe('arn:sm');
    expect(sfn.commandCalls(ListStateMachinesCommand)).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]).toBeGreaterThan(sleeps[0]);
  });

  it('gives up after the attempts with a clear message, not a stack', async () => {
    sfn.on(ListStateMachinesCommand).rejects(throttled());
    const sleeps: number[] = [];

    const failure = findStateMachineArn(await testAws(sleeps), 'player-analytics');

    await expect(failure).rejects.toBeInstanceOf(UserError);
    await expect(failure).rejects.toThrow(/^AWS kept throttling ListStateMachines \(8 attempts over \d+s\); wait a minute and try again/);
    expect(sfn.commandCalls(ListStateMachinesCommand)).toHaveLength(8);
  });

  it('explains missing credentials in one line', async () => {
    sfn.on(ListStateMachinesCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));

    await expect(findStateMachineArn(await testAws(), 'x')).rejects.toThrow(
      'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile <name>',
    );
  });

  it('turns other AWS answers into an AwsError that names the call and keeps the code', async () => {
    sfn.on(ListStateMachinesCommand).rejects(new SFNServiceException({ name: 'InvalidToken', $fault: 'client', $metadata: {}, message: 'bad token' }));

    const failure = findStateMachineArn(await testAws(), 'x');

    await expect(failure).rejects.toBeInstanceOf(AwsError);
    await expect(failure).rejects.toMatchObject({ code: 'InvalidToken', message: 'AWS ListStateMachines failed: InvalidToken: bad token' });
  });

  it('finds the state machine on a later page, and suggests a near name when none matches', async () => {
    sfn
      .on(ListStateMachinesCommand)
      .resolvesOnce({ stateMachines: [{ name: 'other', stateMachineArn: 'arn:other', type: 'STANDARD', creationDate: new Date() }], nextToken: 'p2' })
      .resolvesOnce({ stateMachines: [{ name: 'player-analytics', stateMachineArn: 'arn:pa', type: 'STANDARD', creationDate: new Date() }] });
    const aws = await testAws();
    expect(await findStateMachineArn(aws, 'player-analytics')).toBe('arn:pa');
    expect(sfn.commandCalls(ListStateMachinesCommand)[1].args[0].input.nextToken).toBe('p2');

    sfn.reset();
    sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [{ name: 'player-analytics', stateMachineArn: 'arn:pa', type: 'STANDARD', creationDate: new Date() }] });
    await expect(findStateMachineArn(aws, 'player-analytic')).rejects.toThrow("no state machine named 'player-analytic' in eu-west-1; did you mean 'player-analytics'?");
    await expect(findStateMachineArn(aws, 'finance-close')).rejects.toThrow('deploy it with `npx cdk deploy stepgraph-finance-close`');
  });
});

describe('region', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('explains a missing region in one line', async () => {
    // GIVEN no region anywhere in the chain
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    delete process.env.AWS_PROFILE;
    process.env.AWS_CONFIG_FILE = '/nonexistent/config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';

    await expect(connect({})).rejects.toThrow('no AWS region: pass --region (e.g. --region eu-west-1), or set AWS_REGION');
  });

  it('takes the region of --region, and of AWS_REGION without it', async () => {
    expect((await connect({ region: 'us-east-2' })).region).toBe('us-east-2');
    process.env.AWS_REGION = 'ap-southeast-1';
    expect((await connect({})).region).toBe('ap-southeast-1');
  });

  it('sets AWS_PROFILE for --profile so the default chain reads that profile', async () => {
    await connect({ region: 'eu-west-1', profile: 'analytics' });
    expect(process.env.AWS_PROFILE).toBe('analytics');
  });
});

// The AWS side of the wait contract in one place, for every handler that registers or releases
// waiters (the router, the data pipeline activator): DynamoDB keeps the waiters, S3 and EC2 say
// whether a subject is satisfied, Step Functions takes the release.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { WaitDeps } from '../generator/contract/waits.ts';
import { required } from './config.ts';
import { SfnReleaser } from './releaser.ts';
import { AwsSubjectProbe, type ProbeDeps } from './subject-probe.ts';
import { DynamoWaiterStore } from './waiter-store.ts';

export interface WaitClients {
  dynamodb: DynamoDBClient;
  s3: S3Client;
  ec2For: (region: string) => EC2Client;
  sfn: SFNClient;
  /** Stacks with `sagemaker_pipeline` jobs: whether their executions have ended. */
  sagemaker?: SageMakerClient;
}

export interface WaitOptions {
  /** Epoch milliseconds (tests pin it). */
  now?: () => number;
  /** How long "instance not found" is doubted (tests make it instant). */
  notFound?: Pick<ProbeDeps, 'notFoundRetriesMs' | 'sleep'>;
}

export function awsWaitDeps(clients: WaitClients, table: string, options: WaitOptions = {}): WaitDeps {
  return {
    store: new DynamoWaiterStore(clients.dynamodb, table),
    probe: new AwsSubjectProbe({ s3: clients.s3, ec2For: clients.ec2For, ...(clients.sagemaker && { sagemaker: clients.sagemaker }), ...options.notFound }),
    releaser: new SfnReleaser(clients.sfn),
    now: options.now ?? Date.now,
  };
}

/** The waiter table's name (WAITER_TABLE). */
export const waiterTable = (env: NodeJS.ProcessEnv): string => required(env, 'WAITER_TABLE');

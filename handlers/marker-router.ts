// The Lambda entry of the workflow's router (handlers/router.ts): wait registrations and signals
// from the state machine, the backstop schedule, S3 "Object Created", EC2 state-change and SageMaker
// pipeline execution status-change events.
// The file keeps its name: infra bundles it as the marker router's entry.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SFNClient } from '@aws-sdk/client-sfn';
import { route, routerConfig, routerDeps, type RouterDeps, type RouterOutcome } from './router.ts';
import { perRegion } from './subject-probe.ts';

// A wait may name a marker in a bucket of another region (an external producer's).
const s3 = new S3Client({ followRegionRedirects: true });
const sfn = new SFNClient({});
const dynamodb = new DynamoDBClient({});
const ec2For = perRegion((region) => new EC2Client({ region }));
const sagemaker = new SageMakerClient({});
let deps: RouterDeps | undefined;

export const handler = async (event: unknown): Promise<RouterOutcome> =>
  route(event, (deps ??= routerDeps(routerConfig(process.env), { s3, sfn, dynamodb, ec2For, sagemaker })));

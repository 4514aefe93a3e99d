// ARNs of the things a workflow names, as IAM resources. Names become ARNs in the stack's own
// account and region (tokens, so stacks stay environment-agnostic); ARNs are used as written.
import { Aws } from 'aws-cdk-lib';

export const bucketArn = (bucket: string): string => `arn:${Aws.PARTITION}:s3:::${bucket}`;

/** Objects matching an S3 key pattern (`done/revenue__*.done`) in a bucket. */
export const objectArn = (bucket: string, keyPattern: string): string => `${bucketArn(bucket)}/${keyPattern}`;

export const regionalArn = (service: string, resource: string): string => `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;

/** A Secrets Manager secret by name or ARN. By name, IAM must allow the 6-character suffix AWS appends. */
export const secretArn = (nameOrArn: string): string =>
  nameOrArn.startsWith('arn:') ? nameOrArn : regionalArn('secretsmanager', `secret:${nameOrArn}-??????`);

// ARNs of the things a workflow names, as IAM resources. Names become ARNs in the stack's own
// account and region (tokens, so stacks stay environment-agnostic); ARNs are used as written.
import { Aws } from 'aws-cdk-lib';

export const lambdaArn = (nameOrArn: string): string =>
  nameOrArn.startsWith('arn:') ? nameOrArn : `arn:${Aws.PARTITION}:lambda:${Aws.REGION}:${Aws.ACCOUNT_ID}:function:${nameOrArn}`;

export const bucketArn = (bucket: string): string => `arn:${Aws.PARTITION}:s3:::${bucket}`;

/** Objects matching an S3 key pattern (`done/revenue__*.done`) in a bucket. */
export const objectArn = (bucket: string, keyPattern: string): string => `${bucketArn(bucket)}/${keyPattern}`;

/** Executions of a state machine: arn:...:stateMachine:name -> arn:...:execution:name:* */
export const executionsArn = (stateMachineArn: string): string => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:*`;

/** The managed rule Step Functions uses to learn that a `.sync` child execution finished. */
export const syncRuleArn = (rule: string): string => `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${rule}`;

export const regionalArn = (service: string, resource: string): string => `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;

/** A Secrets Manager secret by name or ARN. By name, IAM must allow the 6-character suffix AWS appends. */
export const secretArn = (nameOrArn: string): string =>
  nameOrArn.startsWith('arn:') ? nameOrArn : regionalArn('secretsmanager', `secret:${nameOrArn}-??????`);

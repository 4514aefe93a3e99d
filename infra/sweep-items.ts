// The items file a distributed sweep's Map reads when a run names none: a sweep started with `{}`
// (the console, a schedule), and every run of a distributed sweep job inside a workflow. The file
// travels as a CDK asset (a 10,000-item sweep is megabytes, far past what a template or a
// custom resource's properties may hold) and is copied to its key at deploy time by a single
// S3 CopyObject call, with a role that may read that one asset object and write that one key.
// Runs started by `sweep launch` bring their own items (<prefix><sweep id>/items.json).
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { objectArn } from './arns.ts';
import { contentFile } from './content-file.ts';

export interface ItemsUpload {
  /** A construct id for this upload (stable across deploys: the sweep's or the job's name). */
  id: string;
  bucket: string;
  key: string;
  /** The items file's content (what `stepgraph sweep compile` writes as `<sweep>.items.json`). */
  text: string;
}

export class SweepItems extends Construct {
  /** One custom resource per upload; state machines that read the items depend on them. */
  readonly uploads: AwsCustomResource[] = [];

  constructor(scope: Construct, id: string, props: { description: string; uploads: readonly ItemsUpload[] }) {
    super(scope, id);
    // A role of our own: the default one carries AWSLambdaBasicExecutionRole, whose log grant spans every log group.
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: props.description });
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    logGroup.grantWrite(role);
    for (const upload of props.uploads) {
      const asset = new Asset(this, `${upload.id}Asset`, { path: contentFile('stepgraph-items', upload.text, '.json') });
      const copy = {
        service: 's3',
        action: 'copyObject',
        parameters: {
          Bucket: upload.bucket,
          Key: upload.key,
          CopySource: `${asset.s3BucketName}/${asset.s3ObjectKey}`,
          ContentType: 'application/json',
          MetadataDirective: 'REPLACE',
        },
        // A new key (new items: its name carries their digest) replaces the resource; the old
        // object stays, as a run started before the deploy may still be reading it.
        physicalResourceId: PhysicalResourceId.of(`${upload.bucket}/${upload.key}`),
      };
      this.uploads.push(
        new AwsCustomResource(this, upload.id, {
          resourceType: 'Custom::StepgraphSweepItems',
          onCreate: copy,
          onUpdate: copy,
          policy: AwsCustomResourcePolicy.fromStatements([
            new PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:${Aws.PARTITION}:s3:::${asset.s3BucketName}/${asset.s3ObjectKey}`] }),
            new PolicyStatement({ actions: ['s3:PutObject'], resources: [objectArn(upload.bucket, upload.key)] }),
          ]),
          role,
          logGroup,
          // The runtime's own AWS SDK: installing the latest at deploy time would need the network from inside the function.
          installLatestAwsSdk: false,
          timeout: Duration.minutes(2),
        }),
      );
    }
  }
}

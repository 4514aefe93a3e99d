// The workflow's marker bucket: the one it names (owned elsewhere, shared by producers), or one
// the stack creates for it. A created bucket is private, encrypted, TLS-only and versioned, and
// sends its events to EventBridge: rewriting a `.done` object still emits "Object Created", and
// versioning keeps the earlier body (execution, times) of a rerun's marker.
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, CfnBucket, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface MarkerBucketProps {
  /** An existing bucket's name; undefined: create one. */
  bucketName?: string;
  prefix: string;
  /** Why server access logs would add nothing for what this bucket holds (the cdk-nag S1 acknowledgement); defaults to the markers' reason. */
  accessLogsReason?: string;
}

export class MarkerBucket extends Construct {
  readonly bucket: IBucket;
  readonly created: boolean;

  constructor(scope: Construct, id: string, props: MarkerBucketProps) {
    super(scope, id);
    this.created = props.bucketName === undefined;
    if (props.bucketName !== undefined) {
      this.bucket = Bucket.fromBucketName(this, 'Bucket', props.bucketName);
      return;
    }
    const bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      // Markers are the record of which runs finished: deleting the stack must not delete them.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'expire-old-marker-versions', noncurrentVersionExpiration: Duration.days(90) },
        // In-run signals of the polling runtime (now kept by the router's table): left to expire.
        { id: 'expire-run-signals', prefix: `${props.prefix}_runs/`, expiration: Duration.days(400) },
      ],
    });
    // EventBridge delivery set on the bucket resource itself: CDK's `eventBridgeEnabled` would
    // add a custom-resource Lambda to do the same through the API.
    (bucket.node.defaultChild as CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        props.accessLogsReason ??
        'The bucket holds only small .done markers written by this workflow\'s state machine and its producers; every write is an EventBridge event and a step in the execution history, so server access logs (and a second bucket to hold them) would add cost without adding an audit trail. Enable CloudTrail data events if one is required.',
    });
    this.bucket = bucket;
  }
}

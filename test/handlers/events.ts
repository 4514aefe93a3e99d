// Builders for the EventBridge events the handlers receive, shaped like AWS delivers them.
import type { S3ObjectCreatedNotificationEvent } from 'aws-lambda';

let sequence = 0;

export function objectCreated(bucket: string, key: string): S3ObjectCreatedNotificationEvent {
  sequence++;
  return {
    version: '0',
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: '2019-03-12T03:00:00Z',
    region: 'eu-west-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key, size: 120, etag: 'e1', 'version-id': 'v1', sequencer: String(sequence).padStart(16, '0') },
      'request-id': 'r1',
      requester: '123456789012',
      'source-ip-address': '10.0.0.1',
      reason: 'PutObject',
    },
  };
}

/** EC2's "EC2 Instance State-change Notification", as EventBridge delivers it. */
export function instanceStateChange(region: string, instanceId: string, state: string) {
  sequence++;
  return {
    version: '0',
    id: `00000000-0000-4000-9000-${String(sequence).padStart(12, '0')}`,
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '123456789012',
    time: '2019-03-12T03:00:00Z',
    region,
    resources: [`arn:aws:ec2:${region}:123456789012:instance/${instanceId}`],
    detail: { 'instance-id': instanceId, state },
  };
}

/** SageMaker's "Pipeline Execution Status Change", shaped as the SageMaker guide's example of it. */
export function pipelineExecutionStatusChange(pipelineExecutionArn: string, status: string, previous = 'Executing') {
  sequence++;
  const pipelineArn = pipelineExecutionArn.slice(0, pipelineExecutionArn.indexOf('/execution/'));
  return {
    version: '0',
    id: `00000000-0000-4000-a000-${String(sequence).padStart(12, '0')}`,
    'detail-type': 'SageMaker Model Building Pipeline Execution Status Change',
    source: 'aws.sagemaker',
    account: '123456789012',
    time: '2019-03-12T05:10:11Z',
    region: 'eu-west-1',
    resources: [pipelineArn, pipelineExecutionArn],
    detail: {
      pipelineExecutionDisplayName: 'churn-model-2019-03-12-retrain',
      currentPipelineExecutionStatus: status,
      previousPipelineExecutionStatus: previous,
      executionStartTime: '2019-03-12T03:00:13Z',
      executionEndTime: '2019-03-12T05:10:10Z',
      pipelineExecutionDescription: 'stepgraph churn-model: job retrain of 2019-03-12',
      pipelineArn,
      pipelineExecutionArn,
    },
  };
}

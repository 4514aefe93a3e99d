// Whether a wait's subject is satisfied, asked of AWS itself (generator/contract/waits.ts:
// SubjectProbe): a marker exists (S3 reads are strongly consistent), an EC2 instance has
// terminated (asked in the instance's own region), a SageMaker pipeline execution has ended
// (DescribePipelineExecution).
import { DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DescribePipelineExecutionCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { pipelineOutcome } from '../generator/contract/sagemaker-pipeline.ts';
import type { PipelineExecutionSubject, ProbedSubject, SubjectOutcome, SubjectProbe } from '../generator/contract/waits.ts';

export interface ProbeDeps {
  s3: S3Client;
  /** One client per region, kept for the container's life. */
  ec2For: (region: string) => EC2Client;
  /** For pipeline executions (`sagemaker_pipeline` jobs); without it only their events settle them. */
  sagemaker?: SageMakerClient;
  /**
   * EC2's API is eventually consistent: an instance launched a moment ago can be unknown to
   * DescribeInstances for a few seconds. "Not found" is asked again after these pauses (ms)
   * before it is believed to mean "terminated long ago".
   */
  notFoundRetriesMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
}

const NOT_FOUND_RETRIES_MS = [1000, 2000, 4000];

export class AwsSubjectProbe implements SubjectProbe {
  constructor(private readonly deps: ProbeDeps) {}

  satisfied(subject: ProbedSubject): Promise<boolean> {
    return subject.kind === 'marker' ? objectExists(this.deps.s3, subject.bucket, subject.key) : this.terminated(subject.region, subject.instanceId);
  }

  async outcome(subject: PipelineExecutionSubject): Promise<SubjectOutcome | undefined> {
    if (!this.deps.sagemaker) return undefined;
    const out = await this.deps.sagemaker.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: subject.arn }));
    return pipelineOutcome(out.PipelineExecutionStatus ?? '', subject.arn, out.FailureReason);
  }

  private async terminated(region: string, instanceId: string): Promise<boolean> {
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const retries = this.deps.notFoundRetriesMs ?? NOT_FOUND_RETRIES_MS;
    for (let attempt = 0; ; attempt++) {
      const state = await instanceState(this.deps.ec2For(region), instanceId);
      if (state !== 'not found') return state === 'terminated';
      if (attempt >= retries.length) return true;
      await sleep(retries[attempt]);
    }
  }
}

/** HeadObject; "not found" is false, any other error (403 without s3:ListBucket, throttling) is thrown. */
export async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    // A missing key answers 404 only to a caller allowed s3:ListBucket; otherwise 403, thrown loudly.
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

/** The instance's state name, or 'not found' (terminated instances disappear after about an hour). */
async function instanceState(ec2: EC2Client, instanceId: string): Promise<string> {
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
    return instance?.State?.Name ?? 'not found';
  } catch (error) {
    if ((error as { name?: string }).name === 'InvalidInstanceID.NotFound') return 'not found';
    throw error;
  }
}

/** One EC2 client per region, created on first use. */
export function perRegion<T>(make: (region: string) => T): (region: string) => T {
  const clients = new Map<string, T>();
  return (region) => {
    let client = clients.get(region);
    if (!client) clients.set(region, (client = make(region)));
    return client;
  };
}

// Completion markers of a workflow's jobs (`<prefix><job>__<datekey>.done`). A replay deletes the
// markers of the jobs it reruns before it starts, so nothing downstream — in this workflow or in
// another one waiting for them — mistakes the old completion for the new one.
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { UserError } from '../errors.ts';
import type { Workflow } from '../model.ts';
import type { Aws } from './aws.ts';
import { markerKey } from '../contract/markers.ts';
import { describeStateMachine, markerBucketFromDefinition } from './state-machine.ts';

/** `markers.bucket`, else `--marker-bucket`, else the bucket the deployed definition writes to. */
export async function resolveMarkerBucket(aws: Aws, workflow: Workflow, stateMachineArn: string, flag?: string): Promise<string> {
  if (workflow.markers.bucket) return workflow.markers.bucket;
  if (flag) return flag;
  const described = await describeStateMachine(aws, stateMachineArn);
  const bucket = markerBucketFromDefinition(described.definition ?? '');
  if (!bucket) {
    throw new UserError(
      `cannot tell the marker bucket of '${workflow.name}': its deployed definition names none; pass --marker-bucket <bucket> ` +
        `(the stack's output MarkerBucketName)`,
    );
  }
  return bucket;
}

export const markerKeys = (workflow: Workflow, jobs: readonly string[], datekey: string): string[] =>
  jobs.map((job) => markerKey(workflow.markers.prefix, job, datekey));

/** Deletes the keys (absent ones are fine: S3 deletes are idempotent); fails if any could not be deleted. */
export async function deleteMarkers(aws: Aws, bucket: string, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    const result = await aws.call('DeleteObjects', () =>
      aws.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } })),
    );
    const errors = result.Errors ?? [];
    if (errors.length > 0) {
      const first = errors[0];
      throw new UserError(
        `could not invalidate ${errors.length} marker(s) in s3://${bucket}, e.g. ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trimEnd() +
          '; nothing was started',
      );
    }
  }
}

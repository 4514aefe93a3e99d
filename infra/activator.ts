// The data pipeline activator (handlers/activate-pipeline.ts). A data_pipeline job's own state is a
// callback Task of this function: it deletes the job's old marker, registers the job's wait for
// the new one in the router's table (releasing it at once if the marker is somehow there already),
// then activates the pipeline by name. The pipeline's marker, through the router, ends the job.
import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Manifest } from '../generator/emit/manifest-types.ts';
import { bucketArn, objectArn } from './arns.ts';
import { HandlerFunction } from './handler-function.ts';
import { releaseGrant, type Router } from './router.ts';
import { REGISTER_TABLE_ACTIONS } from './waiter-table.ts';
import { markerKeyPattern } from '../generator/contract/markers.ts';

export interface ActivatorProps {
  manifest: Manifest;
  /** The marker bucket's name (a token when the stack creates it): data pipelines write their markers there. */
  bucket: string;
  /** The router whose table holds the waits, and which releases them. */
  router: Router;
  /** The names of the state machines whose jobs it starts (its own releases). */
  machines: readonly string[];
}

export function activatorFunction(scope: Construct, id: string, { manifest, bucket, router, machines }: ActivatorProps): HandlerFunction {
  const markers = manifest.jobs.filter((j) => j.kind === 'data_pipeline').map((j) => objectArn(bucket, markerKeyPattern(manifest.markers.prefix, j.name)));
  return new HandlerFunction(scope, id, {
    entry: 'activate-pipeline.ts',
    description: `stepgraph ${manifest.workflow}: activates data pipelines by name for a run date`,
    // Listing every pipeline of a busy account takes a few pages; activation itself is quick.
    timeout: Duration.seconds(60),
    environment: { WAITER_TABLE: router.waiters.table.tableName },
    grants: [
      {
        actions: ['datapipeline:ListPipelines', 'datapipeline:ActivatePipeline'],
        resources: ['*'],
        wildcardReason:
          "Data Pipeline has no resource ARNs by name: ListPipelines takes no resource, and a pipeline's id (the only identifier IAM sees) is looked up from its name at run time and changes when the pipeline is re-created.",
      },
      router.tableGrant(REGISTER_TABLE_ACTIONS),
      {
        actions: ['s3:DeleteObject', 's3:GetObject'],
        resources: markers,
        wildcardReason: "A data pipeline's marker key ends in the run date; the wildcard stands for the datekey of one data_pipeline job only.",
      },
      // Without ListBucket, S3 answers 403 instead of 404 for a marker that is not there yet.
      { actions: ['s3:ListBucket'], resources: [bucketArn(bucket)] },
      releaseGrant(machines),
    ],
  });
}

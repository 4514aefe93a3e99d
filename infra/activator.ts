// The activator (handlers/activate-pipeline.ts): the Task of a callback kind's job (data_pipeline,
// sagemaker_pipeline) invokes it. It starts the job's work and registers the job's wait in the
// router's table (releasing it at once if the wait is somehow over already, or failing it when the
// work already failed); the event of the work's end, through the router, ends the job. What it may
// touch is what the kinds declare (`activatorGrants`), plus the router's table.
import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Manifest } from '../generator/emit/manifest-types.ts';
import { compactGrants } from './grant-patterns.ts';
import { kindGrants } from './kind-grants.ts';
import { HandlerFunction } from './handler-function.ts';
import { releaseGrant, type Router } from './router.ts';
import { REGISTER_TABLE_ACTIONS } from './waiter-table.ts';

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
  // What each callback kind's work needs to be started (generator/kinds/: `activatorGrants`).
  const kindAccess = compactGrants(kindGrants(manifest.access.flatMap((a) => a.activatorGrants ?? []), bucket));
  return new HandlerFunction(scope, id, {
    entry: 'activate-pipeline.ts',
    description: `stepgraph ${manifest.workflow}: starts the work of callback jobs (data or SageMaker pipelines) and registers their waits`,
    // Listing every pipeline of a busy account takes a few pages; activation itself is quick.
    timeout: Duration.seconds(60),
    environment: { WAITER_TABLE: router.waiters.table.tableName },
    grants: [
      ...kindAccess,
      router.tableGrant(REGISTER_TABLE_ACTIONS),
      releaseGrant(machines, manifest.waits.events.length > 0),
    ],
  });
}

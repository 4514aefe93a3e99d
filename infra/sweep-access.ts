// The permissions of a sweep's Map beyond EC2 (infra/sweep-ec2-access.ts): a Distributed Map's
// child executions, its items file and its results in S3. The runner a non-EC2 sweep calls is its
// kind's (the manifest's `runnerAccess`).
import { objectArn, regionalArn } from './arns.ts';
import type { Grant } from './grants.ts';

/** A Distributed Map, where it runs and what it reads and writes. */
export interface DistributedMap {
  /** The state machine holding the Map: its child executions are executions of that machine. */
  machine: string;
  /** The Map's Label: redriven child executions are named `<machine>/<label>:<id>`. */
  label: string;
  /** The items and results bucket (a name or a token). */
  bucket: string;
  /** S3 keys (or key patterns, each with a reason) the ItemReader reads. */
  itemsKeys: { key: string; reason?: string }[];
  /** The ResultWriter's Prefix. */
  resultsPrefix: string;
}

/**
 * Step Functions' documented least privilege for a Distributed Map: start executions of its own
 * machine, describe and stop them, redrive the labelled children (a redriven parent redrives its
 * Map Run), read the items object, write the results.
 */
export function distributedMapGrants(maps: readonly DistributedMap[]): Grant[] {
  if (maps.length === 0) return [];
  const patterns = maps.flatMap((m) => m.itemsKeys.filter((k) => k.key.includes('*')));
  return [
    ...childExecutionGrants(maps),
    {
      actions: ['s3:GetObject'],
      resources: maps.flatMap((m) => m.itemsKeys.map((k) => objectArn(m.bucket, k.key))),
      ...(patterns.length > 0 && { wildcardReason: [...new Set(patterns.map((k) => k.reason!))].join(' ') }),
    },
    {
      actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
      resources: maps.map((m) => objectArn(m.bucket, `${m.resultsPrefix}/*`)),
      wildcardReason: "The Map's ResultWriter writes under its results prefix, in a folder named after the Map Run (known at run time only).",
    },
  ];
}

/**
 * The child executions of Distributed Maps, whatever their items' source (a sweep's S3 file, a
 * for_each's list in the state): start executions of the Map's own machine, describe and stop
 * them, and redrive the labelled children (a redriven parent redrives its Map Run).
 */
export function childExecutionGrants(maps: readonly Pick<DistributedMap, 'machine' | 'label'>[]): Grant[] {
  if (maps.length === 0) return [];
  const machines = [...new Set(maps.map((m) => m.machine))];
  return [
    { actions: ['states:StartExecution'], resources: machines.map((m) => regionalArn('states', `stateMachine:${m}`)) },
    {
      actions: ['states:DescribeExecution', 'states:StopExecution'],
      resources: machines.map((m) => regionalArn('states', `execution:${m}:*`)),
      wildcardReason: "The Distributed Map's child executions are named by Step Functions at run time; the grant covers executions of this state machine only.",
    },
    {
      actions: ['states:RedriveExecution'],
      resources: [...new Set(maps.map((m) => regionalArn('states', `execution:${m.machine}/${m.label}:*`)))],
      wildcardReason: "A redriven run redrives its Map Run's failed child executions, named by Step Functions at run time; the grant covers this Map's children (its Label) only.",
    },
  ];
}

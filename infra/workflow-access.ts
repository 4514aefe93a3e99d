// The state machine's permissions, derived from the compiler's manifest: what each job's kind
// touches (as its module declares it), the activator and router it invokes, marker keys, split
// children and sweep jobs' EC2 calls and Distributed Maps. Nothing here grows with the number of jobs: marker keys are granted as the
// workflow's own marker pattern (`<prefix>*__*.done`), child machines as `<workflow>-part-*`, and
// lists of named resources are merged and, when long, collapsed into prefixes (grant-patterns.ts),
// so every role stays within IAM's 10,240 characters. Waits read nothing themselves: they invoke
// the router (or, for a data pipeline, the activator), whose own roles read the markers
// (infra/router.ts, infra/activator.ts).
import type { Manifest } from '../generator/emit/manifest-types.ts';
import { bucketArn, objectArn } from './arns.ts';
import { compactGrants } from './grant-patterns.ts';
import type { Grant } from './grants.ts';
import { childExecutionGrants, distributedMapGrants, type DistributedMap } from './sweep-access.ts';
import { ec2Grants } from './sweep-ec2-access.ts';
import { startExecutionAccess } from '../generator/kinds/state-machine.ts';
import { kindGrants } from './kind-grants.ts';
import { anyMarkerPattern } from '../generator/contract/markers.ts';
import { anyPartMachine } from '../generator/contract/run-names.ts';

export interface AccessInputs {
  manifest: Manifest;
  /** The marker bucket's name: the workflow's, or the one the stack creates (a token). */
  bucket: string;
  /** The activation function, when the workflow has data_pipeline jobs. */
  activatorArn?: string;
  /** The router function, when the definitions invoke it (`${RouterFunctionArn}`). */
  routerArn?: string;
  /** The cross-region EC2 function, when a sweep job spans regions. */
  sweepEc2Arn?: string;
  /** The deadline watch function, when the workflow has deadlines (`${DeadlineFunctionArn}`). */
  deadlineArn?: string;
}

export interface WorkflowAccess {
  grants: Grant[];
  warnings: string[];
}

const MARKER_REASON = "Marker keys are <prefix><job>__<datekey>.done: the pattern covers this workflow's marker prefix only, the same for any number of jobs (one ARN per job outgrows IAM's policy size limit).";

export function workflowAccess({ manifest, bucket, activatorArn, routerArn, sweepEc2Arn, deadlineArn }: AccessInputs): WorkflowAccess {
  const grants: Grant[] = [];
  const warnings: string[] = [];
  const { prefix } = manifest.markers;
  const markers = objectArn(bucket, anyMarkerPattern(prefix));

  // A kind that writes its own marker (a data pipeline) gets no `J done`; the activator clears its old one.
  if (manifest.markers.writes.length > 0) grants.push({ actions: ['s3:PutObject'], resources: [markers], wildcardReason: MARKER_REASON });
  // Outputs read from markers (`J reads X`): exactly the keys the manifest lists, any date; ListBucket
  // so that a marker that does not exist answers NoSuchKey (caught: no outputs), not AccessDenied.
  const reads = manifest.markers.reads ?? [];
  if (reads.length > 0) {
    grants.push({ actions: ['s3:GetObject'], resources: [...new Set(reads.map((m) => objectArn(m.bucket ?? bucket, m.keyPattern)))], wildcardReason: MARKER_REASON });
    grants.push({ actions: ['s3:ListBucket'], resources: [...new Set(reads.map((m) => bucketArn(m.bucket ?? bucket)))] });
  }

  const invoked = [
    ...(activatorArn && manifest.activated.length > 0 ? [activatorArn] : []),
    ...(routerArn && manifest.substitutions.includes('RouterFunctionArn') ? [routerArn] : []),
    ...(deadlineArn && manifest.substitutions.includes('DeadlineFunctionArn') ? [deadlineArn] : []),
  ];
  grants.push({ actions: ['lambda:InvokeFunction'], resources: invoked });
  // Child machines of a graph split for size: the main one runs each with startExecution.sync.
  // Their ARNs are built from their names (set by the stack), not taken from the machines, so
  // the policy does not depend on the machines that depend on it; one pattern covers them all
  // (check/names.ts keeps other workflows from taking a `<workflow>-part-<n>` name).
  const split = manifest.stateMachines.some((m) => m.id !== 'main');
  if (split) {
    grants.push(
      ...kindGrants(startExecutionAccess([`arn:\${Partition}:states:\${Region}:\${Account}:stateMachine:${anyPartMachine(manifest.workflow)}`], true)).map((g) => ({
        ...g,
        wildcardReason: [g.wildcardReason, `The child state machines of a split graph are named ${manifest.workflow}-part-<n>.`].filter(Boolean).join(' '),
      })),
    );
  }

  // Each job's kind says what its Task touches (generator/kinds/); nothing here knows a kind.
  for (const access of manifest.access) {
    grants.push(...kindGrants(access.grants, bucket));
    if (access.warning) warnings.push(access.warning);
  }
  grants.push(...sweepJobGrants(manifest, bucket, sweepEc2Arn));
  // for_each jobs run as Distributed Maps read their items from the state: child executions only.
  grants.push(...childExecutionGrants(manifest.forEachMaps ?? []));
  return { grants: compactGrants(grants), warnings };
}

/**
 * Sweep jobs' EC2 calls (direct integrations in the stack's region, or the cross-region function)
 * and their Distributed Maps. Their runners' functions, machines and Tasks are in the lists above.
 */
function sweepJobGrants(manifest: Manifest, bucket: string, sweepEc2Arn: string | undefined): Grant[] {
  const sweeps = manifest.sweeps ?? [];
  const direct = sweeps.flatMap((s) => (s.ec2 && !s.ec2.crossRegion ? [{ sweep: s.sweep, ec2: s.ec2 }] : []));
  const crossRegion = sweeps.some((s) => s.ec2?.crossRegion);
  if (crossRegion && !sweepEc2Arn) throw new Error(`internal: ${manifest.workflow} has a sweep job spanning regions but no cross-region EC2 function`);
  const maps: DistributedMap[] = sweeps.flatMap((s) => {
    if (!s.items) return [];
    // The manifest names the definition holding the Map (a split graph may have put it in a child).
    if (!s.map) throw new Error(`internal: the manifest of ${manifest.workflow} names no Distributed Map for sweep job '${s.job}'`);
    return [{ machine: s.map.machine, label: s.map.label, bucket: s.items.bucket ?? bucket, itemsKeys: [{ key: s.items.key }], resultsPrefix: s.items.resultsPrefix }];
  });
  return [...ec2Grants(direct), ...(crossRegion ? [{ actions: ['lambda:InvokeFunction'], resources: [sweepEc2Arn!] }] : []), ...distributedMapGrants(maps)];
}

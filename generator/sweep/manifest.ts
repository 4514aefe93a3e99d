// What a sweep's state machine touches, for infra to grant exactly that and for the CLI to find
// its keys. The sweep counterpart of the workflow manifest (emit/manifest-types.ts).
import { stackName } from '../model.ts';
import { DEFAULT_AMI } from './ec2.ts';
import type { SweepPlan } from './plan.ts';
import type { KindAccess } from '../kinds/kind.ts';
import { runnerKind } from '../kinds/task-kinds.ts';
import { distributedMaps } from '../emit/asl-walk.ts';
import { placeholdersIn } from '../contract/placeholders.ts';


/**
 * In `waits.instanceRegions`: the region of the stack itself (items that name no region run
 * there). A CloudFormation pseudo parameter, so infra can resolve it with Fn::Sub or replace it
 * with the stack's region.
 */
export const STACK_REGION = '${AWS::Region}';

export interface SweepManifest {
  sweep: string;
  stackName: string;
  stateMachine: { name: string; definitionFile: string };
  mode: 'inline' | 'distributed';
  items: number;
  maxConcurrent: number;
  /** 'ec2', or the runner's kind. */
  runner: string;
  /** Where the stack should be: the one region every item names (undefined: any, or several). */
  region?: string;
  /** Placeholder names (`${Name}` in the ASL) the deployer must substitute. */
  substitutions: string[];
  /**
   * What the sweep's waits wait for (generator/contract/waits.ts): an EC2 item's callback wait is
   * released by the instance's "terminated" state-change event, which must reach the router from
   * every region listed (STACK_REGION: the stack's own). Empty: no EC2 items, nothing to hear of.
   */
  waits: {
    instanceRegions: string[];
    /** The machines whose waits the router releases: the sweep's, and its Map's child executions (`<sweep>/<label>`) when its items wait. */
    machines: string[];
  };
  /** Distributed: the Map's Label (its child executions run as `<sweep>/<label>`). */
  map?: { label: string };
  ec2?: {
    /** EC2 actions the state machine (or the cross-region function) calls, RunInstances tagging included. */
    actions: string[];
    regions: string[];
    /** The cross-region function (`${SweepEc2FunctionArn}`) makes the EC2 calls: the items span regions. */
    crossRegion: boolean;
    /** Instance profiles passed to RunInstances: iam:PassRole on their roles. */
    instanceProfiles: string[];
    /** SSM parameters RunInstances resolves for the default AMI: ssm:GetParameters. */
    amiParameters: string[];
  };
  /** What the runner kind's Task touches (its module's grants; none for EC2, which `ec2` lists). */
  runnerAccess: KindAccess;
  markers: {
    /** undefined: the stack creates the bucket (`${MarkerBucket}`). */
    bucket?: string;
    prefix: string;
    /** Distributed: the items file the deployed machine reads when its input names none (the stack uploads it). */
    itemsKey?: string;
    itemsFile?: string;
    /** Distributed: the Map's ResultWriter prefix. */
    resultsPrefix?: string;
    /** `sweep launch` uploads items under this prefix (`<prefix><sweep id>/items.json`). */
    launchPrefix?: string;
  };
}

/** `definitionText`: the emitted definition, whose `${Name}` placeholders the deployer substitutes. */
export function sweepManifest(plan: SweepPlan, definitionText: string): SweepManifest {
  const sweep = plan.sweep;
  const distributed = plan.mode === 'distributed';
  const items = sweep.items;
  // Only stepgraph's own placeholders: a command may well contain shell's ${HOME}.
  const substitutions = placeholdersIn(definitionText);
  const profiles = new Set<string>();
  const amis = new Set<string>();
  for (const item of plan.items) {
    const launch = item.launch;
    if (!launch) continue;
    if (launch.IamInstanceProfile) profiles.add('Name' in launch.IamInstanceProfile ? launch.IamInstanceProfile.Name : launch.IamInstanceProfile.Arn);
    if (launch.ImageId === DEFAULT_AMI.arm64 || launch.ImageId === DEFAULT_AMI.x86_64) amis.add(launch.ImageId.slice('resolve:ssm:'.length));
  }
  const runner = sweep.runner;
  // Read from the definition itself, so infra never looks into the ASL.
  const maps = definitionText ? distributedMaps(JSON.parse(definitionText)) : [];
  const base = `${sweep.markers.prefix}_sweeps/${sweep.name}/`;
  return {
    sweep: sweep.name,
    stackName: stackName(sweep.name),
    stateMachine: { name: sweep.name, definitionFile: `${sweep.name}.asl.json` },
    mode: plan.mode,
    items: items.length,
    maxConcurrent: plan.maxConcurrent,
    runner: runner.type,
    ...(plan.ec2?.regions.length === 1 && { region: plan.ec2.regions[0] }),
    substitutions,
    waits: {
      instanceRegions: plan.ec2 ? (plan.ec2.regions.length > 0 ? [...plan.ec2.regions] : [STACK_REGION]) : [],
      machines: [sweep.name, ...maps.filter((m) => m.waits).map((m) => `${sweep.name}/${m.label}`)],
    },
    ...(maps.length > 0 && { map: { label: maps[0].label } }),
    ...(plan.ec2 && {
      ec2: {
        // DescribeInstances: an item that should have reported its exit status and did not reads why its instance ended.
        actions: ['ec2:RunInstances', 'ec2:CreateTags', 'ec2:DescribeInstances', 'ec2:DescribeTags', 'ec2:TerminateInstances'],
        regions: plan.ec2.regions,
        crossRegion: plan.ec2.crossRegion,
        instanceProfiles: [...profiles].sort(),
        amiParameters: [...amis].sort(),
      },
    }),
    runnerAccess: runner.type === 'ec2' ? { grants: [] } : runnerKind(runner).access(runner, { job: sweep.name, markerPrefix: sweep.markers.prefix }),
    markers: {
      ...(sweep.markers.bucket !== undefined && { bucket: sweep.markers.bucket }),
      prefix: sweep.markers.prefix,
      ...(distributed && { itemsKey: plan.keys.items, itemsFile: `${sweep.name}.items.json`, resultsPrefix: plan.keys.results }),
      launchPrefix: base,
    },
  };
}

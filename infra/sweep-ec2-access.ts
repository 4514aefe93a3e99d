// What launching, watching and ending a sweep's instances takes in IAM, from the EC2 part of its
// manifest: each action the manifest lists, scoped as far as EC2 allows. Instances are the one
// resource stepgraph controls (it tags them at launch), so the grants on them are conditioned on
// the sweep's tag; everything else a launch touches is chosen by EC2 or by the account.
import { Aws } from 'aws-cdk-lib';
import type { SweepManifest } from '../generator/sweep/manifest.ts';
import type { Grant } from './grants.ts';

type SweepEc2 = NonNullable<SweepManifest['ec2']>;

/** The tag every instance of a sweep carries (generator/emit/sweep-item.ts): `stepgraph:sweep = <sweep name>`. */
const SWEEP_TAG = 'stepgraph:sweep';

/** One sweep's EC2 use: its name (the tag value) and the EC2 part of its manifest. */
export interface Ec2Use {
  sweep: string;
  ec2: SweepEc2;
}

/** Resources RunInstances authorizes besides the instance: the launch's volumes, network interface, subnet, security groups, key pair and spot request. */
const LAUNCH_RESOURCES = ['network-interface', 'volume', 'security-group', 'subnet', 'key-pair', 'spot-instances-request'];

const INSTANCE_REASON = 'EC2 assigns instance ids at launch; the condition limits the grant to instances tagged with this sweep.';

/** The grants for these sweeps, one set per sweep (each with its own tag), identical statements once. */
export function ec2Grants(uses: readonly Ec2Use[]): Grant[] {
  const grants = uses.flatMap(sweepEc2Grants);
  return [...new Map(grants.map((g) => [JSON.stringify(g), g])).values()];
}

function sweepEc2Grants({ sweep, ec2 }: Ec2Use): Grant[] {
  // No regions named: the calls go to the stack's own region.
  const regions = ec2.regions.length > 0 ? ec2.regions : [Aws.REGION];
  const ec2Arn = (type: string): string[] => regions.map((r) => `arn:${Aws.PARTITION}:ec2:${r}:${Aws.ACCOUNT_ID}:${type}/*`);
  const inRegions = ec2.regions.length > 0 ? { StringEquals: { 'aws:RequestedRegion': ec2.regions } } : undefined;
  const grants: Grant[] = [];
  const unknown = ec2.actions.filter((a) => !KNOWN_ACTIONS.includes(a));
  if (unknown.length > 0) throw new Error(`internal: sweep '${sweep}' calls ${unknown.join(', ')}, which infra/sweep-ec2-access.ts has no grant for`);

  if (ec2.actions.includes('ec2:RunInstances')) {
    grants.push({ actions: ['ec2:RunInstances'], resources: ec2Arn('instance'), conditions: { StringEquals: { [`aws:RequestTag/${SWEEP_TAG}`]: sweep } }, wildcardReason: INSTANCE_REASON });
    grants.push({
      actions: ['ec2:RunInstances'],
      resources: [...LAUNCH_RESOURCES.flatMap(ec2Arn), ...regions.map((r) => `arn:${Aws.PARTITION}:ec2:${r}::image/*`)],
      wildcardReason:
        'RunInstances also authorizes the volumes and network interface EC2 creates for the instance and the subnet, security groups, key pair, AMI and spot request it uses, whose ids EC2 or the account choose; the launch itself is allowed only for an instance tagged with this sweep (the statement on instance/*).',
    });
  }
  if (ec2.actions.includes('ec2:CreateTags')) {
    // Tagging on launch (TagSpecifications) only: the instance's own exit-status tag is written with its instance profile, not this role.
    grants.push({ actions: ['ec2:CreateTags'], resources: ec2Arn('instance'), conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } }, wildcardReason: "EC2 assigns instance ids at launch; the condition allows tagging only as part of RunInstances, whose instance statement requires this sweep's tag." });
  }
  if (ec2.actions.includes('ec2:TerminateInstances')) {
    grants.push({ actions: ['ec2:TerminateInstances'], resources: ec2Arn('instance'), conditions: { StringEquals: { [`aws:ResourceTag/${SWEEP_TAG}`]: sweep } }, wildcardReason: INSTANCE_REASON });
  }
  const describe = ec2.actions.filter((a) => a.startsWith('ec2:Describe'));
  if (describe.length > 0) {
    grants.push({
      actions: describe,
      resources: ['*'],
      ...(inRegions && { conditions: inRegions }),
      wildcardReason: "EC2's Describe actions support no resource-level permissions; they only read, and the sweep names its regions in the condition when it has any.",
    });
  }
  if (ec2.instanceProfiles.length > 0) {
    grants.push({
      actions: ['iam:PassRole'],
      resources: ec2.instanceProfiles.flatMap(instanceRoleArns),
      conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      wildcardReason: "role/*/<name> matches the instance profile's role at any IAM path; role names are unique in an account, whatever their path, so it is that one role.",
    });
  }
  if (ec2.amiParameters.length > 0) {
    grants.push({ actions: ['ssm:GetParameters'], resources: ec2.amiParameters.flatMap((p) => regions.map((r) => ssmParameterArn(r, p))) });
  }
  return grants;
}

const KNOWN_ACTIONS = ['ec2:RunInstances', 'ec2:CreateTags', 'ec2:TerminateInstances', 'ec2:DescribeInstances', 'ec2:DescribeTags'];

/**
 * The role inside an instance profile, for iam:PassRole. A profile names no role, and which one it
 * holds is known only to IAM, so this follows the convention the console, the AWS CLI
 * walkthroughs and spawn all use: the profile is named after its role. A stack parameter per
 * profile was the alternative; it would have to be passed on every deploy, and a wrong value
 * fails the same way a profile named otherwise does: the first launch is refused with an
 * AccessDenied naming the role. A profile given by ARN keeps its account.
 */
function instanceRoleArns(profile: string): string[] {
  const arn = /^arn:([^:]+):iam::(\d{12}):instance-profile\/(?:.*\/)?([^/]+)$/.exec(profile);
  const [partition, account, name] = arn ? [arn[1], arn[2], arn[3]] : [Aws.PARTITION, Aws.ACCOUNT_ID, profile];
  return [`arn:${partition}:iam::${account}:role/${name}`, `arn:${partition}:iam::${account}:role/*/${name}`];
}

/** AWS's public parameters (`/aws/service/...`) have no account in their ARN. */
const ssmParameterArn = (region: string, name: string): string =>
  `arn:${Aws.PARTITION}:ssm:${region}:${name.startsWith('/aws/service/') ? '' : Aws.ACCOUNT_ID}:parameter${name.startsWith('/') ? '' : '/'}${name}`;

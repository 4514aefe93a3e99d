// The router (handlers/marker-router.ts): one function per stack that releases the waits of its
// state machines (generator/contract/waits.ts) and, for a workflow with on_markers triggers,
// starts its runs. State machines invoke it to register a wait or record a signal; EventBridge
// tells it of the marker objects waits and triggers name being created, of EC2 instances
// terminating, of the events that end callback kinds' work (`releaseEvents`: a SageMaker pipeline
// execution's status change), and, every BACKSTOP_MINUTES, to look at every open waiter (events
// that never come).
import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { BACKSTOP_MINUTES } from '../generator/contract/waits.ts';
import type { ReleaseEvents } from '../generator/kinds/kind.ts';
import { STACK_REGION } from '../generator/sweep/manifest.ts';
import { bucketArn, objectArn, regionalArn } from './arns.ts';
import type { Grant } from './grants.ts';
import { HandlerFunction } from './handler-function.ts';
import { ROUTER_TABLE_ACTIONS, WaiterTable } from './waiter-table.ts';

/** Marker objects the router must hear of: `keyPattern` has one `*`, standing for the datekey. */
export interface WatchedMarkers {
  /** A name, or the token of the bucket the stack creates. */
  bucket: string;
  keyPattern: string;
}

export interface RouterProps {
  /** The workflow's name or `sweep <name>`: for descriptions and warnings. */
  owner: string;
  markers: readonly WatchedMarkers[];
  /** Regions whose instance terminations release waits (STACK_REGION: the stack's own). */
  instanceRegions: readonly string[];
  /**
   * Event patterns that end callback kinds' waits (the manifest's `waits.events`), one rule each.
   * Such an end can be a failure: the router may then fail the waiting Task (SendTaskFailure).
   */
  events?: readonly ReleaseEvents[];
  /** A job's signal can say it failed (trigger rules): the router then fails the waits for it. */
  signalFailures?: boolean;
  /**
   * The state machines whose waits it releases, by name (`<machine>/<label>` for a Distributed
   * Map's children). Names, not the machines' ARNs: the machines hold the router's ARN in their
   * definitions, so a reference back would be a dependency cycle. Empty: nothing waits (a router
   * for on_markers only), so no release grant and no backstop.
   */
  releases: readonly string[];
  /** Beside WAITER_TABLE. */
  environment: Record<string, string>;
  /** Beyond releasing waits (starting runs for on_markers). */
  grants?: Grant[];
}

const EVENT_RETRY = { retryAttempts: 8, maxEventAge: Duration.hours(6) };

export class Router extends Construct {
  readonly waiters: WaiterTable;
  readonly handler: HandlerFunction;

  constructor(scope: Construct, id: string, props: RouterProps) {
    super(scope, id);
    this.waiters = new WaiterTable(this, 'Waiters');
    const table = this.waiters.table;
    const waits = props.releases.length > 0;
    this.handler = new HandlerFunction(this, 'Function', {
      entry: 'marker-router.ts',
      description: `stepgraph ${props.owner}: releases waits when their marker, signal or instance end arrives${props.environment.MARKER_TRIGGERS ? '; starts runs for on_markers' : ''}`,
      // A backstop tick looks at every open waiter; it may take until the next one.
      timeout: Duration.minutes(BACKSTOP_MINUTES),
      environment: { WAITER_TABLE: table.tableName, ...props.environment },
      grants: [
        { actions: ROUTER_TABLE_ACTIONS, resources: [table.tableArn] },
        ...markerReadGrants(props.markers),
        ...(props.instanceRegions.length > 0 ? [describeInstancesGrant(props.instanceRegions.map((r) => (r === STACK_REGION ? Stack.of(this).region : r)))] : []),
        ...(waits ? [releaseGrant(props.releases, (props.events ?? []).length > 0 || props.signalFailures === true)] : []),
        ...(props.grants ?? []),
      ],
    });
    markerPatterns(props.markers).forEach((pattern, i) => {
      new Rule(this, `MarkerEvents${i + 1}`, {
        description: `stepgraph ${props.owner}: .done markers that release waits or start runs`,
        eventPattern: { source: ['aws.s3'], detailType: ['Object Created'], detail: pattern },
        targets: [new LambdaFunction(this.handler.function, EVENT_RETRY)],
      });
    });
    this.instanceRule(props);
    (props.events ?? []).forEach((pattern, i) => {
      new Rule(this, `ReleaseEvents${i + 1}`, {
        description: `stepgraph ${props.owner}: ${pattern['detail-type'].join(', ')} events that end waits`,
        eventPattern: { source: pattern.source, detailType: pattern['detail-type'], ...(pattern.detail && { detail: pattern.detail }) },
        targets: [new LambdaFunction(this.handler.function, EVENT_RETRY)],
      });
    });
    if (waits) {
      new Rule(this, 'Backstop', {
        description: `stepgraph ${props.owner}: looks at every open waiter every ${BACKSTOP_MINUTES} minutes, for events that never come`,
        schedule: Schedule.rate(Duration.minutes(BACKSTOP_MINUTES)),
        // A tick that cannot be delivered is replaced by the next one: no point in keeping it.
        targets: [new LambdaFunction(this.handler.function, { event: RuleTargetInput.fromObject({ action: 'backstop' }), retryAttempts: 2, maxEventAge: Duration.minutes(BACKSTOP_MINUTES) })],
      });
    }
  }

  /** Grants for another function that registers waiters in this table (the data pipeline activator). */
  tableGrant(actions: string[]): Grant {
    return { actions, resources: [this.waiters.table.tableArn] };
  }

  /**
   * EC2 sends its state-change events only to EventBridge in the instance's region: a rule here
   * hears of this region's instances. Those elsewhere are released by the backstop.
   */
  private instanceRule(props: RouterProps): void {
    const regions = props.instanceRegions;
    if (regions.length === 0) return;
    const region = Stack.of(this).region;
    const known = !Token.isUnresolved(region);
    const named = regions.filter((r) => r !== STACK_REGION);
    if (!known || named.length < regions.length || named.includes(region)) {
      new Rule(this, 'InstanceEvents', {
        description: `stepgraph ${props.owner}: terminated instances release the sweep items that wait for them`,
        eventPattern: { source: ['aws.ec2'], detailType: ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } },
        targets: [new LambdaFunction(this.handler.function, EVENT_RETRY)],
      });
    }
    // Deployed elsewhere than a named region, or (region unknown at synth) with several named.
    const elsewhere = known ? named.filter((r) => r !== region) : named.length > 1 ? named : [];
    if (elsewhere.length === 0) return;
    Annotations.of(Stack.of(this)).addWarningV2(
      'stepgraph:instance-events',
      `${props.owner} runs instances in ${elsewhere.join(', ')}${known ? '' : ' (all but the region this stack is deployed in)'}: EC2 sends its state-change events only to EventBridge in the instance's own region, so the items waiting for those instances are released by the backstop, up to ${BACKSTOP_MINUTES} minutes after the instance ends`,
    );
  }
}

const DATEKEY_REASON = 'A marker key ends in the run date; the wildcard stands for the datekey of one named marker only.';

/** HeadObject (s3:GetObject) on the marker keys; ListBucket so that a missing key answers 404, not 403. */
function markerReadGrants(markers: readonly WatchedMarkers[]): Grant[] {
  if (markers.length === 0) return [];
  return [
    { actions: ['s3:GetObject'], resources: unique(markers.map((m) => objectArn(m.bucket, m.keyPattern))), wildcardReason: DATEKEY_REASON },
    { actions: ['s3:ListBucket'], resources: unique(markers.map((m) => bucketArn(m.bucket))) },
  ];
}

/** Whether a waited-for instance has terminated (the backstop's look, and a registration's). */
function describeInstancesGrant(regions: readonly string[]): Grant {
  return {
    actions: ['ec2:DescribeInstances'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:RequestedRegion': [...new Set(regions)] } },
    wildcardReason: "EC2's DescribeInstances supports no resource-level permissions; it only reads, and the condition limits it to the regions the sweep items run in.",
  };
}

/** SendTaskSuccess (and SendTaskFailure, where a wait can end in failure) on this stack's own state machines, built from their names. */
export function releaseGrant(machines: readonly string[], failures = false): Grant {
  return {
    actions: ['states:SendTaskSuccess', ...(failures ? ['states:SendTaskFailure'] : [])],
    resources: unique(machines.map((m) => regionalArn('states', `stateMachine:${m}`))),
  };
}

/**
 * EventBridge allows 2,048 characters per event pattern (a quota) and only 30 rules with
 * wildcards per event bus and account (not adjustable): keys are matched by prefix (everything
 * before the datekey; the router reads the key itself), and a long list is spread over several
 * rules. One pattern per bucket at least.
 */
export const PATTERN_LIMIT = 2_048;

export function markerPatterns(markers: readonly WatchedMarkers[]): Record<string, unknown>[] {
  const byBucket = new Map<string, string[]>();
  for (const m of markers) byBucket.set(m.bucket, [...(byBucket.get(m.bucket) ?? []), keyPrefix(m.keyPattern)]);
  const patterns: Record<string, unknown>[] = [];
  for (const [bucket, all] of byBucket) {
    const prefixes = [...new Set(all)].sort().filter((p, _, list) => !list.some((other) => other !== p && p.startsWith(other)));
    // A token stands for a bucket the stack creates: measure it at the longest name S3 allows.
    const measured = Token.isUnresolved(bucket) ? 'b'.repeat(63) : bucket;
    const pattern = (bucketName: string, keys: string[]) => ({ bucket: { name: [bucketName] }, object: { key: keys.map((prefix) => ({ prefix })) } });
    const size = (keys: string[]) => JSON.stringify({ source: ['aws.s3'], 'detail-type': ['Object Created'], detail: pattern(measured, keys) }).length;
    let chunk: string[] = [];
    for (const prefix of prefixes) {
      if (chunk.length > 0 && size([...chunk, prefix]) > PATTERN_LIMIT) {
        patterns.push(pattern(bucket, chunk));
        chunk = [];
      }
      chunk.push(prefix);
    }
    patterns.push(pattern(bucket, chunk));
  }
  return patterns;
}

/** `done/revenue__*.done` -> `done/revenue__`: the key up to its datekey. */
const keyPrefix = (keyPattern: string): string => (keyPattern.includes('*') ? keyPattern.slice(0, keyPattern.indexOf('*')) : keyPattern);

const unique = (values: string[]): string[] => [...new Set(values)];

/** What needs an existing bucket's events: `on_markers` triggers, waits for its markers, or both. */
export type BucketEventUse = 'on_markers' | 'waits';

/**
 * A bucket stepgraph does not create sends its events to EventBridge only if its owner turned that
 * on: `cdk synth` says so for each one the router must hear from.
 */
export function warnBucketEvents(scope: Construct, bucket: string, uses: ReadonlySet<BucketEventUse>): void {
  const what = [...(uses.has('on_markers') ? ['on_markers triggers'] : []), ...(uses.has('waits') ? ['waits for its markers'] : [])].join(' and ');
  const without = [
    ...(uses.has('waits') ? [`waits are released by the backstop, up to ${BACKSTOP_MINUTES} minutes late`] : []),
    ...(uses.has('on_markers') ? ['on_markers triggers never start a run'] : []),
  ].join(', and ');
  Annotations.of(Stack.of(scope)).addWarningV2(
    'stepgraph:bucket-eventbridge',
    `${what} need S3 to send the events of bucket '${bucket}' to EventBridge; if it does not yet, turn it on once with ` +
      `'aws s3api put-bucket-notification-configuration --bucket ${bucket} --notification-configuration "{\\"EventBridgeConfiguration\\": {}}"' ` +
      `(this call replaces the notification configuration: merge in what the bucket already has). Without it, or with the bucket in another region than this stack's (S3 sends events in the bucket's own region), ${without}.`,
  );
}

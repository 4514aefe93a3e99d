// One stack per workflow: its state machine(s) from the compiled ASL, the role the manifest
// calls for, the marker bucket, the router that releases its waits (and starts its on_markers
// runs), the triggers that start runs and the alerts when one fails; for sweep jobs, the items of
// Distributed Maps and the function multi-region sweeps call EC2 through.
import { Annotations, CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { CompiledWorkflow } from '../generator/compile.ts';
import { sweepJobItems } from '../generator/emit/manifest.ts';
import type { Manifest } from '../generator/emit/manifest-types.ts';
import { activatorFunction } from './activator.ts';
import { compactGrants } from './grant-patterns.ts';
import { kindGrants } from './kind-grants.ts';
import { Alerts } from './alerts.ts';
import { regionalArn } from './arns.ts';
import { Grants } from './grants.ts';
import type { HandlerFunction } from './handler-function.ts';
import { MarkerBucket } from './marker-bucket.ts';
import { Router, warnBucketEvents, type BucketEventUse } from './router.ts';
import { machineScopes } from './part-stacks.ts';
import { inlineDefinitions, loggedStateMachine, stateMachineLogs, stateMachineRole, type LoggedStateMachineProps } from './state-machine.ts';
import { sweepEc2Function } from './sweep-ec2-function.ts';
import { SweepItems } from './sweep-items.ts';
import { Triggers } from './triggers.ts';
import { workflowAccess } from './workflow-access.ts';
import { markerKeyPattern } from '../generator/contract/markers.ts';
import { ACTIVATOR_FUNCTION, DEADLINE_FUNCTION, MARKER_BUCKET, partArnName, ROUTER_FUNCTION, SWEEP_EC2_FUNCTION } from '../generator/contract/placeholders.ts';
import { triggerEntries } from './trigger-entries.ts';
import { DeadlineWatch } from './deadlines.ts';
import { executionStatusRule, poolEnvironment, poolGrants } from './pools.ts';

export interface WorkflowStackProps extends StackProps {
  /** `workflow` is needed only for distributed sweep jobs: their items are uploaded at deploy time. */
  compiled: Pick<CompiledWorkflow, 'manifest' | 'definitions'> & Partial<Pick<CompiledWorkflow, 'workflow' | 'plan'>>;
  /** Child machines per nested stack, and whether to nest at all (default: past MACHINES_PER_STACK machines); tests set them. */
  nesting?: { partsPerStack: number; nested: boolean };
  /** The other workflows sharing a pool with this one (infra/pools.ts: poolPeers): its router may hand them slots. */
  poolPeers?: readonly Manifest[];
}

type Definition = WorkflowStackProps['compiled']['definitions'][number];

export class WorkflowStack extends Stack {
  /** The workflow's state machine (the main one when the graph was split). */
  readonly stateMachine: StateMachine;
  /** All of them, in the order of the compiled definitions (main first). */
  readonly stateMachines: StateMachine[];
  readonly markers: MarkerBucket;
  /** Releases the waits (and starts on_markers runs): when the definitions wait or the workflow has on_markers. */
  readonly router?: Router;
  readonly activator?: HandlerFunction;
  readonly alerts?: Alerts;
  /** Sweep jobs spanning regions: the function their EC2 calls go through. */
  readonly sweepEc2?: HandlerFunction;
  /** Distributed sweep jobs: the uploads of the items files their Maps read. */
  readonly sweepItems?: SweepItems;
  /** Workflows with deadlines: the watch, its schedule group and Scheduler's role. */
  readonly deadlines?: DeadlineWatch;

  constructor(scope: Construct, id: string, props: WorkflowStackProps) {
    const { manifest, definitions } = props.compiled;
    // Compact JSON: indentation alone would take a third of CloudFormation's 1 MB template limit.
    super(scope, id, { description: `stepgraph workflow ${manifest.workflow} (generated from its YAML; do not edit)`, suppressTemplateIndentation: true, ...props });
    Tags.of(this).add('stepgraph:workflow', manifest.workflow);

    this.markers = new MarkerBucket(this, 'Markers', { bucketName: manifest.markers.bucket, prefix: manifest.markers.prefix });
    const bucketName = this.markers.bucket.bucketName;
    this.router = this.createRouter(props.compiled, bucketName, props.poolPeers ?? []);
    if (this.router) executionStatusRule(this.router, manifest, this.router.handler);
    if (manifest.activated.length > 0) {
      if (!this.router) throw new Error(`internal: ${manifest.workflow} has jobs started by the activator but no router to release them`);
      this.activator = activatorFunction(this, 'Activator', { manifest, bucket: bucketName, router: this.router, machines: definitions.map((d) => d.name) });
    }
    this.warnBucketEvents(manifest);

    const crossRegion = (manifest.sweeps ?? []).flatMap((s) => (s.ec2?.crossRegion ? [{ sweep: s.sweep, ec2: s.ec2 }] : []));
    if (crossRegion.length > 0) this.sweepEc2 = sweepEc2Function(this, 'SweepEc2', manifest.workflow, crossRegion);
    this.sweepItems = this.uploadSweepItems(props.compiled, bucketName);
    if (manifest.deadlines) this.deadlines = new DeadlineWatch(this, 'Deadlines', { manifest, plan: manifest.deadlines });
    for (const s of manifest.sweeps ?? []) {
      if (s.ec2 && !s.ec2.crossRegion && s.ec2.regions.length === 1) {
        Annotations.of(this).addWarningV2(
          'stepgraph:sweep-region',
          `sweep job '${s.job}' launches its instances in ${s.ec2.regions[0]}, through the state machine's own region: deploy this stack in ${s.ec2.regions[0]} (its EC2 grants name that region only)`,
        );
      }
    }

    const role = stateMachineRole(this, `stepgraph ${manifest.workflow}: what its state machines touch`);
    const access = workflowAccess({
      manifest,
      bucket: bucketName,
      activatorArn: this.activator?.function.functionArn,
      routerArn: this.router?.handler.function.functionArn,
      sweepEc2Arn: this.sweepEc2?.function.functionArn,
      deadlineArn: this.deadlines?.handler.function.functionArn,
    });
    const grants = new Grants();
    access.grants.forEach((g) => grants.allow(g));
    // A policy of its own, outside the role: CDK's logging and tracing grants (on the role's
    // default policy) get their acknowledgement on the role (state-machine.ts) without covering any of these.
    const accessPolicy = grants.attach(this, 'StateMachineAccess', role);
    for (const warning of access.warnings) Annotations.of(this).addWarningV2('stepgraph:task-permissions', warning);

    const common: Record<string, string> = {
      [MARKER_BUCKET]: bucketName,
      ...(this.activator && { [ACTIVATOR_FUNCTION]: this.activator.function.functionArn }),
      ...(this.router && { [ROUTER_FUNCTION]: this.router.handler.function.functionArn }),
      ...(this.sweepEc2 && { [SWEEP_EC2_FUNCTION]: this.sweepEc2.function.functionArn }),
      ...(this.deadlines && { [DEADLINE_FUNCTION]: this.deadlines.handler.function.functionArn }),
    };
    const known = new Set([...Object.keys(common), ...definitions.filter((d) => d.id !== 'main').map((d) => partArnSubstitution(d.id))]);
    const unknown = manifest.substitutions.filter((s) => !known.has(s));
    if (unknown.length > 0) throw new Error(`${manifest.workflow}: the definitions use placeholders WorkflowStack cannot fill: ${unknown.map((s) => `\${${s}}`).join(', ')}`);

    // Children first: the main machine's definition holds their ARNs.
    const logs = stateMachineLogs(this, manifest.stackName);
    const inlined = inlineDefinitions(definitions.map((d) => d.deployed));
    const inline = new Map(definitions.map((d, i) => [d.id, inlined[i]]));
    const scopes = machineScopes(this, manifest.workflow, definitions.map((d) => d.id), props.nesting?.partsPerStack, props.nesting && (props.nesting.nested ? 1 : 0));
    const byId = new Map<string, StateMachine>();
    for (const d of [...definitions].reverse()) {
      const values: Record<string, string> = { ...common };
      for (const [childId, machine] of byId) values[partArnSubstitution(childId)] = machine.stateMachineArn;
      const used = manifest.substitutions.filter((s) => d.deployed.includes(`\${${s}}`));
      const machine = this.machine(scopes.get(d.id)!, d, { logs, role, asAsset: !inline.get(d.id), substitutions: Object.fromEntries(used.map((s) => [s, values[s]])) });
      // A run may start the moment a machine exists (a schedule, a marker): grants and sweep items first.
      if (accessPolicy) machine.node.addDependency(accessPolicy);
      if (this.sweepItems) machine.node.addDependency(this.sweepItems);
      byId.set(d.id, machine);
    }
    this.stateMachines = definitions.map((d) => byId.get(d.id)!);
    this.stateMachine = this.stateMachines[0];

    new Triggers(this, 'Triggers', { manifest, stateMachine: this.stateMachine });
    if (manifest.alerts.snsTopic || manifest.alerts.slackWebhookSecret) {
      this.alerts = new Alerts(this, 'Alerts', { manifest, stateMachine: this.stateMachine });
    }

    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn, description: 'The workflow state machine' });
    new CfnOutput(this, 'MarkerBucketName', { value: bucketName, description: 'Where the .done markers live' });
  }

  /**
   * One router for the workflow's waits and its on_markers triggers. It hears of the marker keys
   * both name, and it knows the machines by name only: they hold its ARN (a reference back would
   * be a cycle).
   */
  private createRouter({ manifest, definitions }: WorkflowStackProps['compiled'], bucket: string, poolPeers: readonly Manifest[]): Router | undefined {
    const onMarkers = manifest.triggers.flatMap((t) => (t.type === 'on_markers' ? [triggerEntries(t)] : []));
    // Callback kinds' waits are registered by the activator but released by the router, on their events.
    const waits = manifest.substitutions.includes(ROUTER_FUNCTION) || manifest.waits.markers.length > 0 || manifest.waits.events.length > 0;
    if (!waits && onMarkers.length === 0) return undefined;
    const { prefix } = manifest.markers;
    const main = manifest.stateMachines[0].name;
    const triggerKeys = [...new Set(onMarkers.flat().map((m) => (typeof m === 'string' ? m : m.marker)))].sort().map((m) => ({ bucket, keyPattern: markerKeyPattern(prefix, m) }));
    return new Router(this, 'Router', {
      owner: manifest.workflow,
      markers: [...triggerKeys, ...manifest.waits.markers.map((m) => ({ bucket: m.bucket ?? bucket, keyPattern: m.keyPattern }))],
      instanceRegions: manifest.waits.instanceRegions,
      events: manifest.waits.events,
      ...(manifest.waits.signalFailures && { signalFailures: true }),
      releases: waits ? manifest.waits.machines : [],
      environment: {
        MARKER_BUCKET: bucket,
        MARKER_PREFIX: prefix,
        PARTITION: manifest.partition,
        ...(onMarkers.length > 0 && {
          WORKFLOW: manifest.workflow,
          STATE_MACHINE_ARN: regionalArn('states', `stateMachine:${main}`),
          MARKER_TRIGGERS: JSON.stringify(onMarkers),
        }),
        ...poolEnvironment(manifest),
      },
      grants: [
        ...(onMarkers.length > 0 ? [{ actions: ['states:StartExecution'], resources: [regionalArn('states', `stateMachine:${main}`)] }] : []),
        // What the kinds' waits are looked at with (generator/kinds/: `routerGrants`).
        ...compactGrants(kindGrants(manifest.access.flatMap((a) => a.routerGrants ?? []), bucket)),
        ...poolGrants(manifest, poolPeers),
      ],
    });
  }

  /** Every existing bucket whose events the router needs: the workflow's own (named) and other producers'. */
  private warnBucketEvents(manifest: Manifest): void {
    if (!this.router) return;
    const uses = new Map<string, Set<BucketEventUse>>();
    const use = (bucket: string | undefined, what: BucketEventUse): void => {
      if (bucket === undefined) return; // created by this stack, with EventBridge on
      uses.set(bucket, (uses.get(bucket) ?? new Set()).add(what));
    };
    if (manifest.triggers.some((t) => t.type === 'on_markers')) use(manifest.markers.bucket, 'on_markers');
    for (const m of manifest.waits.markers) use(m.bucket ?? manifest.markers.bucket, 'waits');
    for (const [bucket, what] of [...uses].sort(([a], [b]) => (a < b ? -1 : 1))) warnBucketEvents(this, bucket, what);
  }

  /** A distributed sweep job's Map reads its items file at every run: the stack puts it in place. */
  private uploadSweepItems(compiled: WorkflowStackProps['compiled'], bucketName: string): SweepItems | undefined {
    const { manifest, workflow, plan } = compiled;
    const distributed = (manifest.sweeps ?? []).filter((s) => s.items);
    if (distributed.length === 0) return undefined;
    if (!workflow || !plan) throw new Error(`internal: ${manifest.workflow} has distributed sweep jobs; WorkflowStack needs the compiled workflow and plan to upload their items`);
    const texts = new Map(sweepJobItems(workflow, plan).map((i) => [i.key, i.text]));
    return new SweepItems(this, 'SweepItems', {
      description: `stepgraph ${manifest.workflow}: copies the items files of its distributed sweep jobs into place at deploy time`,
      uploads: distributed.map((s) => ({ id: s.job, bucket: s.items!.bucket ?? bucketName, key: s.items!.key, text: texts.get(s.items!.key)! })),
    });
  }

  private machine(scope: Construct, d: Definition, options: Omit<LoggedStateMachineProps, 'name' | 'deployed'>): StateMachine {
    return loggedStateMachine(scope, d.id === 'main' ? '' : `-${d.id}`, { name: d.name, deployed: d.deployed, ...options });
  }
}

/** Definitions past this size deploy as S3 assets (see state-machine.ts). */
export { INLINE_LIMIT } from './state-machine.ts';

/** `${Part<n>Arn}` holds the ARN of child machine `part-<n>` (generator/emit/parts.ts). */
const partArnSubstitution = (id: string): string => partArnName(Number(id.replace(/^part-/, '')));

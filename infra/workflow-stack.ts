// One stack per workflow: its state machine(s) from the compiled ASL, the role the manifest
// calls for, the marker bucket, the triggers that start runs and the alerts when one fails.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { CompiledWorkflow } from '../generator/compile.ts';
import { Alerts } from './alerts.ts';
import { Grants } from './grants.ts';
import { HandlerFunction } from './handler-function.ts';
import { MarkerBucket } from './marker-bucket.ts';
import { Triggers } from './triggers.ts';
import { workflowAccess } from './workflow-access.ts';

export interface WorkflowStackProps extends StackProps {
  compiled: Pick<CompiledWorkflow, 'manifest' | 'definitions'>;
}

type Definition = WorkflowStackProps['compiled']['definitions'][number];

export class WorkflowStack extends Stack {
  /** The workflow's state machine (the main one when the graph was split). */
  readonly stateMachine: StateMachine;
  /** All of them, in the order of the compiled definitions (main first). */
  readonly stateMachines: StateMachine[];
  readonly markers: MarkerBucket;
  readonly activator?: HandlerFunction;
  readonly alerts?: Alerts;

  constructor(scope: Construct, id: string, props: WorkflowStackProps) {
    const { manifest, definitions } = props.compiled;
    super(scope, id, { description: `stepgraph workflow ${manifest.workflow} (generated from its YAML; do not edit)`, ...props });
    Tags.of(this).add('stepgraph:workflow', manifest.workflow);

    this.markers = new MarkerBucket(this, 'Markers', { bucketName: manifest.markers.bucket, prefix: manifest.markers.prefix });
    const bucketName = this.markers.bucket.bucketName;
    if (manifest.dataPipelines.length > 0) {
      this.activator = new HandlerFunction(this, 'Activator', {
        entry: 'activate-pipeline.ts',
        description: `stepgraph ${manifest.workflow}: activates data pipelines by name for a run date`,
        // Listing every pipeline of a busy account takes a few pages; activation itself is quick.
        timeout: Duration.seconds(60),
        grants: [
          {
            actions: ['datapipeline:ListPipelines', 'datapipeline:ActivatePipeline'],
            resources: ['*'],
            wildcardReason:
              "Data Pipeline has no resource ARNs by name: ListPipelines takes no resource, and a pipeline's id (the only identifier IAM sees) is looked up from its name at run time and changes when the pipeline is re-created.",
          },
        ],
      });
    }

    const role = new Role(this, 'StateMachineRole', { assumedBy: new ServicePrincipal('states.amazonaws.com'), description: `stepgraph ${manifest.workflow}: what its state machines touch` });
    const access = workflowAccess({ manifest, definitions, bucket: bucketName, activatorArn: this.activator?.function.functionArn });
    const grants = new Grants();
    access.grants.forEach((g) => grants.allow(g));
    // A policy of its own, outside the role: CDK's logging and tracing grants (on the role's
    // default policy) get their acknowledgement below without covering any of these.
    const accessPolicy = grants.attach(this, 'StateMachineAccess', role);
    for (const warning of access.warnings) Annotations.of(this).addWarningV2('stepgraph:task-permissions', warning);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "Added by CDK for logging ALL events and X-Ray tracing: CloudWatch Logs log-delivery actions (logs:CreateLogDelivery, ...) and X-Ray (xray:PutTraceSegments, ...) support no resource-level permissions. The workflow's own grants are in the separate StateMachineAccess policy.",
    });

    const common: Record<string, string> = { MarkerBucket: bucketName, ...(this.activator && { ActivatorFunctionArn: this.activator.function.functionArn }) };
    const known = new Set([...Object.keys(common), ...definitions.filter((d) => d.id !== 'main').map((d) => partArnSubstitution(d.id))]);
    const unknown = manifest.substitutions.filter((s) => !known.has(s));
    if (unknown.length > 0) throw new Error(`${manifest.workflow}: the definitions use placeholders WorkflowStack cannot fill: ${unknown.map((s) => `\${${s}}`).join(', ')}`);

    // Children first: the main machine's definition holds their ARNs.
    const byId = new Map<string, StateMachine>();
    for (const d of [...definitions].reverse()) {
      const values: Record<string, string> = { ...common };
      for (const [childId, machine] of byId) values[partArnSubstitution(childId)] = machine.stateMachineArn;
      const used = manifest.substitutions.filter((s) => d.deployed.includes(`\${${s}}`));
      const machine = this.machine(d, manifest.stackName, role, Object.fromEntries(used.map((s) => [s, values[s]])));
      // A run may start the moment a machine exists (a schedule, a marker): grants first.
      if (accessPolicy) machine.node.addDependency(accessPolicy);
      byId.set(d.id, machine);
    }
    this.stateMachines = definitions.map((d) => byId.get(d.id)!);
    this.stateMachine = this.stateMachines[0];

    new Triggers(this, 'Triggers', { manifest, stateMachine: this.stateMachine, bucket: this.markers.bucket, existingBucket: !this.markers.created });
    if (manifest.alerts.snsTopic || manifest.alerts.slackWebhookSecret) {
      this.alerts = new Alerts(this, 'Alerts', { manifest, stateMachine: this.stateMachine });
    }

    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn, description: 'The workflow state machine' });
    new CfnOutput(this, 'MarkerBucketName', { value: bucketName, description: 'Where the .done markers live' });
  }

  private machine(d: Definition, stackName: string, role: Role, substitutions: Record<string, string>): StateMachine {
    const suffix = d.id === 'main' ? '' : `-${d.id}`;
    const logs = new LogGroup(this, `StateMachineLogs${suffix}`, {
      logGroupName: `/aws/vendedlogs/states/${stackName}${suffix}`,
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    return new StateMachine(this, `StateMachine${suffix}`, {
      stateMachineName: d.name,
      stateMachineType: StateMachineType.STANDARD,
      // The compact text: what the compiler's size checks measured against the 1 MB limit.
      definitionBody: definitionBody(d.deployed),
      ...(Object.keys(substitutions).length > 0 && { definitionSubstitutions: substitutions }),
      role,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
  }
}

/**
 * CloudFormation templates are capped at 1 MB, and a big workflow's definitions add up to many
 * megabytes: past INLINE_LIMIT a definition travels as an S3 asset (DefinitionS3Location,
 * substitutions still applied) instead of inside the template.
 */
export const INLINE_LIMIT = 100_000;

function definitionBody(deployed: string): DefinitionBody {
  if (deployed.length <= INLINE_LIMIT) return DefinitionBody.fromString(deployed);
  // Named by content, so synthesizing twice reuses the file and the asset hash is stable.
  const dir = join(tmpdir(), 'stepgraph-definitions');
  const file = join(dir, `${createHash('sha256').update(deployed).digest('hex').slice(0, 32)}.asl.json`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, deployed);
    renameSync(temp, file);
  }
  return DefinitionBody.fromFile(file);
}

/** `${Part<n>Arn}` holds the ARN of child machine `part-<n>` (generator/emit/parts.ts). */
export const partArnSubstitution = (id: string): string => `Part${id.replace(/^part-/, '')}Arn`;

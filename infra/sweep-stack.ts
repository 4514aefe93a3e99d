// One stack per sweep file: its state machine, a role granting exactly what the sweep manifest
// lists, and, for a Distributed Map, the bucket its items and results live in (with the items
// file a run reads when its input names none). A sweep whose items all name one region is
// deployed there: its EC2 calls go to the state machine's own region. A sweep spanning regions
// makes them through the cross-region function instead. EC2 items wait for their instance's end
// through the router (infra/router.ts), released by EC2's state-change event or the backstop.
import { Annotations, CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { CompiledSweep } from '../generator/sweep/compile.ts';
import { Grants } from './grants.ts';
import type { HandlerFunction } from './handler-function.ts';
import { MarkerBucket } from './marker-bucket.ts';
import { Router } from './router.ts';
import { loggedStateMachine, stateMachineLogs, stateMachineRole } from './state-machine.ts';
import { distributedMapGrants } from './sweep-access.ts';
import { kindGrants } from './kind-grants.ts';
import { ec2Grants } from './sweep-ec2-access.ts';
import { sweepEc2Function } from './sweep-ec2-function.ts';
import { SweepItems } from './sweep-items.ts';
import { MARKER_BUCKET, ROUTER_FUNCTION, SWEEP_EC2_FUNCTION } from '../generator/contract/placeholders.ts';

export interface SweepStackProps extends StackProps {
  compiled: Pick<CompiledSweep, 'manifest' | 'definition' | 'itemsText'>;
}

const ITEMS_BUCKET_REASON =
  "The bucket holds a distributed sweep's items files and the Map's result files, written only by this stack, `stepgraph sweep launch` and the Map itself; each run is in the Step Functions history and the Map Run's records, so server access logs (and a second bucket to hold them) would add cost without adding an audit trail. Enable CloudTrail data events if one is required.";

export class SweepStack extends Stack {
  readonly stateMachine: StateMachine;
  /** Distributed sweeps: where items and results live (the sweep's bucket, or one the stack creates). */
  readonly bucket?: MarkerBucket;
  /** Sweeps spanning regions: the function the EC2 calls go through. */
  readonly ec2Function?: HandlerFunction;
  /** Distributed sweeps: the upload of the items file the definition reads by default. */
  readonly items?: SweepItems;
  /** EC2 sweeps: releases each item's wait for its instance's end. */
  readonly router?: Router;

  constructor(scope: Construct, id: string, props: SweepStackProps) {
    const { manifest, definition, itemsText } = props.compiled;
    super(scope, id, {
      description: `stepgraph sweep ${manifest.sweep} (generated from its parameter file; do not edit)`,
      ...(manifest.region && { env: { region: manifest.region } }),
      ...props,
    });
    Tags.of(this).add('stepgraph:sweep', manifest.sweep);
    const { markers, ec2 } = manifest;
    const distributed = manifest.mode === 'distributed';

    const grants = new Grants();
    const substitutions: Record<string, string> = {};
    if (distributed) {
      this.bucket = new MarkerBucket(this, 'Markers', { bucketName: markers.bucket, prefix: markers.prefix, accessLogsReason: ITEMS_BUCKET_REASON });
      const bucket = this.bucket.bucket.bucketName;
      substitutions[MARKER_BUCKET] = bucket;
      const label = manifest.map?.label;
      if (label === undefined || !markers.itemsKey || !markers.resultsPrefix) throw new Error(`internal: distributed sweep '${manifest.sweep}' has no Distributed Map named after it, or no items key`);
      distributedMapGrants([
        {
          machine: manifest.stateMachine.name,
          label,
          bucket,
          itemsKeys: [
            { key: markers.itemsKey },
            { key: `${markers.launchPrefix}*/items.json`, reason: '`sweep launch` and `sweep resume` upload each run\'s items to <prefix><sweep id>/items.json, the sweep id being made at launch.' },
          ],
          resultsPrefix: markers.resultsPrefix,
        },
      ]).forEach((g) => grants.allow(g));
      if (itemsText !== undefined) {
        this.items = new SweepItems(this, 'Items', {
          description: `stepgraph sweep ${manifest.sweep}: copies the default items file into place at deploy time`,
          uploads: [{ id: 'Default', bucket, key: markers.itemsKey, text: itemsText }],
        });
      }
    }
    if (ec2?.crossRegion) {
      this.ec2Function = sweepEc2Function(this, 'SweepEc2', `sweep ${manifest.sweep}`, [{ sweep: manifest.sweep, ec2 }]);
      substitutions[SWEEP_EC2_FUNCTION] = this.ec2Function.function.functionArn;
      grants.allow({ actions: ['lambda:InvokeFunction'], resources: [this.ec2Function.function.functionArn] });
    } else if (ec2) {
      ec2Grants([{ sweep: manifest.sweep, ec2 }]).forEach((g) => grants.allow(g));
    }
    const instanceRegions = manifest.waits.instanceRegions;
    if (manifest.substitutions.includes(ROUTER_FUNCTION) || instanceRegions.length > 0) {
      this.router = new Router(this, 'Router', {
        owner: `sweep ${manifest.sweep}`,
        markers: [],
        instanceRegions,
        // Names, not the machine's ARN: the machine holds the router's.
        releases: manifest.waits.machines,
        environment: {},
      });
      substitutions[ROUTER_FUNCTION] = this.router.handler.function.functionArn;
      grants.allow({ actions: ['lambda:InvokeFunction'], resources: [this.router.handler.function.functionArn] });
    }
    // The runner kind's own grants (generator/kinds/), as its module declares them.
    kindGrants(manifest.runnerAccess.grants).forEach((g) => grants.allow(g));
    if (manifest.runnerAccess.warning) Annotations.of(this).addWarningV2('stepgraph:task-permissions', manifest.runnerAccess.warning);

    const unknown = manifest.substitutions.filter((s) => substitutions[s] === undefined);
    if (unknown.length > 0) throw new Error(`${manifest.sweep}: the definition uses placeholders SweepStack cannot fill: ${unknown.map((s) => `\${${s}}`).join(', ')}`);
    const used = Object.fromEntries(manifest.substitutions.map((s) => [s, substitutions[s]]));

    const role = stateMachineRole(this, `stepgraph sweep ${manifest.sweep}: what its state machine touches`);
    const accessPolicy = grants.attach(this, 'StateMachineAccess', role);
    this.stateMachine = loggedStateMachine(this, '', { name: manifest.stateMachine.name, logs: stateMachineLogs(this, manifest.stackName), deployed: JSON.stringify(definition), substitutions: used, role });
    // A run may start the moment the machine exists: grants and the default items first.
    if (accessPolicy) this.stateMachine.node.addDependency(accessPolicy);
    if (this.items) this.stateMachine.node.addDependency(this.items);

    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn, description: 'The sweep state machine (npx stepgraph sweep launch starts it)' });
    if (this.bucket) {
      new CfnOutput(this, 'ItemsBucketName', { value: this.bucket.bucket.bucketName, description: `Items and results: s3://<bucket>/${markers.launchPrefix}` });
    }
  }
}

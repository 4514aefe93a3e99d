// The deployed sweep: its state machine (named after the sweep), the settings and bucket its
// definition was compiled with, and whether it still matches the sweep file at hand.
import { UserError } from '../../errors.ts';
import { digestInComment, machineNames } from '../../emit/sweep.ts';
import type { Aws } from '../../ops/aws.ts';
import { describeStateMachine, resolveStateMachineArn } from '../../ops/state-machine.ts';
import { stackName } from '../../model.ts';

export interface DeployedSweep {
  arn: string;
  name: string;
  definition: Record<string, unknown>;
  /** The settings the definition starts from (its `Default settings` state). */
  settings: Record<string, unknown>;
  mode: 'inline' | 'distributed';
  /** Distributed: the bucket the Map reads items from (substituted at deploy time). */
  bucket?: string;
  digest?: string;
}

export async function findDeployedSweep(aws: Aws, sweep: string, explicitArn?: string): Promise<DeployedSweep> {
  const arn = await resolveStateMachineArn(aws, sweep, explicitArn);
  const described = await describeStateMachine(aws, arn);
  const deployed = readDefinition(arn, described.name ?? sweep, described.definition ?? '{}');
  if (!deployed) throw new UserError(`the state machine ${arn} is not a stepgraph sweep (its definition has no '${machineNames.defaults}' state); is '${sweep}' a workflow?`);
  return deployed;
}

function readDefinition(arn: string, name: string, text: string): DeployedSweep | undefined {
  let definition: Record<string, unknown>;
  try {
    definition = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const states = (definition.States ?? {}) as Record<string, Record<string, unknown>>;
  const settings = states[machineNames.defaults]?.Result as Record<string, unknown> | undefined;
  if (!settings) return undefined;
  const map = Object.values(states).find((s) => s.Type === 'Map');
  const reader = map?.ItemReader as { Parameters?: { Bucket?: string } } | undefined;
  return {
    arn,
    name,
    definition,
    settings,
    mode: reader ? 'distributed' : 'inline',
    ...(reader?.Parameters?.Bucket && { bucket: reader.Parameters.Bucket }),
    ...(digestInComment(definition.Comment as string | undefined) && { digest: digestInComment(definition.Comment as string) }),
  };
}

/** Refuses to start a machine compiled from a different structure (new fields, another runner, ...). */
export function assertSameStructure(deployed: DeployedSweep, compiledDigest: string | undefined, sweep: string): void {
  if (deployed.digest === undefined || compiledDigest === undefined || deployed.digest === compiledDigest) return;
  throw new UserError(
    `the deployed state machine '${deployed.name}' was compiled from a different version of this sweep (structure ${deployed.digest}, the file now gives ${compiledDigest}); ` +
      `redeploy it first: npx cdk deploy ${stackName(sweep)}`,
  );
}

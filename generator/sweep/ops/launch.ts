// `sweep launch`: start the deployed sweep's state machine with the items of the file at hand.
// An inline sweep gets its items in the input; a distributed one gets them as an S3 object the
// Map reads (uploaded first, under the sweep's prefix, keyed by the sweep id).
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { UserError } from '../../errors.ts';
import { digestInComment, sweepSettings } from '../../emit/sweep.ts';
import type { Aws } from '../../ops/aws.ts';
import { startExecution } from '../../ops/executions.ts';
import { consoleLink } from '../../ops/names.ts';
import type { CompiledSweep } from '../compile.ts';
import type { RuntimeItem, SweepPlan } from '../plan.ts';
import { assertSameStructure, findDeployedSweep, type DeployedSweep } from './deployed.ts';
import { sweepId } from './ids.ts';

export interface LaunchResult {
  sweepId: string;
  executionArn: string;
  deployed: DeployedSweep;
  /** Distributed: where the items were put. */
  items?: { bucket: string; key: string };
}

/** The sweep's own S3 prefix, `<markers prefix>_sweeps/<sweep>/`; a run's items go to `<it><sweep id>/items.json`. */
const sweepKeyBase = (plan: SweepPlan): string => `${plan.sweep.markers.prefix}_sweeps/${plan.sweep.name}/`;

/** The same prefix read back from a deployed definition (its default items key sits right in it). */
export const keyBaseOf = (deployed: DeployedSweep): string | undefined =>
  typeof deployed.settings.itemsKey === 'string' ? deployed.settings.itemsKey.replace(/[^/]*$/, '') : undefined;

/** What one run starts with. */
export interface RunSpec {
  /** The settings of the run (the definition's defaults are not relied on), items aside. */
  settings: Record<string, unknown>;
  items: readonly RuntimeItem[];
  /** Distributed: the S3 prefix for the run's items file. */
  keyBase?: string;
}

export async function launchSweep(aws: Aws, c: CompiledSweep, options: { stateMachineArn?: string; now?: Date } = {}): Promise<LaunchResult> {
  const deployed = await findDeployedSweep(aws, c.sweep.name, options.stateMachineArn);
  assertSameStructure(deployed, digestInComment(c.definition.Comment), c.sweep.name);
  const now = options.now ?? new Date();
  const { items: _, itemsKey: __, ...settings } = sweepSettings(c.plan, deployed.mode);
  return startNamed(aws, deployed, c.sweep.name, now, { settings, items: c.plan.items, keyBase: sweepKeyBase(c.plan) });
}

/** Starts a run named `<sweep>-<now>` (or -2, -3, ... when a run of this second exists). */
export async function startNamed(aws: Aws, deployed: DeployedSweep, sweep: string, now: Date, spec: RunSpec): Promise<LaunchResult> {
  for (let attempt = 1; attempt <= 9; attempt++) {
    const started = await startRun(aws, deployed, spec, sweepId(sweep, now, attempt));
    if (started) return started;
  }
  throw new UserError(`runs named ${sweepId(sweep, now)} (and -2 to -9) already exist; try again in a second`);
}

/**
 * Starts one run named `id` with these items (all of them, or what a resume leaves); undefined
 * when the name is taken. Every setting is passed, so a run does what the file (or the resumed
 * run) says even where the deployed defaults differ.
 */
async function startRun(aws: Aws, deployed: DeployedSweep, spec: RunSpec, id: string): Promise<LaunchResult | undefined> {
  const settings: Record<string, unknown> = { ...spec.settings };
  let uploaded: LaunchResult['items'];
  if (deployed.mode === 'inline') {
    settings.items = spec.items;
  } else {
    if (!deployed.bucket || deployed.bucket.includes('${')) {
      throw new UserError(`the deployed state machine '${deployed.name}' names no resolved items bucket (${deployed.bucket ?? 'none'}); redeploy its stack`);
    }
    const base = spec.keyBase ?? keyBaseOf(deployed);
    if (base === undefined) throw new UserError(`the deployed state machine '${deployed.name}' names no items key; redeploy its stack`);
    uploaded = { bucket: deployed.bucket, key: `${base}${id}/items.json` };
    const body = `${JSON.stringify(spec.items)}\n`;
    await aws.call('PutObject', () => aws.s3.send(new PutObjectCommand({ Bucket: uploaded!.bucket, Key: uploaded!.key, Body: body, ContentType: 'application/json' })));
    settings.itemsKey = uploaded.key;
  }
  const result = await startExecution(aws, deployed.arn, id, settings);
  if (!result.started) return undefined;
  return { sweepId: id, executionArn: result.executionArn, deployed, ...(uploaded && { items: uploaded }) };
}

export function renderLaunch(result: LaunchResult, plan: SweepPlan, region: string): string {
  const id = result.sweepId;
  const limit = plan.maxConcurrent === 0 ? 'all at once' : `at most ${plan.maxConcurrent} at a time`;
  return [
    'Sweep launched.',
    '',
    `Sweep ID:      ${id}`,
    `Sweep:         ${plan.sweep.name} (${plan.items.length} runs, ${result.deployed.mode} Map, ${limit})`,
    `Execution:     ${result.executionArn}`,
    `Console:       ${consoleLink(region, result.executionArn)}`,
    ...(result.items ? [`Items:         s3://${result.items.bucket}/${result.items.key}`] : []),
    '',
    'Follow it:',
    `  npx stepgraph sweep status --sweep-id ${id} --watch`,
    'Stop it (and terminate its instances):',
    `  npx stepgraph sweep cancel --sweep-id ${id}`,
    'Run again what failed or did not start:',
    `  npx stepgraph sweep resume --sweep-id ${id}`,
  ].join('\n');
}

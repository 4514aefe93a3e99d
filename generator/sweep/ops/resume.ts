// `sweep resume`: run again what a sweep run left undone. A failed run whose concurrency stays
// is redriven (same execution: Step Functions reruns only the unsuccessful iterations or child
// executions). Otherwise (a run that succeeded within its tolerated failures, a new
// --max-concurrent, a run Step Functions will not redrive) a new run starts with only the items
// that did not succeed: the Map's concurrency comes from the input, so it can change.
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, ListMapRunsCommand } from '@aws-sdk/client-sfn';
import { UserError } from '../../cli/errors.ts';
import type { Aws } from '../../ops/aws.ts';
import { fetchHistory } from '../../ops/history.ts';
import { redrive, REDRIVE_WINDOW_MS } from '../../ops/redrive.ts';
import { launchDelayOf, type RuntimeItem } from '../plan.ts';
import { findDeployedSweep } from './deployed.ts';
import { keyBaseOf, startNamed, type LaunchResult } from './launch.ts';
import { inlineItems, type RunRef } from './progress.ts';

export type ResumeResult =
  | { kind: 'redriven'; sweepId: string; redriveDate?: Date }
  | { kind: 'restarted'; from: string; result: LaunchResult; items: number; skipped: number }
  | { kind: 'nothing'; sweepId: string };

const REDRIVABLE = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

export async function resumeSweep(aws: Aws, run: RunRef, options: { maxConcurrent?: number; stateMachineArn?: string; now?: Date } = {}): Promise<ResumeResult> {
  const status = run.execution.status ?? 'UNKNOWN';
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') {
    throw new UserError(`${run.sweepId} is still ${status}; follow it with \`npx stepgraph sweep status --sweep-id ${run.sweepId}\`, or stop it with \`sweep cancel\` first`);
  }
  const input = JSON.parse(run.execution.input ?? '{}') as Record<string, unknown>;
  const sameConcurrency = options.maxConcurrent === undefined || options.maxConcurrent === input.maxConcurrent;
  const now = options.now ?? new Date();
  const recent = run.execution.stopDate !== undefined && now.getTime() - run.execution.stopDate.getTime() <= REDRIVE_WINDOW_MS;
  if (sameConcurrency && REDRIVABLE.has(status) && run.execution.redriveStatus !== 'NOT_REDRIVABLE' && recent) {
    return { kind: 'redriven', sweepId: run.sweepId, redriveDate: await redrive(aws, run.executionArn) };
  }

  const deployed = await findDeployedSweep(aws, run.sweep, options.stateMachineArn);
  const distributed = typeof input.itemsKey === 'string';
  if ((deployed.mode === 'distributed') !== distributed) {
    throw new UserError(`${run.sweepId} ran as a ${distributed ? 'distributed' : 'inline'} Map but '${deployed.name}' is now deployed as a ${deployed.mode} one; launch the sweep again instead`);
  }
  const all = distributed ? await readItems(aws, deployed.bucket!, input.itemsKey as string) : ((input.items as RuntimeItem[] | undefined) ?? []);
  const done = distributed ? await succeededInMapRun(aws, run.executionArn) : succeededInline(await fetchHistory(aws, run.executionArn), run.sweep, all);
  const left = all.filter((i) => !done.has(i.index));
  if (left.length === 0) return { kind: 'nothing', sweepId: run.sweepId };

  const { items: _, itemsKey: __, ...settings } = input;
  const maxConcurrent = options.maxConcurrent ?? (typeof input.maxConcurrent === 'number' ? input.maxConcurrent : 0);
  const delay = typeof settings.launchDelaySeconds === 'number' ? settings.launchDelaySeconds : 0;
  const concurrency = maxConcurrent === 0 ? left.length : maxConcurrent;
  // Spaced from the new run's start, as a launch would space them.
  const items = left.map((item, position) => (item.delay === undefined ? item : { ...item, delay: launchDelayOf(position, concurrency, delay) }));
  const result = await startNamed(aws, deployed, run.sweep, now, { settings: { ...settings, maxConcurrent }, items, keyBase: keyBaseOf(deployed) });
  return { kind: 'restarted', from: run.sweepId, result, items: items.length, skipped: all.length - items.length };
}

function succeededInline(events: Parameters<typeof inlineItems>[0], sweep: string, planned: readonly RuntimeItem[]): Set<number> {
  return new Set(inlineItems(events, sweep, planned, true).filter((i) => i.state === 'succeeded').map((i) => i.index));
}

async function readItems(aws: Aws, bucket: string, key: string): Promise<RuntimeItem[]> {
  const out = await aws.call('GetObject', () => aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
  const text = await out.Body!.transformToString();
  return JSON.parse(text) as RuntimeItem[];
}

/**
 * Indexes of the child executions that succeeded. The Map's ResultWriter files list them (one
 * read per file); without them (a run stopped before the Map wrote its results) each succeeded
 * child is asked for its input.
 */
async function succeededInMapRun(aws: Aws, executionArn: string): Promise<Set<number>> {
  const runs = await aws.call('ListMapRuns', () => aws.sfn.send(new ListMapRunsCommand({ executionArn })));
  const mapRunArn = runs.mapRuns?.[0]?.mapRunArn;
  const done = new Set<number>();
  if (!mapRunArn) return done;
  const fromResults = await succeededFromResultFiles(aws, executionArn, mapRunArn);
  if (fromResults) return fromResults;
  let nextToken: string | undefined;
  do {
    const page = await aws.call('ListExecutions', () => aws.sfn.send(new ListExecutionsCommand({ mapRunArn, statusFilter: 'SUCCEEDED', maxResults: 1000, nextToken })));
    for (const child of page.executions ?? []) {
      const d = await aws.call('DescribeExecution', () => aws.sfn.send(new DescribeExecutionCommand({ executionArn: child.executionArn })));
      const index = (JSON.parse(d.input ?? '{}') as { item?: { index?: number } }).item?.index;
      if (typeof index === 'number') done.add(index);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return done;
}

interface ResultManifest {
  DestinationBucket?: string;
  MapRunArn?: string;
  ResultFiles?: { SUCCEEDED?: { Key: string }[] };
}

/** The run's output names the ResultWriter manifest when the Map finished; undefined when it did not. */
async function succeededFromResultFiles(aws: Aws, executionArn: string, mapRunArn: string): Promise<Set<number> | undefined> {
  const d = await aws.call('DescribeExecution', () => aws.sfn.send(new DescribeExecutionCommand({ executionArn })));
  const details = (JSON.parse(d.output ?? '{}') as { sweep?: { resultWriterDetails?: { Bucket?: string; Key?: string } } }).sweep?.resultWriterDetails;
  if (!details?.Bucket || !details.Key) return undefined;
  const listed = await aws.call('ListObjectsV2', () => aws.s3.send(new ListObjectsV2Command({ Bucket: details.Bucket, Prefix: details.Key, MaxKeys: 1 })));
  if ((listed.KeyCount ?? 0) === 0) return undefined;
  const manifest = JSON.parse(await read(aws, details.Bucket, details.Key)) as ResultManifest;
  if (manifest.MapRunArn && manifest.MapRunArn !== mapRunArn) return undefined;
  const done = new Set<number>();
  for (const file of manifest.ResultFiles?.SUCCEEDED ?? []) {
    const entries = JSON.parse(await read(aws, manifest.DestinationBucket ?? details.Bucket, file.Key)) as { Input?: string }[];
    for (const entry of entries) {
      const index = (JSON.parse(entry.Input ?? '{}') as { item?: { index?: number } }).item?.index;
      if (typeof index === 'number') done.add(index);
    }
  }
  return done;
}

async function read(aws: Aws, bucket: string, key: string): Promise<string> {
  const out = await aws.call('GetObject', () => aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
  return out.Body!.transformToString();
}

export function renderResume(r: ResumeResult): string {
  switch (r.kind) {
    case 'redriven':
      return [`Redriven ${r.sweepId}: Step Functions reruns the items that failed or did not start, in the same run.`, `  npx stepgraph sweep status --sweep-id ${r.sweepId} --watch`].join('\n');
    case 'nothing':
      return `Nothing to resume: every item of ${r.sweepId} succeeded.`;
    case 'restarted':
      return [
        `Resumed ${r.from} as ${r.result.sweepId}: ${r.items} item${r.items === 1 ? '' : 's'} to run (${r.skipped} already succeeded).`,
        ...(r.result.items ? [`Items: s3://${r.result.items.bucket}/${r.result.items.key}`] : []),
        `  npx stepgraph sweep status --sweep-id ${r.result.sweepId} --watch`,
      ].join('\n');
  }
}

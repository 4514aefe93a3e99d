// `sweep resume`: run again the items a sweep run did not succeed with, and only those.
//
// A redrive (same execution, same definition) continues the run from its unsuccessful steps; it
// is chosen exactly when that re-runs every item that did not succeed, which is when all of:
// - Step Functions can redrive the run: FAILED, TIMED_OUT or ABORTED, closed less than 14 days
//   ago, not NOT_REDRIVABLE; and the concurrency stays (a redrive keeps the run's input);
// - its definition does not catch the sweep's failure into a Fail state (definitions compiled
//   before the reactive contract did: a redrive would re-enter that Fail state and fail again),
//   and the run did not end in one of its Fail states (`<sweep> failed` after the inline count,
//   `Invalid input`);
// - no item ended failed. An inline iteration ends in a record, FAILED or not, so a redrive keeps
//   it; a distributed item that failed is a Standard child execution that failed in its record's
//   Fail state, and a redriven Map Run redrives such a child from there: it fails again;
// - (EC2) no interrupted item had launched its instance: a redrive resumes the item's wait for
//   that instance, which `sweep cancel` (or anyone) may have terminated, and the item would be
//   recorded from that termination instead of being run again. (Distributed: no aborted child.)
// What is left is items that never started or were interrupted before their launch or inside
// their runner's Task, which a redrive does start (again), from their first unfinished state.
// Otherwise a new run starts, named anew (so its launches get new ClientTokens), with only the
// items that did not succeed; the Map's concurrency comes from the input, so it can change.
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, DescribeMapRunCommand, ListExecutionsCommand, ListMapRunsCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { UserError } from '../../errors.ts';
import type { Aws } from '../../ops/aws.ts';
import { fetchHistory } from '../../ops/history.ts';
import { definitionUsedBy, redrive, REDRIVE_WINDOW_MS } from '../../ops/redrive.ts';
import { launchDelayOf, type RuntimeItem } from '../plan.ts';
import { findDeployedSweep } from './deployed.ts';
import { keyBaseOf, startNamed, type LaunchResult } from './launch.ts';
import { inlineItems, type ItemProgress, type RunRef } from './progress.ts';

export type ResumeResult =
  | { kind: 'redriven'; sweepId: string; redriveDate?: Date }
  | { kind: 'restarted'; from: string; result: LaunchResult; items: number; skipped: number; why: string }
  | { kind: 'nothing'; sweepId: string };

const REDRIVABLE = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/** What the redrive decision looks at (plain data: the tests build it from mocked histories too). */
export interface RedriveFacts {
  status: string;
  redriveStatus?: string;
  stopDate?: Date;
  now: Date;
  sameConcurrency: boolean;
  /** The definition the run used. */
  definition: Record<string, unknown>;
  /** The Fail state the run ended in, if it did. */
  failState?: string;
  /** Inline: the items as the run's history shows them (not closed: 'launching' / 'running' as they stood). */
  items?: readonly ItemProgress[];
  /** Distributed: the Map Run's item counts (undefined: no Map Run started). */
  mapRun?: { failed?: number; timedOut?: number; aborted?: number };
}

export type RedriveVerdict = { redrive: true } | { redrive: false; why: string };

/** Whether a redrive re-runs exactly the items that did not succeed (see the head of this file). */
export function redriveVerdict(f: RedriveFacts): RedriveVerdict {
  const no = (why: string): RedriveVerdict => ({ redrive: false, why });
  if (!REDRIVABLE.has(f.status)) return no(`it ${f.status === 'SUCCEEDED' ? 'succeeded (within its tolerated failures)' : `is ${f.status}`}`);
  if (f.redriveStatus === 'NOT_REDRIVABLE') return no('Step Functions will not redrive it');
  if (!f.stopDate || f.now.getTime() - f.stopDate.getTime() > REDRIVE_WINDOW_MS) return no('it closed more than 14 days ago');
  if (!f.sameConcurrency) return no('the concurrency changes (a redrive keeps the run\'s input)');
  const map = Object.values((f.definition.States ?? {}) as Record<string, Record<string, unknown>>).find((s) => s.Type === 'Map');
  if (map?.Catch !== undefined) return no('its definition catches the sweep\'s failure into a Fail state, where a redrive would fail again');
  if (f.failState !== undefined) return no(`it failed in its Fail state '${f.failState}', where a redrive would fail again`);
  const ec2 = JSON.stringify(f.definition).includes('runInstances');
  if (f.items) {
    const failed = f.items.filter((i) => i.state === 'failed');
    if (failed.length > 0) return no(`${count(failed.length, 'item')} failed, and a redrive keeps an item's record`);
    const waiting = f.items.filter((i) => i.state === 'running');
    if (ec2 && waiting.length > 0) return no(`${count(waiting.length, 'item')} had launched an instance when the run stopped (item ${waiting[0].index} first), and a redrive would only wait for it again`);
  }
  if (f.mapRun) {
    const failed = (f.mapRun.failed ?? 0) + (f.mapRun.timedOut ?? 0);
    if (failed > 0) return no(`${count(failed, 'item')} failed, and a redrive resumes a failed item's child execution in the state it failed in`);
    if (ec2 && (f.mapRun.aborted ?? 0) > 0) return no(`${count(f.mapRun.aborted!, 'item')} were stopped while running, and a redrive would only wait for their instances again`);
  }
  return { redrive: true };
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

export async function resumeSweep(aws: Aws, run: RunRef, options: { maxConcurrent?: number; stateMachineArn?: string; now?: Date } = {}): Promise<ResumeResult> {
  const status = run.execution.status ?? 'UNKNOWN';
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') {
    throw new UserError(`${run.sweepId} is still ${status}; follow it with \`npx stepgraph sweep status --sweep-id ${run.sweepId}\`, or stop it with \`sweep cancel\` first`);
  }
  const input = JSON.parse(run.execution.input ?? '{}') as Record<string, unknown>;
  const now = options.now ?? new Date();
  const distributed = typeof input.itemsKey === 'string';
  const redrivable = REDRIVABLE.has(status);
  // An inline run's items are in its history; a distributed run's parent history is short.
  const events = !distributed || redrivable ? await fetchHistory(aws, run.executionArn) : [];
  const planned = distributed ? [] : ((input.items as RuntimeItem[] | undefined) ?? []);
  const progress = distributed ? undefined : inlineItems(events, run.sweep, planned, false);

  let verdict: RedriveVerdict;
  if (redrivable) {
    const used = await definitionUsedBy(aws, run.executionArn);
    verdict = redriveVerdict({
      status,
      redriveStatus: run.execution.redriveStatus,
      stopDate: run.execution.stopDate,
      now,
      sameConcurrency: options.maxConcurrent === undefined || options.maxConcurrent === input.maxConcurrent,
      definition: parseObject(used.definition),
      failState: failStateOf(events),
      ...(progress && { items: progress }),
      ...(distributed && { mapRun: await mapRunCounts(aws, run.executionArn) }),
    });
    if (verdict.redrive) return { kind: 'redriven', sweepId: run.sweepId, redriveDate: await redrive(aws, run.executionArn) };
  } else {
    verdict = redriveVerdict({ status, now, sameConcurrency: true, definition: {} });
  }

  const deployed = await findDeployedSweep(aws, run.sweep, options.stateMachineArn);
  if ((deployed.mode === 'distributed') !== distributed) {
    throw new UserError(`${run.sweepId} ran as a ${distributed ? 'distributed' : 'inline'} Map but '${deployed.name}' is now deployed as a ${deployed.mode} one; launch the sweep again instead`);
  }
  const all = distributed ? await readItems(aws, deployed.bucket!, input.itemsKey as string) : planned;
  const done = distributed ? await succeededInMapRun(aws, run.executionArn) : new Set(progress!.filter((i) => i.state === 'succeeded').map((i) => i.index));
  const left = all.filter((i) => !done.has(i.index));
  if (left.length === 0) return { kind: 'nothing', sweepId: run.sweepId };

  const { items: _, itemsKey: __, ...settings } = input;
  const maxConcurrent = options.maxConcurrent ?? (typeof input.maxConcurrent === 'number' ? input.maxConcurrent : 0);
  const delay = typeof settings.launchDelaySeconds === 'number' ? settings.launchDelaySeconds : 0;
  const concurrency = maxConcurrent === 0 ? left.length : maxConcurrent;
  // Spaced from the new run's start, as a launch would space them.
  const items = left.map((item, position) => (item.delay === undefined ? item : { ...item, delay: launchDelayOf(position, concurrency, delay) }));
  const result = await startNamed(aws, deployed, run.sweep, now, { settings: { ...settings, maxConcurrent }, items, keyBase: keyBaseOf(deployed) });
  return { kind: 'restarted', from: run.sweepId, result, items: items.length, skipped: all.length - items.length, why: verdict.redrive ? '' : verdict.why };
}

/** The Fail state a run ended in: the last one entered (inline iterations have none). */
function failStateOf(events: readonly HistoryEvent[]): string | undefined {
  let last: string | undefined;
  for (const e of events) if (e.type === 'FailStateEntered') last = e.stateEnteredEventDetails?.name;
  return last;
}

async function mapRunCounts(aws: Aws, executionArn: string): Promise<RedriveFacts['mapRun']> {
  const runs = await aws.call('ListMapRuns', () => aws.sfn.send(new ListMapRunsCommand({ executionArn })));
  const mapRunArn = runs.mapRuns?.[0]?.mapRunArn;
  if (!mapRunArn) return undefined;
  const described = await aws.call('DescribeMapRun', () => aws.sfn.send(new DescribeMapRunCommand({ mapRunArn })));
  return described.itemCounts ?? {};
}

const parseObject = (text: string | undefined): Record<string, unknown> => {
  try {
    const value = JSON.parse(text ?? '{}') as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

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
        ...(r.why ? [`  A new run, not a redrive: ${r.why}.`] : []),
        ...(r.result.items ? [`Items: s3://${r.result.items.bucket}/${r.result.items.key}`] : []),
        `  npx stepgraph sweep status --sweep-id ${r.result.sweepId} --watch`,
      ].join('\n');
  }
}

// `sweep status`: where a sweep run stands, item by item. An inline sweep's items are all in its
// execution's history (each iteration's states are named `<sweep> ...`, and their inputs carry
// the item); a distributed sweep's are child executions of its Map Run, counted by DescribeMapRun.
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  type DescribeExecutionOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { UserError } from '../../errors.ts';
import { itemNames } from '../../emit/sweep-item.ts';
import type { Aws } from '../../ops/aws.ts';
import { describeExecution } from '../../ops/executions.ts';
import { clip, formatTime, progressBar, table } from '../../terminal/format.ts';
import { fetchHistory } from '../../ops/history.ts';
import { executionArn } from '../../ops/names.ts';
import { resolveStateMachineArn } from '../../ops/state-machine.ts';
import { sweepOfId } from './ids.ts';

type ItemState = 'launching' | 'running' | 'succeeded' | 'failed' | 'stopped';

export interface ItemProgress {
  index: number;
  name: string;
  state: ItemState;
  instanceId?: string;
  startedAt?: Date;
  endedAt?: Date;
  exitStatus?: string | null;
  reason?: string;
}

export interface SweepProgress {
  sweepId: string;
  sweep: string;
  executionArn: string;
  status: string;
  mode: 'inline' | 'distributed';
  startDate?: Date;
  stopDate?: Date;
  total: number;
  launched: number;
  running: number;
  succeeded: number;
  failed: number;
  notStarted: number;
  /** The lowest index not started yet (inline). */
  next?: number;
  maxConcurrent?: number;
  recent: ItemProgress[];
  failures: ItemProgress[];
  /** Every item seen (inline; what resume needs). */
  items: ItemProgress[];
  error?: string;
  cause?: string;
}

export interface RunRef {
  sweepId: string;
  sweep: string;
  executionArn: string;
  execution: DescribeExecutionOutput;
}

/** The run a sweep id names: its state machine is the sweep's (found by name, or given). */
export async function findRun(aws: Aws, id: string, explicitArn?: string): Promise<RunRef> {
  const sweep = sweepOfId(id);
  if (!sweep && !explicitArn) throw new UserError(`'${id}' is not a sweep id (<sweep>-<yyyymmdd>-<hhmmss>, as sweep launch prints it)`);
  const stateMachineArn = await resolveStateMachineArn(aws, sweep ?? '', explicitArn);
  const arn = executionArn(stateMachineArn, id);
  const execution = await describeExecution(aws, arn);
  if (!execution) throw new UserError(`no sweep run '${id}' (no execution ${arn}); list them with \`npx stepgraph sweep list\``);
  return { sweepId: id, sweep: stateMachineArn.split(':').pop()!, executionArn: arn, execution };
}

const RECENT = 10;
const FAILURES_SHOWN = 20;

export async function sweepProgress(aws: Aws, run: RunRef): Promise<SweepProgress> {
  const input = parse(run.execution.input) as { items?: unknown[]; itemsKey?: string; maxConcurrent?: number };
  const base = {
    sweepId: run.sweepId,
    sweep: run.sweep,
    executionArn: run.executionArn,
    status: run.execution.status ?? 'UNKNOWN',
    startDate: run.execution.startDate,
    stopDate: run.execution.stopDate,
    ...(run.execution.error && { error: run.execution.error }),
    ...(run.execution.cause && { cause: run.execution.cause }),
  };
  if (input.itemsKey !== undefined || !Array.isArray(input.items)) return { ...base, ...(await distributedProgress(aws, run)) };
  const events = await fetchHistory(aws, run.executionArn);
  const items = inlineItems(events, run.sweep, input.items as { index: number; name: string }[], run.execution.status !== 'RUNNING');
  return { ...base, mode: 'inline', ...(input.maxConcurrent !== undefined && { maxConcurrent: input.maxConcurrent }), ...summarize(items, input.items.length) };
}

/** `<sweep> run`, or `<sweep> run (2)` when items have different ttls. */
const isRunState = (name: string, run: string): boolean => name === run || (name.startsWith(`${run} (`) && /\(\d+\)$/.test(name));

/** Items as an inline sweep's history shows them, in index order. */
export function inlineItems(events: readonly HistoryEvent[], sweep: string, planned: readonly { index: number; name: string }[], closed: boolean): ItemProgress[] {
  const n = itemNames(sweep);
  const records = new Set([n.succeeded, n.completed, n.failedExit, n.failedTtl, n.failedSilent, n.launchFailed, n.lost, n.runFailed]);
  const items = new Map<number, ItemProgress>();
  for (const e of events) {
    const entered = e.stateEnteredEventDetails;
    const exited = e.stateExitedEventDetails;
    if (entered?.name === n.start) {
      const i = parse(entered.input) as { item?: { index: number; name: string } };
      if (i.item) items.set(i.item.index, { index: i.item.index, name: i.item.name, state: 'launching', startedAt: e.timestamp });
    } else if (entered?.name === n.wait || (entered?.name !== undefined && isRunState(entered.name, n.run))) {
      const i = parse(entered.input) as { item?: { index: number }; instance?: { id?: string } };
      const item = i.item && items.get(i.item.index);
      if (item && item.state === 'launching') Object.assign(item, { state: 'running', ...(i.instance?.id && { instanceId: i.instance.id }) });
    } else if (exited?.name !== undefined && records.has(exited.name)) {
      const r = parse(exited.output) as { index?: number; name?: string; status?: string; instanceId?: string | null; exitStatus?: string | null; reason?: string | null };
      if (r.index === undefined) continue;
      const item = items.get(r.index) ?? { index: r.index, name: r.name ?? String(r.index), state: 'launching' as ItemState };
      Object.assign(item, {
        state: r.status === 'SUCCEEDED' ? 'succeeded' : 'failed',
        endedAt: e.timestamp,
        ...(r.instanceId && { instanceId: r.instanceId }),
        ...(r.exitStatus !== undefined && { exitStatus: r.exitStatus }),
        ...(r.reason && { reason: r.reason }),
      });
      items.set(r.index, item);
    }
  }
  if (closed) for (const item of items.values()) if (item.state === 'launching' || item.state === 'running') item.state = 'stopped';
  const byIndex = new Map(planned.map((p) => [p.index, p]));
  return [...items.values()].filter((i) => byIndex.size === 0 || byIndex.has(i.index)).sort((a, b) => a.index - b.index);
}

function summarize(items: readonly ItemProgress[], total: number): Omit<SweepProgress, 'sweepId' | 'sweep' | 'executionArn' | 'status' | 'mode' | 'startDate' | 'stopDate'> {
  const count = (...states: ItemState[]) => items.filter((i) => states.includes(i.state)).length;
  const started = new Set(items.map((i) => i.index));
  let next: number | undefined;
  for (let i = 0; next === undefined && i < total + started.size; i++) if (!started.has(i)) next = i;
  const notStarted = Math.max(0, total - items.length);
  return {
    total,
    launched: items.filter((i) => i.instanceId !== undefined || i.state === 'running' || i.state === 'succeeded' || (i.state === 'failed' && i.startedAt !== undefined)).length,
    running: count('launching', 'running'),
    succeeded: count('succeeded'),
    failed: count('failed'),
    notStarted,
    ...(notStarted > 0 && next !== undefined && { next }),
    recent: [...items].sort((a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0) || b.index - a.index).slice(0, RECENT),
    failures: items.filter((i) => i.state === 'failed'),
    items: [...items],
  };
}

async function distributedProgress(aws: Aws, run: RunRef): Promise<Omit<SweepProgress, 'sweepId' | 'sweep' | 'executionArn' | 'status' | 'startDate' | 'stopDate'>> {
  const runs = await aws.call('ListMapRuns', () => aws.sfn.send(new ListMapRunsCommand({ executionArn: run.executionArn })));
  const mapRunArn = runs.mapRuns?.[0]?.mapRunArn;
  const empty = { mode: 'distributed' as const, total: 0, launched: 0, running: 0, succeeded: 0, failed: 0, notStarted: 0, recent: [], failures: [], items: [] };
  if (!mapRunArn) return empty;
  const mapRun = await aws.call('DescribeMapRun', () => aws.sfn.send(new DescribeMapRunCommand({ mapRunArn })));
  const counts: Partial<NonNullable<typeof mapRun.itemCounts>> = mapRun.itemCounts ?? {};
  const children = async (statusFilter?: 'FAILED', limit = RECENT): Promise<ItemProgress[]> => {
    const page = await aws.call('ListExecutions', () => aws.sfn.send(new ListExecutionsCommand({ mapRunArn, statusFilter, maxResults: limit })));
    const out: ItemProgress[] = [];
    for (const child of page.executions ?? []) {
      const described = await aws.call('DescribeExecution', () => aws.sfn.send(new DescribeExecutionCommand({ executionArn: child.executionArn })));
      out.push(childItem(described));
    }
    return out;
  };
  const failed = (counts.failed ?? 0) + (counts.timedOut ?? 0) + (counts.aborted ?? 0);
  return {
    mode: 'distributed',
    total: counts.total ?? 0,
    launched: (counts.succeeded ?? 0) + failed + (counts.running ?? 0),
    running: counts.running ?? 0,
    succeeded: counts.succeeded ?? 0,
    failed,
    notStarted: counts.pending ?? 0,
    ...(mapRun.maxConcurrency !== undefined && { maxConcurrent: mapRun.maxConcurrency }),
    recent: await children(undefined, RECENT),
    failures: failed > 0 ? await children('FAILED', FAILURES_SHOWN) : [],
    items: [],
  };
}

/** A child execution of a distributed sweep: its input holds the item, a failure's cause its record. */
function childItem(d: DescribeExecutionOutput): ItemProgress {
  const input = parse(d.input) as { item?: { index: number; name: string } };
  const record = parse(d.cause) as { reason?: string; instanceId?: string; exitStatus?: string | null };
  const state: ItemState = d.status === 'SUCCEEDED' ? 'succeeded' : d.status === 'RUNNING' ? 'running' : d.status === 'FAILED' ? 'failed' : 'stopped';
  return {
    index: input.item?.index ?? -1,
    name: input.item?.name ?? d.name ?? '?',
    state,
    startedAt: d.startDate,
    ...(d.stopDate && { endedAt: d.stopDate }),
    ...(record.instanceId && { instanceId: record.instanceId }),
    ...(state === 'failed' && { reason: record.reason ?? [d.error, d.cause].filter(Boolean).join(': ') }),
  };
}

const parse = (text: string | undefined): Record<string, unknown> => {
  try {
    const value = JSON.parse(text ?? '{}');
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

export function renderProgress(p: SweepProgress): string {
  const done = p.succeeded + p.failed;
  const lines = [
    `Sweep ID:        ${p.sweepId}`,
    `Sweep:           ${p.sweep} (${p.mode} Map)`,
    `Status:          ${p.status}${p.error ? ` (${p.error}${p.cause ? `: ${clip(p.cause, 100)}` : ''})` : ''}`,
    `Started:         ${formatTime(p.startDate)}${p.stopDate ? `   Stopped: ${formatTime(p.stopDate)}` : ''}`,
    `Progress:        ${progressBar(done, p.total)} done`,
    `  launched ${p.launched}, running ${p.running}, succeeded ${p.succeeded}, failed ${p.failed}, not started ${p.notStarted}${p.next !== undefined ? ` (next: item ${p.next})` : ''}`,
    ...(p.maxConcurrent !== undefined ? [`Max concurrent:  ${p.maxConcurrent === 0 ? 'no limit' : p.maxConcurrent}`] : []),
  ];
  if (p.recent.length > 0) {
    lines.push('', `Recent items (last ${p.recent.length}):`);
    lines.push(...table(['INDEX', 'NAME', 'INSTANCE', 'STATE', 'STARTED', 'ENDED'], p.recent.map((i) => [String(i.index), i.name, i.instanceId ?? '-', i.state, formatTime(i.startedAt), formatTime(i.endedAt)])).map((l) => `  ${l}`));
  }
  if (p.failures.length > 0) {
    lines.push('', 'Failed items:');
    for (const f of p.failures) lines.push(`  [${f.index}] ${f.name}: ${clip(f.reason ?? 'failed', 160)}`);
  }
  return lines.join('\n');
}

export function progressJson(p: SweepProgress): unknown {
  const { items: _, ...rest } = p;
  return rest;
}

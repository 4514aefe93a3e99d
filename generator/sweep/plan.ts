// Phase 4 for sweeps: how a sweep becomes a Map state. The choice between an inline Map (items
// in the execution's input, one history for everything) and a Distributed Map (items read from
// S3, one child execution per item) is made here, against Step Functions' limits:
//
// - inline Map iterations run at most 40 at a time;
// - the execution's payload is capped at 256 KiB: the items are its input and the per-item
//   results its output, so each must stay well under half of it (96 KiB);
// - an execution's history holds 25,000 events: every iteration's events count (an EC2 item's
//   wait for its instance is one callback, whatever its ttl; budget: 20,000);
// - and past 1,000 items an inline Map is simply the wrong tool.
//
// Any one of these sends the sweep to a Distributed Map, which has none of them.
import { createHash } from 'node:crypto';
import { MARKER_BUCKET, placeholder } from '../contract/placeholders.ts';
import { bootPieces, launchFields, paramTagKeys, reportsExit, shapeOf, tagValue, type LaunchFields } from './ec2.ts';
import type { Json, Sweep, SweepItem, ToleratedFailures } from './model.ts';

export type SweepMode = 'inline' | 'distributed';

/** The stack creates the bucket when the sweep names none (as for workflows). */
const MARKER_BUCKET_PLACEHOLDER = placeholder(MARKER_BUCKET);

/**
 * Runner Tasks time out at their item's ttl. TimeoutSecondsPath would read it from the item, but
 * engines disagree on which input it reads (the local engine reads the Task's Parameters), so
 * each distinct ttl gets its own Task state, chosen by the item's `shape`; past this many
 * distinct ttls, all items share the longest.
 */
const MAX_TIMEOUT_SHAPES = 8;

const INLINE_LIMITS = {
  concurrency: 40,
  items: 1_000,
  itemsBytes: 96 * 1024,
  resultsBytes: 96 * 1024,
  historyEvents: 20_000,
};

/** The state machine terminates an instance this long after its ttl (it should have stopped itself). */
const TTL_GRACE_SECONDS = 300;
/**
 * The deadline of an instance without a ttl: a standard execution (and a Distributed Map's child)
 * lives at most a year, so its wait cannot outlast that. Step Functions takes timeouts up to
 * 99999999 s; a year keeps the waiter record's expiry (deadline + grace) meaningful too.
 */
export const NO_TTL_DEADLINE_SECONDS = 365 * 24 * 3600;
/** How long the item waits for an instance it terminated (past its ttl) to be reported terminated. */
export const TERMINATION_WAIT_SECONDS = 600;

/** One item as the Map state gets it (JSON, key order fixed). */
export interface RuntimeItem {
  index: number;
  name: string;
  /** Seconds to wait before launching (launch_delay spacing). */
  delay?: number;
  /** Which launch Task (when the items' requests differ in their optional fields). */
  shape?: number;
  /** Only in a sweep that spans regions: where this item runs (and its instance subject's region). */
  region?: string;
  launch?: LaunchFields;
  /** Values of the param tags, in the order of `Ec2Plan.paramTags`. */
  tags?: string[];
  env?: string;
  userData?: string;
  command?: string;
  /**
   * EC2: the deadline of the wait for the instance's end (its TimeoutSecondsPath), after which the
   * state machine terminates it: ttl + grace, or NO_TTL_DEADLINE_SECONDS without a ttl.
   */
  deadline?: number;
  reportsExit?: boolean;
  /** Lambda / state machine / task runners: the parameter set. */
  params?: Record<string, Json>;
}

interface Ec2Plan {
  /** Optional RunInstances fields of each launch Task. */
  shapes: string[][];
  paramTags: string[];
  /** Every region the items name (sorted); empty: the stack's own region. */
  regions: string[];
  /** More than one region: EC2 calls go through the cross-region function. */
  crossRegion: boolean;
}

interface RunnerPlan {
  /** TimeoutSeconds of each run Task (undefined: none); items choose by `shape` when there are several. */
  timeouts: (number | undefined)[];
}

export interface SweepPlan {
  sweep: Sweep;
  mode: SweepMode;
  /** Why this mode, in words (for --dry-run and the docs). */
  reasons: string[];
  maxConcurrent: number;
  launchDelaySeconds: number;
  tolerated: ToleratedFailures;
  /** Inline Maps count failures themselves: the tolerated count for these items. */
  toleratedCount: number;
  items: RuntimeItem[];
  itemsBytes: number;
  /** Events in the largest execution's history: the whole sweep (inline) or one item's child (distributed). */
  historyEvents: number;
  /** State transitions of the whole sweep, at most (for the cost estimate). */
  transitions: number;
  ec2?: Ec2Plan;
  runner?: RunnerPlan;
  bucket: string;
  /** S3 keys: the items a deployed distributed sweep reads by default, and where results go. */
  keys: { items: string; results: string };
}

export function planSweep(sweep: Sweep): SweepPlan {
  const ec2 = sweep.runner.type === 'ec2' ? planEc2(sweep.items) : undefined;
  const runner = sweep.runner.type === 'ec2' ? undefined : planRunner(sweep.items);
  const items = runtimeItems(sweep, ec2, runner);
  const itemsJson = JSON.stringify(items);
  const itemsBytes = Buffer.byteLength(itemsJson);
  const perItem = sweep.items.map((i) => itemEvents(sweep, i, ec2));
  const inlineHistory = 40 + perItem.reduce((a, b) => a + b, 0);
  const resultsBytes = sweep.items.reduce((n, i) => n + 240 + Buffer.byteLength(i.name), 2);
  const count = sweep.items.length;
  const effective = sweep.maxConcurrent === 0 ? count : Math.min(count, sweep.maxConcurrent);

  const over: string[] = [];
  if (effective > INLINE_LIMITS.concurrency) over.push(`${sweep.maxConcurrent === 0 ? `no concurrency limit on ${count} items` : `max_concurrent ${sweep.maxConcurrent}`} is above the inline Map's ${INLINE_LIMITS.concurrency}`);
  if (count > INLINE_LIMITS.items) over.push(`${count} items are more than ${INLINE_LIMITS.items}`);
  if (itemsBytes > INLINE_LIMITS.itemsBytes) over.push(`the items take ${kib(itemsBytes)} of the 256 KiB input (inline budget ${kib(INLINE_LIMITS.itemsBytes)})`);
  if (resultsBytes > INLINE_LIMITS.resultsBytes) over.push(`their results would take about ${kib(resultsBytes)} of the 256 KiB output`);
  if (inlineHistory > INLINE_LIMITS.historyEvents) over.push(`one execution would log about ${inlineHistory.toLocaleString('en-US')} history events (limit 25,000)`);
  const mode: SweepMode = over.length === 0 ? 'inline' : 'distributed';
  const reasons =
    mode === 'inline'
      ? [`${count} items, at most ${effective} at a time, ${kib(itemsBytes)} of items and about ${inlineHistory.toLocaleString('en-US')} history events fit an inline Map`]
      : over;

  const tolerated = sweep.toleratedFailures;
  const prefix = `${sweep.markers.prefix}_sweeps/${sweep.name}/`;
  const digest = createHash('sha256').update(itemsJson).digest('hex').slice(0, 12);
  return {
    sweep,
    mode,
    reasons,
    maxConcurrent: sweep.maxConcurrent,
    launchDelaySeconds: sweep.launchDelaySeconds,
    tolerated,
    toleratedCount: toleratedCount(tolerated, count),
    items,
    itemsBytes,
    historyEvents: mode === 'inline' ? inlineHistory : 40 + Math.max(0, ...perItem),
    transitions: 20 + perItem.reduce((a, b) => a + Math.ceil(b / 2), 0),
    ...(ec2 && { ec2 }),
    ...(runner && { runner }),
    bucket: sweep.markers.bucket ?? MARKER_BUCKET_PLACEHOLDER,
    keys: { items: `${prefix}items-${digest}.json`, results: `${prefix}results` },
  };
}

/** A percentage of these items, rounded down: "10%" of 25 items tolerates 2 failures. */
export const toleratedCount = (tolerated: ToleratedFailures, count: number): number =>
  'count' in tolerated ? tolerated.count : Math.floor((tolerated.percent * count) / 100);

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

function planEc2(items: readonly SweepItem[]): Ec2Plan {
  const shapes = new Map<string, string[]>();
  for (const item of items) {
    const shape = shapeOf(launchFields(item));
    shapes.set(shape.join(','), shape);
  }
  const regions = [...new Set(items.map((i) => i.fields.region).filter((r): r is string => typeof r === 'string'))].sort();
  return {
    shapes: [...shapes.keys()].sort().map((k) => shapes.get(k)!),
    paramTags: paramTagKeys(items),
    regions,
    crossRegion: regions.length > 1,
  };
}

function planRunner(items: readonly SweepItem[]): RunnerPlan {
  const distinct = [...new Set(items.map((i) => i.ttlSeconds))].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
  if (distinct.length <= MAX_TIMEOUT_SHAPES) return { timeouts: distinct };
  return { timeouts: [distinct.includes(undefined) ? undefined : Math.max(...(distinct as number[]))] };
}

function runtimeItems(sweep: Sweep, ec2: Ec2Plan | undefined, runner: RunnerPlan | undefined): RuntimeItem[] {
  const concurrency = sweep.maxConcurrent === 0 ? sweep.items.length : sweep.maxConcurrent;
  const shapeIndex = new Map(ec2?.shapes.map((s, i) => [s.join(','), i]));
  return sweep.items.map((item, position): RuntimeItem => {
    const delay = launchDelayOf(position, concurrency, sweep.launchDelaySeconds);
    const common = { index: item.index, name: item.name, ...(sweep.launchDelaySeconds > 0 && { delay }) };
    if (!ec2) {
      const shape = runner!.timeouts.length > 1 ? runner!.timeouts.indexOf(item.ttlSeconds) : 0;
      return { ...common, ...(runner!.timeouts.length > 1 && { shape }), params: { ...item.fields } };
    }
    const launch = launchFields(item);
    const exits = reportsExit(item);
    const boot = bootPieces(sweep.name, item, exits);
    return {
      ...common,
      ...(ec2.shapes.length > 1 && { shape: shapeIndex.get(shapeOf(launch).join(','))! }),
      ...(ec2.crossRegion && { region: item.fields.region as string }),
      launch,
      tags: ec2.paramTags.map((k) => tagValue(item.fields[k])),
      env: boot.env,
      userData: boot.userData,
      command: boot.command,
      deadline: item.ttlSeconds !== undefined ? item.ttlSeconds + TTL_GRACE_SECONDS : NO_TTL_DEADLINE_SECONDS,
      reportsExit: exits,
    };
  });
}

/**
 * launch_delay under a rolling queue: the item at position p waits (p mod N) x delay before it
 * launches, N being the concurrency. The first N launches are exactly `delay` apart; later items
 * start when a slot frees, and items that start together (slots freed at the same moment) are
 * consecutive, so their offsets differ and their launches stay `delay` apart too. Step Functions
 * offers no shared clock or counter across iterations, so this is spacing by construction, not a
 * lock: two launches can still meet when N+1 items start within one delay, which needs items that
 * end almost as soon as they start (failed launches). Positions, not indexes: a resumed subset is
 * spaced from its own start.
 */
export const launchDelayOf = (position: number, concurrency: number, delaySeconds: number): number =>
  delaySeconds === 0 ? 0 : (position % Math.max(1, concurrency)) * delaySeconds;

/** History events of one item's iteration (see the emitted states): the basis of the mode choice. */
function itemEvents(sweep: Sweep, item: SweepItem, ec2: Ec2Plan | undefined): number {
  const iteration = 2 + 2 + (sweep.launchDelaySeconds > 0 ? 2 : 0);
  if (!ec2) return iteration + 5 * (1 + sweep.retry.attempts) + 2;
  // The shape Choice, the launch Task, the wait (a callback: entered, scheduled, started,
  // submitted, succeeded or timed out, exited), past the ttl a terminate and a second wait, the
  // exit status, the outcome Choices, the end reason, the record: whatever the ttl.
  return iteration + (ec2.shapes.length > 1 ? 2 : 0) + 5 + 6 + (item.ttlSeconds !== undefined ? 5 + 6 : 0) + 5 + 4 + 5 + 2;
}

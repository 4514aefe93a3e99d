// What the deadline handler is asked, and the names of what it creates (docs/architecture.md,
// "Deadlines"). The run's first state arms the watch, its last state ends it; in between, one
// EventBridge Scheduler one-time schedule per run, in the workflow's own schedule group, wakes
// the handler at the next checkpoint (contract/deadlines.ts) with `check`.

import type { LearnedFigures } from './job-durations.ts';

/** `Deadline watch` (after `Prepare run`) asks to arm; the run's input says whether it is a replay. */
export interface ArmRequest {
  action: 'arm';
  execution: string;
  /** `$$.Execution.StartTime`: a redrive keeps it, so deadlines stay where they were. */
  startTime: string;
  input: { select?: unknown };
}

/** `Deadline watch ends` (the run's last state): the run is done, the watch goes. */
export interface EndRequest {
  action: 'end';
  execution: string;
}

/** What the schedule hands the handler when it fires. */
export interface CheckRequest {
  action: 'check';
  execution: string;
  startTime: string;
  /** The alerts already sent for this run (contract/deadlines.ts: alertKey). */
  sent: string[];
  /** The jobs' durations learned from past runs when the run was armed (contract/job-durations.ts). */
  figures?: LearnedFigures;
}

export type DeadlineRequest = ArmRequest | EndRequest | CheckRequest;

export const DEADLINE_STATES = { watch: 'Deadline watch', end: 'Deadline watch ends' } as const;

/** The schedule group of a workflow's deadline schedules: IAM grants stop at it. */
export const deadlineGroupName = (workflow: string): string => `stepgraph-${workflow}`;

const SCHEDULE_NAME = /^[0-9A-Za-z_.-]{1,64}$/;

/**
 * The schedule of one run: its execution name, which is unique in the group (only the workflow's
 * main machine arms) and readable in the console; a name Scheduler would refuse (over 64
 * characters, other characters) becomes `run-<hash>`.
 */
export function deadlineScheduleName(executionArn: string): string {
  const name = executionArn.slice(executionArn.lastIndexOf(':') + 1);
  return SCHEDULE_NAME.test(name) ? name : `run-${fnv1a(name, 0x811c9dc5)}${fnv1a(name, 0x01000193)}`;
}

/** 32-bit FNV-1a as 8 hex digits (the contract imports no Node module, so no crypto here). */
function fnv1a(text: string, seed: number): string {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, the Scheduler's one-time expression, for an instant in whole minutes. */
export function atExpression(ms: number): string {
  return `at(${new Date(ms).toISOString().slice(0, 19)})`;
}

// When each job of a plan arrives, starts and finishes if every job takes a given time: the
// plan's semantics without the ASL. A job arrives when the nesting releases it (the items
// before it in its sequences are done, a Parallel waits for all its branches), starts once its
// in-run waits have seen what they wait for, and finishes after its duration.
//
// Used for the worst-case history of in-run waits (how long a wait is expected to poll) and by
// the benchmark. External markers are taken as present (`waits_for` adds no time here).
import { jobMap, topologicalOrder, type Job, type Workflow } from '../model.ts';
import type { Block, Plan } from './plan.ts';

export interface JobTimes {
  /** When the nesting releases the job (its first state is entered). */
  arrive: number;
  /** When its Task starts (after its in-run waits). */
  start: number;
  finish: number;
}

export interface TimelineOptions {
  /** A job's duration in seconds; default its estimate (60 s without one). */
  duration?: (job: Job) => number;
  /**
   * When a wait of `job` for `after`, reached at `arrive`, lets the job go, if `after` signals
   * at `ready`. Default: at once when the signal is there, else the moment it is (no polling).
   */
  waitDone?: (job: string, after: string, arrive: number, ready: number) => number;
}

export const DEFAULT_DURATION = 60;

export function planTimeline(workflow: Workflow, plan: Plan, options: TimelineOptions = {}): Map<string, JobTimes> {
  const duration = options.duration ?? ((j: Job) => j.estimateSeconds ?? DEFAULT_DURATION);
  const waitDone = options.waitDone ?? ((_j: string, _a: string, arrive: number, ready: number) => Math.max(arrive, ready));
  const jobs = jobMap(workflow);

  // Nodes: one per job, one per Parallel (its join). pred[x]: the node whose end releases x (-1: the start).
  const jobNode = new Map<string, number>();
  const pred: number[] = [];
  const joinPreds: number[][] = [];
  const nodeJob: (string | undefined)[] = [];
  const walk = (block: Block, before: number): number => {
    switch (block.kind) {
      case 'job': {
        const id = pred.length;
        pred.push(before);
        joinPreds.push([]);
        nodeJob.push(block.job);
        jobNode.set(block.job, id);
        return id;
      }
      case 'seq': {
        let end = before;
        for (const item of block.items) end = walk(item, end);
        return end;
      }
      case 'par': {
        const ends: number[] = [];
        for (const branch of block.branches) ends.push(walk(branch, before));
        const id = pred.length;
        pred.push(-1);
        joinPreds.push(ends);
        nodeJob.push(undefined);
        return id;
      }
    }
  };
  walk(plan.root, -1);

  const waits = new Map<string, string[]>();
  for (const s of plan.sync) {
    if (!waits.has(s.job)) waits.set(s.job, []);
    waits.get(s.job)!.push(s.after);
  }

  // Every node after what releases it and after the jobs it waits for: evaluate in that order.
  const n = pred.length;
  const after: number[][] = Array.from({ length: n }, () => []);
  const indegree = new Int32Array(n);
  const link = (from: number, to: number): void => {
    after[from].push(to);
    indegree[to]++;
  };
  for (let x = 0; x < n; x++) {
    if (pred[x] >= 0) link(pred[x], x);
    for (const p of joinPreds[x]) link(p, x);
    const job = nodeJob[x];
    for (const u of (job && waits.get(job)) || []) link(jobNode.get(u)!, x);
  }
  const end = new Float64Array(n);
  const times = new Map<string, JobTimes>();
  const ready: number[] = [];
  for (let x = 0; x < n; x++) if (indegree[x] === 0) ready.push(x);
  let seen = 0;
  while (ready.length > 0) {
    const x = ready.pop()!;
    seen++;
    const job = nodeJob[x];
    if (job === undefined) {
      let last = 0;
      for (const p of joinPreds[x]) last = Math.max(last, end[p]);
      end[x] = last;
    } else {
      const arrive = pred[x] >= 0 ? end[pred[x]] : 0;
      let start = arrive;
      for (const u of waits.get(job) ?? []) start = waitDone(job, u, start, end[jobNode.get(u)!]);
      const finish = start + duration(jobs.get(job)!);
      end[x] = finish;
      times.set(job, { arrive, start, finish });
    }
    for (const y of after[x]) if (--indegree[y] === 0) ready.push(y);
  }
  if (seen !== n) throw new Error('plan timeline: the nesting and the in-run waits form a cycle');
  return times;
}

/** The critical path: the longest chain of needs, with each job taking its duration. */
export function criticalPath(workflow: Workflow, duration: (job: Job) => number = (j) => j.estimateSeconds ?? DEFAULT_DURATION): number {
  const finish = new Map<string, number>();
  let longest = 0;
  for (const job of topologicalOrder(workflow.jobs)) {
    let start = 0;
    for (const n of job.needs) start = Math.max(start, finish.get(n)!);
    const f = start + duration(job);
    finish.set(job.name, f);
    longest = Math.max(longest, f);
  }
  return longest;
}

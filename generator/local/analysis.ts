// Reading a finished run against the plan: the critical path (the longest chain of needs by the
// durations the run used) and why the run ended later than that path, walking back from the job
// the run ended with through the need each job waited for last.
import { formatDuration } from '../check/values.ts';
import { topologicalOrder, type Workflow } from '../model.ts';
import type { JobTimeline } from './timeline.ts';

export interface CriticalPath {
  seconds: number;
  jobs: string[];
}

/** The longest chain of needs; jobs not in `selected` take no time (a replay skips them). */
export function criticalPath(workflow: Workflow, seconds: ReadonlyMap<string, number>, selected?: ReadonlySet<string>): CriticalPath {
  const finish = new Map<string, number>();
  const via = new Map<string, string | undefined>();
  for (const job of topologicalOrder(workflow.jobs)) {
    let start = 0;
    let before: string | undefined;
    for (const need of job.needs) {
      if (finish.get(need)! > start) {
        start = finish.get(need)!;
        before = need;
      }
    }
    finish.set(job.name, start + (selected && !selected.has(job.name) ? 0 : (seconds.get(job.name) ?? 0)));
    via.set(job.name, before);
  }
  let last: string | undefined;
  for (const [name, end] of finish) if (last === undefined || end > finish.get(last)!) last = name;
  const jobs: string[] = [];
  for (let j = last; j !== undefined; j = via.get(j)) jobs.unshift(j);
  return { seconds: last === undefined ? 0 : finish.get(last)!, jobs };
}

type DelayKind = 'external-wait' | 'in-run-wait' | 'overrun' | 'start' | 'tail';

interface Delay {
  job: string;
  kind: DelayKind;
  seconds: number;
  text: string;
}

export interface Lateness {
  /** The chain of needs the run ended with, first job first. */
  chain: string[];
  delays: Delay[];
}

/**
 * Walks back from the last job done: at each job, how long it stood in waits after its last
 * need was done, how much longer than planned it ran, and (data pipelines) how long after the
 * pipeline ended its marker was seen. `planned` is each job's duration in the plan, `late`
 * what `--late` added.
 */
export function explainLateness(
  workflow: Workflow,
  timelines: readonly JobTimeline[],
  planned: ReadonlyMap<string, number>,
  late: ReadonlyMap<string, number>,
  run: { startedAt: number; endedAt: number },
  /** When late external markers appeared (epoch ms), where known. */
  appeared: ReadonlyMap<string, number> = new Map(),
): Lateness {
  const byName = new Map(timelines.map((t) => [t.name, t]));
  const needs = new Map(workflow.jobs.map((j) => [j.name, j.needs]));
  const ran = timelines.filter((t) => t.doneAt !== undefined && t.startAt !== undefined);
  if (ran.length === 0) return { chain: [], delays: [] };
  let current = ran.reduce((a, b) => (b.doneAt! > a.doneAt! ? b : a));
  const delays: Delay[] = [];
  const s = (ms: number): number => Math.round(ms / 1000);
  const add = (job: string, kind: DelayKind, ms: number, text: string): void => {
    if (s(ms) > 0) delays.push({ job, kind, seconds: s(ms), text });
  };
  add(current.name, 'tail', run.endedAt - current.doneAt!, `the run ended ${d(run.endedAt - current.doneAt!)} after ${current.name} was done`);
  const chain: string[] = [];
  for (;;) {
    const t = current;
    chain.unshift(t.name);
    const ranFor = (t.endAt ?? t.doneAt!) - t.startAt!;
    const plan = (planned.get(t.name) ?? 0) * 1000;
    if (ranFor > plan) {
      const why = [t.attempts > 1 ? `${t.attempts} attempts, retry pauses included` : '', late.has(t.name) ? `--late ${formatDuration(late.get(t.name)!)}` : ''].filter(Boolean).join(', ');
      add(t.name, 'overrun', ranFor - plan, `${t.name}: ran ${d(ranFor)} instead of ${d(plan)}${why ? ` (${why})` : ''}`);
    }
    const done = (needs.get(t.name) ?? []).map((n) => byName.get(n)!).filter((n) => n.doneAt !== undefined);
    const previous = done.length > 0 ? done.reduce((a, b) => (b.doneAt! > a.doneAt! ? b : a)) : undefined;
    const readyAt = previous?.doneAt ?? run.startedAt;
    let explained = 0;
    for (const w of t.waits) {
      if (w.to === undefined) continue;
      const from = Math.max(w.from, readyAt);
      const ms = Math.min(w.to, t.startAt!) - from;
      if (ms <= 0) continue;
      explained += ms;
      if (w.wait === 'external') {
        const at = appeared.get(w.what);
        const seen = at !== undefined && at >= w.from && w.to >= at ? ` (it appeared at ${clock(at - run.startedAt)})` : '';
        add(t.name, 'external-wait', ms, `${t.name}: waited ${d(ms)} for marker '${w.what}'${seen}`);
      } else {
        add(t.name, 'in-run-wait', ms, `${t.name}: waited ${d(ms)} for the in-run signal of ${w.what}`);
      }
    }
    const rest = t.startAt! - readyAt - explained;
    add(t.name, 'start', rest, `${t.name}: started ${d(rest)} after ${previous ? `${previous.name} was done` : 'the run started'}`);
    if (!previous) break;
    current = previous;
  }
  return { chain, delays: delays.reverse() };
}

const d = (ms: number): string => formatDuration(Math.round(ms / 1000));

/** h:mm:ss from a number of milliseconds. */
export function clock(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

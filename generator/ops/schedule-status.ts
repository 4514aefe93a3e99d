// The schedule's line in `status`: whether the workflow's schedule is paused (and since when), and
// its next fire time on its time zone's clock. A schedule that cannot be read (not deployed, no
// permission) does not fail the run's status: the line says why it is missing.
import { UserError } from '../errors.ts';
import type { Workflow } from '../model.ts';
import type { Aws } from './aws.ts';
import { getSchedule, nextFireTimes } from './schedule.ts';

export interface ScheduleState {
  state: string | null;
  pausedAt: string | null;
  next: { at: string; local: string; date: string } | null;
  /** Why the schedule could not be read. */
  problem?: string;
}

/** undefined for a workflow without a schedule. */
export async function scheduleState(aws: Aws, workflow: Workflow | undefined, now: number): Promise<ScheduleState | undefined> {
  if (!workflow?.schedule) return undefined;
  try {
    const current = await getSchedule(aws, workflow);
    const expression = { expression: current.ScheduleExpression ?? workflow.schedule.expression, timezone: current.ScheduleExpressionTimezone || workflow.schedule.timezone };
    const [next] = nextFireTimes(workflow, expression, now, 1, (current.StartDate ?? current.CreationDate)?.getTime());
    const paused = current.State === 'DISABLED';
    return { state: current.State ?? null, pausedAt: paused ? (current.LastModificationDate?.toISOString() ?? null) : null, next: next ?? null };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { state: null, pausedAt: null, next: null, problem: error.message };
  }
}

function renderScheduleState(s: ScheduleState): string {
  if (s.problem) return `schedule: not read (${s.problem})`;
  const next = s.next ? `${s.next.local} (${s.next.at}), run ${s.next.date}` : 'none';
  if (s.state === 'DISABLED') return `schedule: PAUSED since ${s.pausedAt ?? '?'}; once resumed, next fire ${next} (npx stepgraph schedule resume)`;
  return `schedule: ${s.state === 'ENABLED' ? 'enabled' : (s.state ?? 'unknown')}; next fire ${next}`;
}

/** A status snapshot with the schedule's state added: a line of text, or a `schedule` key of the JSON. */
export function withScheduleState(text: string, json: boolean, s: ScheduleState | undefined): string {
  if (!s) return text;
  return json ? JSON.stringify({ ...(JSON.parse(text) as object), schedule: s }, null, 2) : `${text}\n${renderScheduleState(s)}`;
}

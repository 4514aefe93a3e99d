// `stepgraph schedule show|pause|resume <workflow>`: the workflow's EventBridge Scheduler
// schedule. show prints its state and next fire times in its time zone (--offline: from the file
// alone, no AWS); pause disables it; resume enables it and, with `catch_up: true`, first starts the
// runs whose fire times the pause missed, oldest first, under their own names, through the
// schedule's overlap rule.
import { parseArgs } from 'node:util';
import type { GetScheduleOutput } from '@aws-sdk/client-scheduler';
import { scheduleName } from '../../contract/schedule-names.ts';
import { catchUpSplit, resumeNeedsBusy } from '../../contract/schedule-decisions.ts';
import { withoutPause, withPause } from '../../contract/pause-record.ts';
import { didYouMean } from '../../contract/suggest.ts';
import { UserError, ExitCode } from '../../errors.ts';
import type { Workflow } from '../../model.ts';
import type { Aws } from '../../ops/aws.ts';
import { listExecutions } from '../../ops/executions.ts';
import { AWS_OPTIONS, AWS_USAGE, connectFrom, onePositional, positiveInt } from '../../ops/options.ts';
import { getSchedule, missedOffline, missedRuns, nextFireTimes, setState, startMissed, writtenSchedule, type FireTime, type Missed } from '../../ops/schedule.ts';
import { resolveStateMachineArn } from '../../ops/state-machine.ts';
import { loadWorkflow } from '../../ops/workflows.ts';
import { printJson } from '../json.ts';

export const usage = `stepgraph schedule show <workflow> [--count 5] [--offline [--paused-since INSTANT]] [--json] ${AWS_USAGE}
stepgraph schedule pause <workflow> [--json] ${AWS_USAGE}
stepgraph schedule resume <workflow> [--no-catch-up] [--json] ${AWS_USAGE}

show: whether the schedule is paused (and since when), its next fire times on its time zone's
clock and the run date each starts, and the runs a resume would catch up. --offline reads the
workflow file only (no AWS): the next fire times of the schedule as written; with
--paused-since 2019-03-11T10:00:00Z, also the runs a resume with catch_up would start, had the
schedule been paused then (offline, every one counts as missing).
resume: with 'catch_up: true' in the schedule, first starts the runs whose fire times the pause
missed (oldest first, named <workflow>-<date>; overlap skip or queue start one at a time).`;

const VERBS = ['show', 'pause', 'resume'] as const;

export async function run(args: string[], now = Date.now()): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...AWS_OPTIONS,
      count: { type: 'string' },
      offline: { type: 'boolean', default: false },
      'paused-since': { type: 'string' },
      'no-catch-up': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const [verb, ...rest] = positionals;
  if (!(VERBS as readonly string[]).includes(verb ?? '')) {
    const hint = verb === undefined ? undefined : didYouMean(verb, VERBS);
    throw new UserError(`${verb === undefined ? 'missing verb' : `unknown verb '${verb}'`}: ${hint ?? `use one of ${VERBS.join(', ')}`}; usage: ${usage.split('\n')[0]}`);
  }
  const { workflow } = loadWorkflow(onePositional(rest, usage), values.workflows);
  const written = writtenSchedule(workflow);
  const count = positiveInt(values.count, '--count', 5);
  if (values['paused-since'] !== undefined && !values.offline) throw new UserError('--paused-since goes with --offline: a deployed schedule knows when it was paused');
  if (values.offline) {
    if (verb !== 'show') throw new UserError(`--offline goes with 'schedule show' only: ${verb} changes the deployed schedule`);
    // Offline, a rate(...) has no deployed start to count from: its intervals count from now.
    const next = nextFireTimes(workflow, written, now, count, now);
    const since = values['paused-since'] === undefined ? undefined : pausedSince(values['paused-since'], now);
    const catchUp = since === undefined ? [] : missedOffline(workflow, written, since, now, since);
    if (values.json) printJson({ workflow: workflow.name, schedule: scheduleName(workflow.name), state: null, ...control(workflow), next, ...(since !== undefined && { catchUpRuns: catchUp }) });
    else printShow(workflow, since === undefined ? undefined : { State: 'DISABLED', LastModificationDate: new Date(since) }, next, catchUp, true);
    return ExitCode.ok;
  }
  const aws = await connectFrom(values);
  const current = await getSchedule(aws, workflow);
  if (verb === 'show') return show(aws, workflow, current, { now, count, json: values.json, arn: values['state-machine-arn'] });
  if (verb === 'pause') return pause(aws, workflow, current, values.json, now);
  return resume(aws, workflow, current, { now, json: values.json, catchUp: written.catchUp === true && !values['no-catch-up'], arn: values['state-machine-arn'] });
}

const control = (workflow: Workflow) => ({
  expression: workflow.schedule!.expression,
  timezone: workflow.schedule!.timezone ?? 'UTC',
  overlap: workflow.schedule!.overlap ?? 'allow',
  catchUp: workflow.schedule!.catchUp ?? false,
});

interface ShowOptions {
  now: number;
  count: number;
  json: boolean;
  arn?: string;
}

async function show(aws: Aws, workflow: Workflow, current: GetScheduleOutput, o: ShowOptions): Promise<number> {
  const deployed = { expression: current.ScheduleExpression ?? workflow.schedule!.expression, timezone: current.ScheduleExpressionTimezone || workflow.schedule!.timezone };
  const next = nextFireTimes(workflow, deployed, o.now, o.count, (current.StartDate ?? current.CreationDate)?.getTime());
  const paused = current.State === 'DISABLED';
  const catchUp = paused && workflow.schedule!.catchUp ? await missedRuns(aws, workflow, current, await resolveStateMachineArn(aws, workflow.name, o.arn), o.now) : [];
  if (o.json) {
    printJson({
      workflow: workflow.name,
      schedule: current.Name ?? scheduleName(workflow.name),
      state: current.State ?? null,
      pausedAt: paused ? (current.LastModificationDate?.toISOString() ?? null) : null,
      ...control(workflow),
      expression: deployed.expression,
      timezone: deployed.timezone ?? 'UTC',
      next,
      catchUpRuns: catchUp.map((m) => ({ run: m.run, date: m.date, at: m.at })),
    });
    return ExitCode.ok;
  }
  printShow(workflow, current, next, catchUp, false);
  return ExitCode.ok;
}

function printShow(workflow: Workflow, current: GetScheduleOutput | undefined, next: FireTime[], catchUp: Missed[], offline: boolean): void {
  const c = control(workflow);
  const paused = current?.State === 'DISABLED';
  const since = paused ? `PAUSED since ${current.LastModificationDate?.toISOString() ?? '?'}` : 'enabled';
  const state = offline ? `as written in the file (offline: its deployed state is not read)${paused ? `; supposing it ${since}` : ''}` : since;
  console.log(`schedule ${current?.Name ?? scheduleName(workflow.name)}: ${state}`);
  console.log(`  ${current?.ScheduleExpression ?? c.expression} in ${current?.ScheduleExpressionTimezone || c.timezone}; overlap: ${c.overlap}; catch_up: ${c.catchUp}`);
  if (next.length === 0) console.log('  it fires no more');
  else {
    console.log(paused ? '  next fire times once resumed:' : '  next fire times:');
    for (const f of next) console.log(`    ${f.local}  (${f.at})  run ${f.date}`);
  }
  if (paused && workflow.schedule!.catchUp) {
    console.log(catchUp.length === 0 ? '  a resume catches up no run' : `  a resume catches up ${catchUp.length} run${catchUp.length === 1 ? '' : 's'}: ${catchUp.map((m) => m.run).join(', ')}`);
  }
}

async function pause(aws: Aws, workflow: Workflow, current: GetScheduleOutput, json: boolean, now: number): Promise<number> {
  const name = current.Name ?? scheduleName(workflow.name);
  const already = current.State === 'DISABLED';
  // With catch_up deployed, the pause instant goes into the schedule's input, so that the first
  // fire after a resume made anywhere (the console included) catches up (contract/pause-record.ts).
  const recorded = already ? undefined : withPause(current.Target?.Input, now);
  if (!already) await setState(aws, current, { State: 'DISABLED', ...(recorded !== undefined && { input: recorded }) });
  if (json) printJson({ schedule: name, state: 'DISABLED', changed: !already, pauseRecorded: recorded !== undefined });
  else {
    console.log(already ? `${name} is paused already (since ${current.LastModificationDate?.toISOString() ?? '?'})` : `paused ${name}: no run starts until \`npx stepgraph schedule resume ${workflow.name}\``);
    if (recorded !== undefined) console.log('  the pause is recorded in the schedule: a resume anywhere (the AWS console too) catches up at the next fire');
  }
  return ExitCode.ok;
}

interface ResumeOptions {
  now: number;
  json: boolean;
  catchUp: boolean;
  arn?: string;
}

async function resume(aws: Aws, workflow: Workflow, current: GetScheduleOutput, o: ResumeOptions): Promise<number> {
  const name = current.Name ?? scheduleName(workflow.name);
  if (current.State !== 'DISABLED') {
    if (o.json) printJson({ schedule: name, state: current.State ?? null, changed: false, started: [], held: [] });
    else console.log(`${name} is not paused; nothing to resume`);
    return ExitCode.ok;
  }
  const overlap = workflow.schedule!.overlap ?? 'allow';
  const started: string[] = [];
  const held: Missed[] = [];
  // The missed runs start before the schedule is enabled: if a start fails, the schedule stays
  // paused with its pause time, and the same resume, run again, finds the rest (names make the
  // starts that went through count as done).
  if (o.catchUp) {
    const stateMachineArn = await resolveStateMachineArn(aws, workflow.name, o.arn);
    const missed = await missedRuns(aws, workflow, current, stateMachineArn, o.now);
    const busy = resumeNeedsBusy(overlap, missed.length) && (await listExecutions(aws, stateMachineArn, { status: 'RUNNING', limit: 1 })).length > 0;
    const split = catchUpSplit(missed, overlap, busy);
    held.push(...split.held);
    for (const m of split.start) if (await startMissed(aws, stateMachineArn, m)) started.push(m.run);
  }
  // Without catch-up, a queue must not start the fire times the pause missed: the schedule's
  // start date moves to now, and the start handler reads queued starts only after it.
  const startDate = !o.catchUp && overlap === 'queue' ? new Date(Math.floor(o.now / 1000) * 1000) : undefined;
  // The pause record goes with the resume, so the next fire does not catch up a second time.
  const cleared = withoutPause(current.Target?.Input);
  await setState(aws, current, { State: 'ENABLED', ...(startDate && { StartDate: startDate }), ...(cleared !== undefined && { input: cleared }) });
  if (o.json) {
    printJson({ schedule: name, state: 'ENABLED', changed: true, started, held: held.map((m) => m.run), overlap });
    return ExitCode.ok;
  }
  console.log(`resumed ${name}`);
  if (started.length > 0) console.log(`  caught up: started ${started.join(', ')}`);
  if (held.length > 0) {
    const why = overlap === 'queue' ? 'queued (overlap: queue): each starts when the run before it ends' : 'not started (overlap: skip): a run is running or another missed run started first';
    console.log(`  ${held.map((m) => m.run).join(', ')}: ${why}`);
  }
  if (!o.catchUp && workflow.schedule!.catchUp) console.log('  --no-catch-up: the fire times missed while paused are not run');
  return ExitCode.ok;
}

/** --paused-since: an ISO-8601 instant before now. */
function pausedSince(text: string, now: number): number {
  const t = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) || Number.isNaN(t)) {
    throw new UserError(`--paused-since '${text}' is not an instant with its offset, e.g. 2019-03-11T10:00:00Z`);
  }
  if (t >= now) throw new UserError(`--paused-since '${text}' is not in the past`);
  return t;
}

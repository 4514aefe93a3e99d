// Deadline watch (docs/architecture.md, "Deadlines"): the run's `Deadline watch` state arms it,
// EventBridge Scheduler wakes it at each checkpoint with one one-time schedule per run, and
// `Deadline watch ends` deletes that schedule when the run ends. At a checkpoint it reads the
// execution (DescribeExecution, its history), judges every deadline by the contract's logic
// (generator/contract/deadlines.ts), alerts (SNS, Slack) on what became behind or missed, and
// moves the schedule to the next checkpoint, or deletes it once every deadline is settled.
// The jobs' figures are learned once, when the run is armed, from the workflow's last successful
// runs (learned-durations.ts), and ride along in the schedule's input; jobs without one keep
// their estimate. A failed run is watched on: its schedule stays until its deadlines have passed, so the alert
// names what is late; a redrive that ends in time deletes it.
import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { required } from './config.ts';
import { ConfigurationError, InvalidEventError } from './errors.ts';
import { composeDeadlineAlert } from './deadline-alert.ts';
import { deliverAlert, deliveryClients, type AlertDestinations, type DeliveryDeps } from './deliver-alert.ts';
import { log } from './log.ts';
import { learnDurations } from './learned-durations.ts';
import { runEvents } from './run-events.ts';
import { assess, alertKey, newAlerts, nextCheckpoint, type DeadlinePlan, type DeadlineVerdict, type JobProgress } from '../generator/contract/deadlines.ts';
import { atExpression, deadlineScheduleName, type CheckRequest, type DeadlineRequest } from '../generator/contract/deadline-watch.ts';
import { jobProgress } from '../generator/contract/job-progress.ts';
import { LEARNED_RUNS, withFigures } from '../generator/contract/job-durations.ts';

export interface DeadlineConfig extends AlertDestinations {
  workflow: string;
  /** The workflow's schedule group (contract/deadline-watch.ts: deadlineGroupName). */
  group: string;
  /** The role Scheduler assumes to invoke this function. */
  schedulerRoleArn: string;
  plan: DeadlinePlan;
}

export interface DeadlineDeps extends DeliveryDeps {
  scheduler: SchedulerClient;
  sfn: SFNClient;
  config: DeadlineConfig;
  /** This function's ARN: the schedule's target. */
  functionArn: string;
  now: () => number;
  /** How many past successful runs to learn durations from (0: estimates only), and how long that may take. */
  learning?: { runs: number; budgetMs: number };
}

export interface WatchResult {
  /** What happened: armed, checked, ended, or not watched (a replay). */
  outcome: 'armed' | 'checked' | 'ended' | 'not watched';
  verdicts?: DeadlineVerdict[];
  alerts?: string[];
  /** The next checkpoint (ISO-8601), when one is scheduled. */
  next?: string;
}

const MINUTE = 60_000;
/** The arm runs in the run's first state: reading past runs may hold it up this long at most. */
const LEARNING_BUDGET_MS = 20_000;
const STOPPED = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

export async function watchDeadlines(request: DeadlineRequest, deps: DeadlineDeps): Promise<WatchResult> {
  switch (request?.action) {
    case 'arm': {
      // A replay re-runs part of a run: its deadlines would count from its own start, which means nothing.
      if (request.input && typeof request.input === 'object' && request.input.select !== undefined) return { outcome: 'not watched' };
      const start = instant(request.startTime);
      const { runs, budgetMs } = deps.learning ?? { runs: LEARNED_RUNS, budgetMs: LEARNING_BUDGET_MS };
      const figures = runs > 0 ? await learnDurations(deps.sfn, { workflow: deps.config.workflow, plan: deps.config.plan, execution: request.execution, runs, budgetMs, now: deps.now }) : undefined;
      const check: CheckRequest = { action: 'check', execution: request.execution, startTime: request.startTime, sent: [], ...(figures && { figures }) };
      return { outcome: 'armed', ...(await judge(deps, check, start, { done: new Map(), running: new Map() }, false)) };
    }
    case 'check': {
      const start = instant(request.startTime);
      const described = await deps.sfn.send(new DescribeExecutionCommand({ executionArn: request.execution }));
      if (described.status === 'SUCCEEDED') {
        // The run's last state deletes the schedule; this firing raced it. Nothing is late any more.
        await deleteSchedule(deps, request.execution);
        return { outcome: 'checked' };
      }
      const events = await runEvents(deps.sfn, deps.config.workflow, request.execution);
      const progress = jobProgress(events, deps.config.plan.jobs.map((j) => j.name), STOPPED.has(described.status ?? ''));
      return { outcome: 'checked', ...(await judge(deps, request, start, progress, true, described.input)) };
    }
    case 'end':
      await deleteSchedule(deps, request.execution);
      return { outcome: 'ended' };
    default:
      throw new InvalidEventError(`unknown deadline request ${JSON.stringify((request as { action?: unknown })?.action)}`);
  }
}

/** Judges the deadlines now, alerts what is new, and schedules the next look (or deletes the schedule). */
async function judge(deps: DeadlineDeps, request: CheckRequest, start: number, progress: JobProgress, scheduled: boolean, input?: string): Promise<Omit<WatchResult, 'outcome'>> {
  const plan = withFigures(deps.config.plan, request.figures);
  const now = deps.now();
  const verdicts = assess(plan, start, now, progress);
  const fresh = newAlerts(verdicts, request.sent);
  const sent = [...request.sent, ...fresh.map(alertKey)];
  const alerts: string[] = [];
  if (fresh.length > 0) {
    const alert = composeDeadlineAlert({ workflow: deps.config.workflow, executionArn: request.execution, input, verdicts: fresh, all: verdicts, timezone: plan.timezone, ...(plan.source && { source: plan.source }) });
    await deliverAlert(deps, deps.config, alert);
    alerts.push(alert.subject);
    log.info('deadline alert sent', { execution: request.execution, alerts: fresh.map(alertKey) });
  }
  const next = nextCheckpoint(plan, start, now, verdicts);
  if (next === undefined) {
    if (scheduled) await deleteSchedule(deps, request.execution);
    return { verdicts, alerts };
  }
  // Never in the past: a look that ran late schedules the next one for the coming minute.
  const at = Math.max(next, Math.floor(now / MINUTE) * MINUTE + MINUTE);
  // A schedule that fired stays (ActionAfterCompletion NONE) until it is replaced: delete, then create anew.
  if (scheduled) await deleteSchedule(deps, request.execution);
  await createSchedule(deps, { ...request, sent }, at);
  return { verdicts, alerts, next: new Date(at).toISOString() };
}

async function createSchedule(deps: DeadlineDeps, request: CheckRequest, at: number): Promise<void> {
  const { config } = deps;
  const input: CheckRequest = { action: 'check', execution: request.execution, startTime: request.startTime, sent: request.sent, ...(request.figures && { figures: request.figures }) };
  try {
    await deps.scheduler.send(
      new CreateScheduleCommand({
        Name: deadlineScheduleName(request.execution),
        GroupName: config.group,
        ScheduleExpression: atExpression(at),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'NONE',
        Description: `stepgraph ${config.workflow}: next deadline checkpoint of ${request.execution.slice(request.execution.lastIndexOf(':') + 1)}`,
        Target: { Arn: deps.functionArn, RoleArn: config.schedulerRoleArn, Input: JSON.stringify(input), RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 } },
      }),
    );
  } catch (error) {
    // A retried arm (the state's Retry after a timeout) finds its own schedule: it is armed.
    if (error instanceof ConflictException) return;
    throw error;
  }
}

async function deleteSchedule(deps: DeadlineDeps, execution: string): Promise<void> {
  try {
    await deps.scheduler.send(new DeleteScheduleCommand({ Name: deadlineScheduleName(execution), GroupName: deps.config.group }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return;
    throw error;
  }
}

function instant(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new InvalidEventError(`startTime '${text}' is not a time`);
  return ms;
}

/** Checks a deadline plan that came from outside the type system (the bundled module). */
export function deadlineConfig(env: NodeJS.ProcessEnv, plan: unknown): DeadlineConfig {
  const p = plan as DeadlinePlan | undefined;
  if (!p || !Array.isArray(p.jobs) || typeof p.timezone !== 'string') throw new ConfigurationError('the deadline plan was not bundled in (STEPGRAPH_DEADLINE_PLAN; see infra/deadlines.ts)');
  return {
    workflow: required(env, 'WORKFLOW'),
    group: required(env, 'SCHEDULE_GROUP'),
    schedulerRoleArn: required(env, 'SCHEDULER_ROLE_ARN'),
    plan: p,
    ...(env.SNS_TOPIC_ARN && { snsTopicArn: env.SNS_TOPIC_ARN }),
    ...(env.SLACK_WEBHOOK_SECRET && { slackWebhookSecret: env.SLACK_WEBHOOK_SECRET }),
  };
}

const scheduler = new SchedulerClient({});
const sfn = new SFNClient({});
let config: DeadlineConfig | undefined;

// The deadline plan is compiled into the bundle, as the job graph is for notify.ts (infra/deadlines.ts).
declare const STEPGRAPH_DEADLINE_PLAN: unknown;
const bundledPlan = typeof STEPGRAPH_DEADLINE_PLAN === 'undefined' ? undefined : STEPGRAPH_DEADLINE_PLAN;

export const handler = async (request: DeadlineRequest, context: Context): Promise<WatchResult> =>
  watchDeadlines(request, { scheduler, sfn, ...deliveryClients, config: (config ??= deadlineConfig(process.env, bundledPlan)), functionArn: context.invokedFunctionArn, now: Date.now });

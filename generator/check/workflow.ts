// Phase 2, check: read a workflow file's YAML into the model, reporting every problem at its
// place. The model is returned only when no error stands.
import type { Diagnostic } from '../diagnostics.ts';
import { hasErrors } from '../diagnostics.ts';
import { Codes } from '../messages.ts';
import { DEFAULTS, type Alerts, type Job, type Partition, type Schedule, type Trigger, type Workflow } from '../model.ts';
import type { SourceFile } from '../source.ts';
import { checkGraph } from './graph.ts';
import { checkReferences } from './references.ts';
import { checkJob, type JobSpans } from './jobs.ts';
import { checkPastWaits } from './past-waits.ts';
import { checkConditionRefs } from './condition-refs.ts';
import { duration, retryPolicy, waitPolicy } from './options.ts';
import { report } from './values.ts';
import { Reader, type Entry, type Fields } from './reader.ts';
import { scheduleTimingProblems } from './schedule-timing.ts';
import { readScheduleControl, SCHEDULE_CONTROL_KEYS } from './schedule-control.ts';
import { checkScheduleOverlap } from './schedule-overlap.ts';
import { checkDeadlines, deadlineSites, readDeadline } from './deadlines.ts';
import { checkPoolUse, readPools } from './pools.ts';
import { readTriggerMarkers } from './trigger-markers.ts';
import {
  arnProblem,
  atProblem,
  bucketProblem,
  cronProblem,
  prefixProblem,
  rateProblem,
  timezoneProblem,
  workflowNameProblem,
} from './values.ts';

export const WORKFLOW_KEYS = ['name', 'description', 'partition', 'markers', 'schedule', 'defaults', 'alerts', 'jobs', 'triggers', 'deadline', 'pools'] as const;

export interface CheckResult {
  workflow?: Workflow;
  diagnostics: Diagnostic[];
  /** Where each job's name was written (for diagnostics of later phases). */
  jobSpans: Map<string, JobSpans>;
}

export interface CheckOptions {
  /** The current time, for schedules that never fire again and the coming DST changes; default now. */
  now?: Date;
}

export function checkWorkflow(source: SourceFile, options: CheckOptions = {}): CheckResult {
  const diagnostics: Diagnostic[] = [];
  const r = new Reader(source, diagnostics);
  const jobSpans = new Map<string, JobSpans>();
  const top = r.fields(source.root ?? null, 'the workflow', WORKFLOW_KEYS, ['name', 'jobs']);
  if (!top) return { diagnostics, jobSpans };

  const nameEntry = top.get('name');
  const name = r.string(nameEntry);
  if (name !== undefined) report(r, nameEntry!.span, Codes.badWorkflowName, workflowNameProblem(name));
  const descriptionEntry = top.get('description');
  const description = descriptionEntry ? r.string(descriptionEntry) : undefined;
  const partition = readPartition(r, top.get('partition'));
  const markers = readMarkers(r, top.get('markers'));
  const schedule = readSchedule(r, top.get('schedule'), options.now ?? new Date());
  const alerts = readAlerts(r, top.get('alerts'));
  const deadline = readDeadline(r, top.get('deadline'));

  const defaultsFields = r.fields(r.map(top.get('defaults')) ?? null, "'defaults'", ['timeout', 'retry', 'wait']) ?? new Map();
  const defaults = {
    timeoutSeconds: duration(r, defaultsFields.get('timeout')) ?? DEFAULTS.timeoutSeconds,
    retry: retryPolicy(r, defaultsFields.get('retry'), DEFAULTS.retry),
    wait: waitPolicy(r, defaultsFields.get('wait'), DEFAULTS.wait),
  };

  const jobs: Job[] = [];
  const jobsEntry = top.get('jobs');
  if (jobsEntry && r.map(jobsEntry)) {
    const entries = r.entries(jobsEntry.value);
    if (entries.length === 0) r.error(jobsEntry.span, Codes.noJobs, "'jobs' is empty", 'a workflow needs at least one job');
    for (const entry of entries) {
      const first = jobSpans.get(entry.key);
      if (first) {
        r.error(entry.keySpan, Codes.duplicateJob, `job '${entry.key}' is defined twice`, 'rename one of them', {
          message: 'first defined',
          file: source.file,
          offset: first.name.start,
        });
        continue;
      }
      const { job, spans } = checkJob(r, entry, { ...defaults, markerPrefix: markers.prefix, partition });
      jobSpans.set(entry.key, spans);
      if (job) jobs.push(job);
    }
  }
  const jobsComplete = jobs.length === jobSpans.size;
  if (jobsComplete && checkGraph(r, jobs, jobSpans)) checkReferences(r, jobs, jobSpans);
  if (jobsComplete) checkDeadlines(r, deadlineSites(deadline, top.get('deadline'), jobSpans), jobs, schedule);
  if (jobsComplete) checkPastWaits(r, jobs, jobSpans, markers);
  if (jobsComplete) checkConditionRefs(r, jobs, new Map([...jobSpans].map(([job, spans]) => [job, spans.conditions])));

  const pools = readPools(r, top.get('pools'), defaults.wait.timeoutSeconds);
  if (jobsComplete) checkPoolUse(r, pools, jobs, new Map([...jobSpans].flatMap(([j, s]) => (s.pool ? [[j, s.pool] as const] : []))), top.get('pools'));
  const triggers = readTriggers(r, top.get('triggers'), partition);
  if (schedule && jobsComplete && !hasErrors(diagnostics)) checkScheduleOverlap(r, top.get('schedule')!, schedule, jobs, options.now ?? new Date());
  if (hasErrors(diagnostics) || name === undefined || !jobsComplete) return { diagnostics, jobSpans };
  return {
    diagnostics,
    jobSpans,
    workflow: {
      file: source.file,
      name,
      ...(description !== undefined && { description }),
      partition,
      markers,
      ...(schedule && { schedule }),
      defaults,
      alerts,
      ...(deadline && { deadline }),
      jobs,
      triggers,
      ...(pools && pools.length > 0 && { pools }),
    },
  };
}

function readPartition(r: Reader, entry: Entry | undefined): Partition {
  if (!entry) return 'daily';
  const value = r.string(entry);
  if (value === 'daily' || value === 'hourly') return value;
  if (value !== undefined) r.error(entry.span, Codes.badEnum, `partition '${value}' is not 'daily' or 'hourly'`);
  return 'daily';
}

function readMarkers(r: Reader, entry: Entry | undefined): { bucket?: string; prefix: string } {
  const fields = r.fields(r.map(entry) ?? null, "'markers'", ['bucket', 'prefix']);
  if (!fields) return { prefix: DEFAULTS.markerPrefix };
  const bucketEntry = fields.get('bucket');
  const bucket = bucketEntry ? r.string(bucketEntry) : undefined;
  if (bucket !== undefined) report(r, bucketEntry!.span, Codes.badBucket, bucketProblem(bucket));
  const prefixEntry = fields.get('prefix');
  let prefix = DEFAULTS.markerPrefix;
  if (prefixEntry) {
    const raw = r.scalar(prefixEntry.value);
    if (typeof raw === 'string') {
      if (report(r, prefixEntry.span, Codes.badBucket, prefixProblem(raw))) prefix = raw;
    } else r.wrongType(prefixEntry, "a string such as 'done/'");
  }
  return { ...(bucket !== undefined && { bucket }), prefix };
}

const SCHEDULE_KINDS = ['cron', 'rate', 'at'] as const;

function readSchedule(r: Reader, entry: Entry | undefined, now: Date): Schedule | undefined {
  if (!entry) return undefined;
  const schedule = readScheduleExpression(r, entry);
  if (schedule) {
    for (const p of scheduleTimingProblems(schedule, now)) r.warning(scheduleSpan(r, entry), /never fires/.test(p.message) ? Codes.scheduleNeverFires : Codes.scheduleDst, p.message, p.hint);
  }
  return schedule;
}

/** The expression's own place: the value of `cron:`/`rate:`/`at:`, or the shorthand. */
function scheduleSpan(r: Reader, entry: Entry): Entry['span'] {
  const fields = r.isMap(entry) ? r.entries(entry.value) : [];
  return fields.find((f) => (SCHEDULE_KINDS as readonly string[]).includes(f.key))?.span ?? entry.span;
}

function readScheduleExpression(r: Reader, entry: Entry): Schedule | undefined {
  // `schedule: "cron(0 2 * * ? *)"` is accepted as a shorthand for the mapping.
  const shorthand = r.scalar(entry.value);
  if (typeof shorthand === 'string') return scheduleExpression(r, entry, shorthand);
  const fields = r.fields(r.map(entry) ?? null, "'schedule'", [...SCHEDULE_KINDS, 'timezone', 'flexible_window', ...SCHEDULE_CONTROL_KEYS]);
  if (!fields) return undefined;
  const kinds = SCHEDULE_KINDS.filter((k) => fields.has(k));
  const control = readScheduleControl(r, fields, kinds.length === 1 ? kinds[0] : undefined, entry);
  if (kinds.length !== 1) {
    r.error(entry.span, Codes.badSchedule, kinds.length === 0 ? "'schedule' names no cron, rate or at" : `'schedule' has both '${kinds[0]}' and '${kinds[1]}'`, 'give exactly one of cron, rate, at');
    return undefined;
  }
  const kindEntry = fields.get(kinds[0])!;
  const body = r.string(kindEntry);
  const tzEntry = fields.get('timezone');
  const timezone = tzEntry ? r.string(tzEntry) : undefined;
  const tzOk = timezone === undefined || report(r, tzEntry!.span, Codes.badTimezone, timezoneProblem(timezone));
  const window = duration(r, fields.get('flexible_window'));
  if (body === undefined) return undefined;
  const wrapped = new RegExp(`^${kinds[0]}\\((.*)\\)$`).exec(body.trim());
  const schedule = scheduleExpression(r, kindEntry, `${kinds[0]}(${wrapped ? wrapped[1] : body})`);
  if (!schedule || !tzOk) return undefined;
  return { ...schedule, ...(timezone && { timezone }), ...(window !== undefined && { flexibleWindowSeconds: window }), ...control };
}

function scheduleExpression(r: Reader, entry: Entry, expression: string): Schedule | undefined {
  const m = /^(cron|rate|at)\((.*)\)$/.exec(expression.trim());
  if (!m) {
    r.error(entry.span, Codes.badSchedule, `'${expression}' is not a schedule expression`, "write cron(...), rate(...) or at(...), e.g. 'cron(0 2 * * ? *)'");
    return undefined;
  }
  const check = { cron: [Codes.badCron, cronProblem], rate: [Codes.badRate, rateProblem], at: [Codes.badAt, atProblem] } as const;
  const [code, problem] = check[m[1] as 'cron' | 'rate' | 'at'];
  return report(r, entry.span, code, problem(m[2])) ? { expression: `${m[1]}(${m[2].trim()})` } : undefined;
}

function readAlerts(r: Reader, entry: Entry | undefined): Alerts {
  const fields = r.fields(r.map(entry) ?? null, "'alerts'", ['sns_topic', 'slack_webhook_secret']);
  if (!fields) return {};
  const topicEntry = fields.get('sns_topic');
  const topic = topicEntry ? r.string(topicEntry) : undefined;
  const topicOk = topic === undefined || report(r, topicEntry!.span, Codes.badArn, arnProblem(topic, 'snsTopic', 'arn:aws:sns:eu-west-1:123456789012:data-alerts'));
  const secretEntry = fields.get('slack_webhook_secret');
  const secret = secretEntry ? r.string(secretEntry) : undefined;
  const secretOk =
    secret === undefined ||
    !secret.startsWith('arn:') ||
    report(r, secretEntry!.span, Codes.badArn, arnProblem(secret, 'secret', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-webhook-AbCdEf'));
  return { ...(topic && topicOk && { snsTopic: topic }), ...(secret && secretOk && { slackWebhookSecret: secret }) };
}

function readTriggers(r: Reader, entry: Entry | undefined, partition: Partition): Trigger[] {
  const triggers: Trigger[] = [];
  for (const item of r.list(entry) ?? []) {
    const fields: Fields | undefined = r.fields(item.node, "a trigger", ['on_markers', 'event', 'params']);
    if (!fields) {
      r.error(item.span, Codes.wrongType, "each trigger must be a mapping with 'on_markers' or 'event'");
      continue;
    }
    const markersEntry = fields.get('on_markers');
    const eventEntry = fields.get('event');
    if (markersEntry && eventEntry) {
      // At the second of the two: the first alone would be a trigger.
      const [first, second] = markersEntry.keySpan.start < eventEntry.keySpan.start ? [markersEntry, eventEntry] : [eventEntry, markersEntry];
      r.error(second.keySpan, Codes.missingKey, "a trigger has both 'on_markers' and 'event'", 'write one trigger per list entry', { message: `'${first.key}' given`, file: r.file, offset: first.keySpan.start });
      continue;
    }
    if (!markersEntry && !eventEntry) {
      r.error(item.span, Codes.missingKey, "a trigger needs 'on_markers' or 'event'", 'write one trigger per list entry');
      continue;
    }
    if (markersEntry) {
      const { markers, dated } = readTriggerMarkers(r, markersEntry, partition);
      if (fields.has('params')) r.error(fields.get('params')!.keySpan, Codes.unknownKey, "'params' belongs to an 'event' trigger", 'marker triggers start the run with its date only');
      if (markers.length > 0) triggers.push({ type: 'on_markers', markers, ...(dated && { dated }) });
      continue;
    }
    const pattern = r.map(eventEntry) ? (r.json(eventEntry!.value) as Record<string, unknown>) : undefined;
    if (pattern && !('source' in pattern) && !('detail-type' in pattern)) {
      r.error(eventEntry!.span, Codes.badEventPattern, "an event pattern needs at least 'source' or 'detail-type'", "e.g. 'source: [acme.ingest]'");
      continue;
    }
    const paramsEntry = fields.get('params');
    const params = paramsEntry ? (r.map(paramsEntry) ? (r.json(paramsEntry.value) as Record<string, unknown>) : undefined) : {};
    if (paramsEntry && params) {
      for (const p of r.entries(paramsEntry.value)) {
        const v = r.scalar(p.value);
        if (typeof v === 'string' && v.startsWith('$') && !/^\$(\.[A-Za-z0-9_-]+)+$/.test(v)) {
          r.error(p.span, Codes.badEventPattern, `'${v}' is not a JSONPath into the event`, "write it like '$.detail.date'");
        }
      }
    }
    if (pattern && params) triggers.push({ type: 'event', pattern, params });
  }
  return triggers;
}

// Step Functions "Execution Status Change" (FAILED, TIMED_OUT, ABORTED) -> an alert on the
// workflow's SNS topic and, when configured, a Slack incoming webhook. The alert names the job
// that broke the run, its error, the downstream jobs that did not run, a console link and the
// `stepgraph replay` command that recomputes exactly the broken part.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { EventBridgeEvent } from 'aws-lambda';
import { composeAlert, type AlertMessage } from './alert-message.ts';
import { required } from './config.ts';
import { ConfigurationError, HandlerError } from './errors.ts';
import { analyzeHistory, failedChildExecution, type Failure } from './failure.ts';
import { downstreamOf, jobGraph, type GraphJob } from './job-graph.ts';
import { log } from './log.ts';
import { parseRunDate } from '../generator/contract/dates.ts';
import { partExecutionArnPattern } from '../generator/contract/run-names.ts';
import { handedOnInChild, partChildExecutions } from '../generator/contract/part-failures.ts';

export interface ExecutionStatusDetail {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: string;
  input?: string | null;
  error?: string | null;
  cause?: string | null;
}

export type ExecutionStatusEvent = EventBridgeEvent<'Step Functions Execution Status Change', ExecutionStatusDetail>;

export interface NotifyConfig {
  workflow: string;
  jobs: GraphJob[];
  snsTopicArn?: string;
  /** Name or ARN of a Secrets Manager secret holding the Slack incoming-webhook URL. */
  slackWebhookSecret?: string;
}

export interface NotifyDeps {
  sfn: SFNClient;
  /** A client for the region of the given ARN (topics and secrets may live in another region). */
  sns: (arn: string) => SNSClient;
  secrets: (arn: string) => SecretsManagerClient;
  fetch: typeof globalThis.fetch;
  config: NotifyConfig;
}

export interface NotifyResult {
  alert?: AlertMessage;
  snsMessageId?: string;
  slack?: boolean;
}

export class AlertDeliveryFailed extends HandlerError {}

const ALERTED = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

export async function notify(event: ExecutionStatusEvent, deps: NotifyDeps): Promise<NotifyResult> {
  const detail = event.detail;
  if (!ALERTED.has(detail?.status)) {
    log.info('status needs no alert', { status: detail?.status });
    return {};
  }
  const { config } = deps;
  const failure = await findFailure(deps, detail.executionArn);
  if (failure.jobs.length === 0 && !failure.error && detail.error) {
    Object.assign(failure, { error: detail.error, ...(detail.cause && { cause: detail.cause }) });
  }
  const alert = composeAlert({
    workflow: config.workflow,
    status: detail.status,
    date: runDateOf(detail, config.workflow),
    executionArn: detail.executionArn,
    region: event.region,
    failure,
    notRun: downstreamOf(config.jobs, [...failure.jobs, ...failure.cancelled]),
    replayFrom: replayFrom(failure, config.jobs),
  });

  const result: NotifyResult = { alert };
  const problems: unknown[] = [];
  if (config.snsTopicArn) {
    try {
      const out = await deps.sns(config.snsTopicArn).send(new PublishCommand({ TopicArn: config.snsTopicArn, Subject: alert.subject, Message: alert.text }));
      result.snsMessageId = out.MessageId;
    } catch (error) {
      problems.push(error);
    }
  }
  if (config.slackWebhookSecret) {
    try {
      await postToSlack(deps, config.slackWebhookSecret, alert.text);
      result.slack = true;
    } catch (error) {
      problems.push(error);
    }
  }
  log.info('alert sent', { execution: detail.executionArn, jobs: failure.jobs, sns: result.snsMessageId, slack: result.slack ?? false });
  if (problems.length > 0) {
    // Throwing makes Lambda retry the event: a duplicate alert beats a lost one.
    throw new AlertDeliveryFailed(`could not deliver the alert: ${problems.map((p) => (p as Error).message).join('; ')}`, { cause: problems });
  }
  return result;
}

/**
 * The failure as seen from the execution's history; when the graph was split for size and a child
 * machine (`<workflow>-part-<n>`) failed, from the child's history, which names the job.
 */
async function findFailure(deps: NotifyDeps, executionArn: string): Promise<Failure> {
  const part = partExecutionArnPattern(deps.config.workflow);
  let arn = executionArn;
  for (let depth = 0; ; depth++) {
    const events = await history(deps.sfn, arn);
    const failure = analyzeHistory(events, deps.config.jobs, handedOnInChild(events) ? await childHistories(deps.sfn, events, part) : []);
    const child = failedChildExecution(events);
    if (failure.jobs.length > 0 || !child || !part.test(child) || depth >= 3) return failure;
    arn = child;
  }
}

/**
 * The histories of the child executions (of this workflow's parts) the run's part Tasks started,
 * and of theirs: a run that ended in `Run failed` had its failure handed on inside one of them.
 */
async function childHistories(sfn: SFNClient, events: readonly HistoryEvent[], part: RegExp): Promise<HistoryEvent[][]> {
  const out: HistoryEvent[][] = [];
  const queue = partChildExecutions(events).filter((arn) => part.test(arn));
  for (let i = 0; i < queue.length && i < MAX_CHILDREN; i++) {
    const child = await history(sfn, queue[i]);
    out.push(child);
    for (const arn of partChildExecutions(child)) if (part.test(arn) && !queue.includes(arn)) queue.push(arn);
  }
  return out;
}

/** A bound on the histories one alert reads (each is at least one call). */
const MAX_CHILDREN = 50;

/** The failed and cancelled jobs; when none is known, the jobs that start the graph (replay it all). */
function replayFrom(failure: Failure, jobs: readonly GraphJob[]): string[] {
  const from = [...failure.jobs, ...failure.cancelled];
  return from.length > 0 ? from : jobs.filter((j) => j.needs.length === 0).map((j) => j.name);
}

/** Every event of an execution's history, page by page. */
export async function history(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken && { nextToken }) }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** From the execution input; failing that, from a deterministic name `<workflow>-<date>`. */
function runDateOf(detail: ExecutionStatusDetail, workflow: string): string | undefined {
  try {
    const date = (JSON.parse(detail.input ?? '{}') as { date?: unknown }).date;
    if (typeof date === 'string') return date;
  } catch {
    // input may be absent or truncated; fall through to the name
  }
  const fromName = detail.name?.startsWith(`${workflow}-`) ? detail.name.slice(workflow.length + 1) : undefined;
  return fromName && parseRunDate(fromName) ? fromName : undefined;
}

let webhookUrl: string | undefined;

async function postToSlack(deps: NotifyDeps, secretId: string, text: string): Promise<void> {
  webhookUrl ??= await readWebhookUrl(deps.secrets(secretId), secretId);
  const response = await deps.fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  if (!response.ok) throw new Error(`Slack webhook answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
}

/** The secret holds the URL itself, or JSON with a `url` / `webhook_url` field. */
export async function readWebhookUrl(secrets: SecretsManagerClient, secretId: string): Promise<string> {
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  const raw = (out.SecretString ?? '').trim();
  let url = raw;
  if (raw.startsWith('{')) {
    const json = JSON.parse(raw) as Record<string, unknown>;
    url = String(json.url ?? json.webhook_url ?? json.webhookUrl ?? '');
  }
  if (!/^https:\/\//.test(url)) throw new ConfigurationError(`secret '${secretId}' does not hold an https webhook URL (or JSON with 'url')`);
  return url;
}

/** Forget the cached webhook URL (tests; a rotated secret is picked up by a new container). */
export const resetWebhookCache = (): void => {
  webhookUrl = undefined;
};

export function notifyConfig(env: NodeJS.ProcessEnv, jobs: unknown): NotifyConfig {
  if (jobs === undefined) throw new ConfigurationError('the job graph was not bundled in (STEPGRAPH_JOB_GRAPH; see infra/alerts.ts)');
  return {
    workflow: required(env, 'WORKFLOW'),
    jobs: jobGraph(jobs),
    ...(env.SNS_TOPIC_ARN && { snsTopicArn: env.SNS_TOPIC_ARN }),
    ...(env.SLACK_WEBHOOK_SECRET && { slackWebhookSecret: env.SLACK_WEBHOOK_SECRET }),
  };
}

/** The region of an ARN; undefined for a plain name (then the function's own region applies). */
export const regionOfArn = (arn: string): string | undefined => (arn.startsWith('arn:') ? arn.split(':')[3] || undefined : undefined);

/** One client per region an ARN names, made when first needed. */
export function perRegion<T>(make: (region: string | undefined) => T): (arn: string) => T {
  const clients = new Map<string | undefined, T>();
  return (arn) => {
    const region = regionOfArn(arn);
    if (!clients.has(region)) clients.set(region, make(region));
    return clients.get(region)!;
  };
}

const sfn = new SFNClient({});
const sns = perRegion((region) => new SNSClient(region ? { region } : {}));
const secrets = perRegion((region) => new SecretsManagerClient(region ? { region } : {}));
let config: NotifyConfig | undefined;

// The job graph is compiled into the bundle: esbuild injects a module generated by infra/alerts.ts
// that exports this name (a big graph fits neither Lambda's 4 KB of environment variables nor a
// command-line `define`).
declare const STEPGRAPH_JOB_GRAPH: unknown;
const bundledGraph = typeof STEPGRAPH_JOB_GRAPH === 'undefined' ? undefined : STEPGRAPH_JOB_GRAPH;

export const handler = async (event: ExecutionStatusEvent): Promise<NotifyResult> =>
  notify(event, { sfn, sns, secrets, fetch: globalThis.fetch, config: (config ??= notifyConfig(process.env, bundledGraph)) });

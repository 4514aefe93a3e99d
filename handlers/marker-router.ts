// S3 "Object Created" (EventBridge) -> start the workflow once every marker of one of its
// `on_markers` triggers exists for the marker's date. The run is named `<workflow>-<date>`, so
// duplicate and out-of-order events (S3 delivers at least once, in no particular order) converge
// on one execution. A key that is not a marker of this workflow is logged and dropped: throwing
// would only make Lambda retry an event that can never succeed.
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { S3ObjectCreatedNotificationEvent } from 'aws-lambda';
import { partition, required } from './config.ts';
import { ConfigurationError } from './errors.ts';
import { log } from './log.ts';
import { formatDate, formatDatekey, markerKey, parseMarkerKey, type Partition } from './run-date.ts';
import { startRun } from './start-run.ts';

export interface RouterConfig {
  workflow: string;
  stateMachineArn: string;
  bucket: string;
  prefix: string;
  partition: Partition;
  /** One entry per `on_markers` trigger: the run starts when all markers of any entry exist. */
  triggers: string[][];
}

export type RouteOutcome =
  | { outcome: 'ignored'; key: string; reason: string }
  | { outcome: 'waiting'; date: string; missing: string[] }
  | { outcome: 'started' | 'duplicate'; date: string; executionName: string; executionArn: string };

export interface RouterDeps {
  s3: S3Client;
  sfn: SFNClient;
  config: RouterConfig;
}

export async function routeMarker(event: S3ObjectCreatedNotificationEvent, deps: RouterDeps): Promise<RouteOutcome> {
  const { config } = deps;
  const bucket = event.detail?.bucket?.name;
  const key = event.detail?.object?.key ?? '';
  if (bucket !== config.bucket) return ignore(key, `bucket '${bucket}' is not the marker bucket '${config.bucket}'`);
  const marker = parseKey(key, config);
  if (!marker) return ignore(key, `not a marker key '${config.prefix}<job>__<${config.partition === 'hourly' ? 'yyyymmddHH' : 'yyyymmdd'}>.done'`);
  const groups = config.triggers.filter((markers) => markers.includes(marker.job));
  if (groups.length === 0) return ignore(key, `'${marker.job}' is not in any on_markers trigger of ${config.workflow}`);

  const date = formatDate(marker.date);
  const datekey = formatDatekey(marker.date);
  const present = new Map<string, boolean>();
  let missing: string[] = [];
  for (const markers of groups) {
    for (const m of markers) if (!present.has(m)) present.set(m, await exists(deps.s3, config.bucket, markerKey(config.prefix, m, datekey)));
    missing = markers.filter((m) => !present.get(m));
    if (missing.length === 0) {
      const run = await startRun(deps.sfn, { stateMachineArn: config.stateMachineArn, workflow: config.workflow, date });
      const outcome = run.started ? 'started' : 'duplicate';
      log.info(run.started ? 'run started' : 'run already exists', { workflow: config.workflow, date, trigger: markers, execution: run.executionArn });
      return { outcome, date, executionName: run.executionName, executionArn: run.executionArn };
    }
  }
  log.info('waiting for markers', { workflow: config.workflow, date, marker: marker.job, missing });
  return { outcome: 'waiting', date, missing };
}

/** EventBridge may deliver the key URL-encoded (as S3's own notifications do); accept both forms. */
function parseKey(key: string, config: RouterConfig) {
  const direct = parseMarkerKey(key, config.prefix, config.partition);
  if (direct) return direct;
  try {
    return parseMarkerKey(decodeURIComponent(key.replace(/\+/g, ' ')), config.prefix, config.partition);
  } catch {
    return undefined;
  }
}

function ignore(key: string, reason: string): RouteOutcome {
  log.warn('event ignored', { key, reason });
  return { outcome: 'ignored', key, reason };
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    // 404 needs s3:ListBucket on the bucket; without it S3 answers 403 and that is thrown, loudly.
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

export function routerConfig(env: NodeJS.ProcessEnv): RouterConfig {
  let triggers: unknown;
  try {
    triggers = JSON.parse(required(env, 'MARKER_TRIGGERS'));
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw new ConfigurationError('MARKER_TRIGGERS is not JSON', { cause: error });
  }
  if (!Array.isArray(triggers) || !triggers.every((t) => Array.isArray(t) && t.every((m) => typeof m === 'string'))) {
    throw new ConfigurationError('MARKER_TRIGGERS must be a JSON list of marker-name lists, e.g. [["ingest_raw"]]');
  }
  return {
    workflow: required(env, 'WORKFLOW'),
    stateMachineArn: required(env, 'STATE_MACHINE_ARN'),
    bucket: required(env, 'MARKER_BUCKET'),
    prefix: env.MARKER_PREFIX ?? '',
    partition: partition(env),
    triggers: triggers as string[][],
  };
}

const s3 = new S3Client({});
const sfn = new SFNClient({});
let config: RouterConfig | undefined;

export const handler = async (event: S3ObjectCreatedNotificationEvent): Promise<RouteOutcome> =>
  routeMarker(event, { s3, sfn, config: (config ??= routerConfig(process.env)) });

// `on_markers` triggers: start the workflow once every marker of one of its triggers exists for
// the marker's date. The run is named `<workflow>-<date>`, so duplicate and out-of-order S3
// events (delivered at least once, in no particular order) converge on one execution. A key that
// is not a marker of this workflow is logged and dropped: throwing would only make Lambda retry
// an event that can never succeed.
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { partition, required } from './config.ts';
import { ConfigurationError } from './errors.ts';
import { log } from './log.ts';
import type { Partition } from '../generator/contract/dates.ts';
import { markerKey, parseMarkerKey, type ParsedMarker } from '../generator/contract/markers.ts';
import type { TriggerEntry } from '../generator/contract/marker-dates.ts';
import { datedTriggerRuns, isTriggerEntry } from './dated-triggers.ts';
import { logStart, startRun } from './start-run.ts';
import { objectExists } from './subject-probe.ts';

export interface TriggerConfig {
  workflow: string;
  stateMachineArn: string;
  bucket: string;
  prefix: string;
  partition: Partition;
  /** One entry per `on_markers` trigger: the run starts when all markers of any entry exist. */
  triggers: TriggerEntry[][];
}

export type TriggerOutcome =
  | { outcome: 'ignored'; key: string; reason: string }
  | { outcome: 'waiting'; date: string; missing: string[] }
  | { outcome: 'started' | 'duplicate'; date: string; executionName: string; executionArn: string };

export interface TriggerDeps {
  s3: S3Client;
  sfn: SFNClient;
  config: TriggerConfig;
  now?: () => number;
}

/** `keys`: the forms the event's key may mean (as delivered, URL-decoded). */
export async function startOnMarkers(bucket: string, keys: readonly string[], deps: TriggerDeps): Promise<TriggerOutcome> {
  const { config } = deps;
  const key = keys[0];
  if (bucket !== config.bucket) return ignore(key, `bucket '${bucket}' is not the marker bucket '${config.bucket}'`);
  // A trigger with markers of other dates or of the other partition (dated-triggers.ts).
  if (config.triggers.some((t) => t.some((m) => typeof m !== 'string'))) {
    const dated = await datedTriggerRuns(keys, deps);
    if (dated) return dated;
  }
  const marker = keys.map((k) => parseMarkerKey(k, config.prefix, config.partition)).find((m): m is ParsedMarker => m !== undefined);
  if (!marker) return ignore(key, `not a marker key '${markerKey(config.prefix, '<job>', config.partition === 'hourly' ? '<yyyymmddHH>' : '<yyyymmdd>')}'`);
  const groups = config.triggers.filter((markers) => markers.includes(marker.job)) as string[][];
  if (groups.length === 0) return ignore(key, `'${marker.job}' is not in any on_markers trigger of ${config.workflow}`);

  const date = marker.date.text;
  const datekey = marker.date.key;
  const present = new Map<string, boolean>();
  let missing: string[] = [];
  for (const markers of groups) {
    for (const m of markers) if (!present.has(m)) present.set(m, await objectExists(deps.s3, config.bucket, markerKey(config.prefix, m, datekey)));
    missing = markers.filter((m) => !present.get(m));
    if (missing.length === 0) {
      const run = await startRun(deps.sfn, { stateMachineArn: config.stateMachineArn, workflow: config.workflow, date }, deps.now);
      logStart(run, { workflow: config.workflow, date, trigger: markers });
      return { outcome: run.started ? 'started' : 'duplicate', date, executionName: run.executionName, executionArn: run.executionArn };
    }
  }
  log.info('waiting for markers', { workflow: config.workflow, date, marker: marker.job, missing });
  return { outcome: 'waiting', date, missing };
}

function ignore(key: string, reason: string): TriggerOutcome {
  log.info('no on_markers trigger for this object', { key, reason });
  return { outcome: 'ignored', key, reason };
}

/** The on_markers configuration, or undefined when the workflow has no such trigger (MARKER_TRIGGERS unset). */
export function triggerConfig(env: NodeJS.ProcessEnv): TriggerConfig | undefined {
  if (env.MARKER_TRIGGERS === undefined || env.MARKER_TRIGGERS === '') return undefined;
  let triggers: unknown;
  try {
    triggers = JSON.parse(env.MARKER_TRIGGERS);
  } catch (error) {
    throw new ConfigurationError('MARKER_TRIGGERS is not JSON', { cause: error });
  }
  if (!Array.isArray(triggers) || !triggers.every((t) => Array.isArray(t) && t.every(isTriggerEntry))) {
    throw new ConfigurationError('MARKER_TRIGGERS must be a JSON list of marker-name lists, e.g. [["ingest_raw"]]');
  }
  return {
    workflow: required(env, 'WORKFLOW'),
    stateMachineArn: required(env, 'STATE_MACHINE_ARN'),
    bucket: required(env, 'MARKER_BUCKET'),
    prefix: env.MARKER_PREFIX ?? '',
    partition: partition(env),
    triggers: triggers as TriggerEntry[][],
  };
}

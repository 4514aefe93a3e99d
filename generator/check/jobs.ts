// Checks one job: its kind (exactly one), its options, and its values. Graph-level checks
// (unknown needs, cycles) happen in graph.ts once every job has been read.
import { isMap, isScalar, type Node } from 'yaml';
import { Codes } from '../messages.ts';
import type { ExternalMarker, Job, JobKind, Partition, RetryPolicy, WaitPolicy } from '../model.ts';
import type { Entry, Reader, Span } from './reader.ts';
import { closest } from '../contract/suggest.ts';
import { KIND_TYPES, kindOf } from '../kinds/registry.ts';
import { duration, obsoletePoll, retryPolicy } from './options.ts';
import { readDeadline } from './deadlines.ts';
import { MARKER_DATE_KEYS, readMarkerDates } from './marker-dates.ts';
import { readOutputs } from './outputs.ts';
import { readForEach } from './for-each.ts';
import { isDataTemplate, type DataReference } from '../kinds/data-templates.ts';
import { warnUnbounded } from './for-each-size.ts';
import { jobNameProblem, formatDuration, prefixProblem, bucketProblem, report } from './values.ts';
import { readRunIf, readWhen } from './conditions.ts';
import type { ConditionSpans } from './condition-refs.ts';
import { readJobPool } from './pools.ts';

const JOB_OPTIONS = ['needs', 'waits_for', 'timeout', 'retry', 'params', 'estimate', 'description', 'local', 'deadline', 'outputs', 'for_each', 'max_concurrent', 'tolerated_failures', 'max_items', 'map', 'when', 'run_if', 'pool'] as const;
export const JOB_KEYS: readonly string[] = [...KIND_TYPES, ...JOB_OPTIONS];

export interface JobDefaults {
  timeoutSeconds: number;
  retry: RetryPolicy;
  wait: WaitPolicy;
  markerPrefix: string;
  partition: Partition;
}

/** Where each need of a job was written, for graph diagnostics. */
export interface JobSpans {
  name: Span;
  needs: Span[];
  /** Where its `deadline:` was written. */
  deadline?: Span;
  /** Where each of the job's `waits_for` entries was written (the job's waitsFor, in order). */
  waits?: Span[];
  /** Where the job's `when` and `run_if` were written. */
  conditions?: ConditionSpans;
  /** Where `pool:` names the job's pool. */
  pool?: Span;
  /** Data templates in the job's values, and its for_each (check/references.ts). */
  references?: DataReference[];
  forEach?: Span;
}

export function checkJob(r: Reader, entry: Entry, defaults: JobDefaults): { job?: Job; spans: JobSpans } {
  const spans: JobSpans = { name: entry.keySpan, needs: [] };
  report(r, entry.keySpan, Codes.badJobName, jobNameProblem(entry.key));
  const where = `job '${entry.key}'`;
  if ((JOB_KEYS as readonly string[]).includes(entry.key) && !isMap(entry.value)) {
    // `needs:` two spaces short of its job: YAML reads it as a job of that name.
    r.error(entry.keySpan, Codes.wrongType, `'${entry.key}' is a job option, not a job: it is indented under 'jobs' instead of under its job`, `indent it under the job it belongs to (two more spaces, level with the job's other options)`);
    return { spans };
  }
  const fields = r.fields(r.map(entry) ?? null, where, JOB_KEYS);
  if (!fields) return { spans };

  const kinds = KIND_TYPES.filter((k) => fields.has(k));
  if (kinds.length === 0) {
    r.error(entry.keySpan, Codes.noKind, `${where} has no kind`, `give it exactly one of: ${KIND_TYPES.join(', ')}`);
  } else if (kinds.length > 1) {
    const second = fields.get(kinds[1])!;
    r.error(second.keySpan, Codes.twoKinds, `${where} has two kinds: '${kinds[0]}' and '${kinds[1]}'`, 'a job runs exactly one thing; split it into two jobs joined by needs', {
      message: `'${kinds[0]}' given`,
      file: r.file,
      offset: fields.get(kinds[0])!.keySpan.start,
    });
  }
  spans.references = [];
  const kind = kinds.length === 1 ? (kindOf({ type: kinds[0] }).read(r, fields.get(kinds[0])!, { job: entry.key, partition: defaults.partition, references: spans.references }) as JobKind | undefined) : undefined;

  const needs: string[] = [];
  for (const item of r.listOrOne(fields.get('needs')) ?? []) {
    const name = r.scalar(item.node);
    if (typeof name !== 'string') {
      r.error(item.span, Codes.wrongType, `'needs' of ${where} must list job names`);
      continue;
    }
    needs.push(name);
    spans.needs.push(item.span);
  }

  const waitsFor = markerWaits(r, fields.get('waits_for'), where, defaults, (spans.waits = []));
  const paramsEntry = fields.get('params');
  const params = paramsEntry ? (r.map(paramsEntry) ? (r.json(paramsEntry.value) as Record<string, unknown>) : undefined) : {};
  const estimate = duration(r, fields.get('estimate'));
  const descriptionEntry = fields.get('description');
  const description = descriptionEntry ? r.string(descriptionEntry) : undefined;
  const local = localRun(r, fields.get('local'), where);
  if (local) checkCommandTemplates(r, fields.get('local')!, local.command, Object.keys(params ?? {}), defaults.partition, spans.references);
  const timeout = duration(r, fields.get('timeout'));
  const retry = retryPolicy(r, fields.get('retry'), defaults.retry);
  const deadline = readDeadline(r, fields.get('deadline'));
  if (deadline) spans.deadline = fields.get('deadline')!.span;
  const when = readWhen(r, fields.get('when'), where);
  const runIf = readRunIf(r, fields.get('run_if'), where);
  spans.conditions = { operands: when.operands, when: fields.get('when')?.span, runIf: fields.get('run_if')?.span };
  const outputs = readOutputs(r, fields.get('outputs'), where);
  const pool = readJobPool(r, fields.get('pool'));
  if (pool) spans.pool = pool.span;
  const { forEach, span: forEachSpan } = readForEach(r, fields, where);
  spans.forEach = forEachSpan;
  if (forEach && forEachSpan && retry) warnUnbounded(r, forEach, retry, forEachSpan, where);

  const estimateEntry = fields.get('estimate');
  if (estimate !== undefined && estimateEntry) checkEstimate(r, estimateEntry.span, entry.key, kind, estimate, timeout ?? defaults.timeoutSeconds);
  if (!kind || params === undefined) return { spans };
  return {
    spans,
    job: {
      name: entry.key,
      kind,
      needs,
      waitsFor,
      timeoutSeconds: timeout ?? defaults.timeoutSeconds,
      retry,
      params,
      ...(estimate !== undefined && { estimateSeconds: estimate }),
      ...(description !== undefined && { description }),
      ...(local && { local }),
      ...(deadline && { deadline }),
      ...(when.condition && { when: when.condition }),
      ...(runIf && { runIf }),
      ...(outputs.length > 0 && { outputs }),
      ...(pool && { pool: pool.name }),
      ...(forEach && { forEach }),
    },
  };
}

function markerWaits(r: Reader, entry: Entry | undefined, where: string, defaults: JobDefaults, spans: Span[]): ExternalMarker[] {
  const out: ExternalMarker[] = [];
  for (const item of r.listOrOne(entry) ?? []) {
    const shorthand = r.scalar(item.node);
    if (typeof shorthand === 'string') {
      if (report(r, item.span, Codes.badMarkerName, jobNameProblem(shorthand, 'marker'))) {
        out.push({ marker: shorthand, prefix: defaults.markerPrefix, timeoutSeconds: defaults.wait.timeoutSeconds });
        spans.push(item.span);
      }
      continue;
    }
    const fields = r.fields(item.node as Node | null, `'waits_for' of ${where}`, ['marker', 'timeout', 'poll', 'bucket', 'prefix', ...MARKER_DATE_KEYS]);
    if (!fields) {
      r.error(item.span, Codes.wrongType, `each 'waits_for' entry of ${where} must be a marker name or a mapping with 'marker'`);
      continue;
    }
    const markerEntry = fields.get('marker');
    if (!markerEntry) {
      r.error(item.span, Codes.waitWithoutMarker, `a 'waits_for' entry of ${where} names no marker`, "add 'marker: <name>' (the job part of '<name>__<yyyymmdd>.done')");
      continue;
    }
    const marker = r.string(markerEntry);
    const bucket = fields.has('bucket') ? r.string(fields.get('bucket')) : undefined;
    const prefix = fields.has('prefix') ? r.string(fields.get('prefix')) : defaults.markerPrefix;
    const timeout = duration(r, fields.get('timeout'));
    obsoletePoll(r, fields.get('poll'));
    const dates = readMarkerDates(r, fields, defaults.partition, `the wait for '${marker ?? '?'}' of ${where}`);
    if (dates === false) continue;
    if (marker === undefined || !report(r, markerEntry.span, Codes.badMarkerName, jobNameProblem(marker, 'marker'))) continue;
    if (bucket !== undefined && !report(r, fields.get('bucket')!.span, Codes.badBucket, bucketProblem(bucket))) continue;
    if (prefix === undefined || !report(r, fields.get('prefix')?.span ?? item.span, Codes.badBucket, prefixProblem(prefix))) continue;
    out.push({
      marker,
      ...(bucket !== undefined && { bucket }),
      prefix,
      timeoutSeconds: timeout ?? defaults.wait.timeoutSeconds,
      ...(dates && { dates }),
    });
    spans.push(item.span);
  }
  return out;
}

function localRun(r: Reader, entry: Entry | undefined, where: string): { command: string } | undefined {
  if (!entry) return undefined;
  if (isScalar(entry.value) && typeof entry.value.value === 'string') {
    r.error(entry.span, Codes.wrongType, "'local' must be a mapping, not a string", `did you mean local: { command: ${JSON.stringify(entry.value.value)} }?`);
    return undefined;
  }
  const fields = r.fields(r.map(entry) ?? null, `'local' of ${where}`, ['command'], ['command']);
  const command = fields && r.string(fields.get('command'));
  return command ? { command } : undefined;
}


/** An estimate no run can reach: past its kind's limit (Lambda's 15 minutes), or past the job's own timeout. */
function checkEstimate(r: Reader, at: Span, job: string, kind: JobKind | undefined, estimate: number, timeout: number): void {
  const max = kind && kindOf(kind).maxRun;
  if (max && estimate > max.seconds) {
    r.warning(
      at,
      Codes.lambdaTooLong,
      `job '${job}' is estimated at ${formatDuration(estimate)}, but ${max.what} for at most ${formatDuration(max.seconds)}`,
      'run work this long as another kind: glue, batch, ecs, emr_serverless or state_machine',
    );
  }
  if (estimate > timeout) {
    r.warning(at, Codes.estimateOverTimeout, `job '${job}' is estimated at ${formatDuration(estimate)}, longer than its timeout of ${formatDuration(timeout)}: a typical run times out`, `raise its 'timeout' above ${formatDuration(estimate)}, or correct the estimate`);
  }
}
/** What `run --local` fills into a command besides the job's and the run's params (local-run.ts: templateValues). */
const COMMAND_TEMPLATES = ['date', 'datekey', 'yyyy', 'mm', 'dd', 'hh', 'job', 'workflow', 'execution', 'attempt'];

/**
 * `{dat}` in a local command would run literally. A run's --param values are filled in too, so
 * a name is reported only when it is close to one stepgraph fills in (a typo), or is {hh} in a
 * daily workflow. `${VAR}` is the shell's and left alone.
 */
function checkCommandTemplates(r: Reader, entry: Entry, command: string, params: readonly string[], partition: Partition, references?: DataReference[]): void {
  const known = [...COMMAND_TEMPLATES.filter((t) => t !== 'hh' || partition === 'hourly'), ...params];
  const at = commandSpan(entry);
  for (const m of command.matchAll(/(?<!\$)\{([A-Za-z0-9_.]+)\}/g)) {
    const name = m[1];
    // `{inputs.<job>.<name>}`, `{item}`, `{index}`: checked with the kind's own (check/references.ts).
    if (isDataTemplate(name)) {
      references?.push({ text: name, span: at });
      continue;
    }
    if (known.includes(name)) continue;
    if (name === 'hh') {
      r.error(at, Codes.badTemplate, `'{hh}' in the local command needs an hourly partition`, "set 'partition: hourly' or drop the hour");
      continue;
    }
    const near = closest(name, known);
    if (near) r.error(at, Codes.badTemplate, `unknown template '{${name}}' in the local command: it would run literally`, `did you mean '{${near}}'? (templates: ${COMMAND_TEMPLATES.map((t) => `{${t}}`).join(', ')}, the job's params and --param names)`);
  }
}

/** The command's own span inside `local: { command: ... }`, else the whole entry's. */
function commandSpan(entry: Entry): Span {
  const value = entry.value as { items?: { key?: { value?: unknown }; value?: { range?: [number, number] } }[] } | null;
  const range = value?.items?.find((i) => i.key?.value === 'command')?.value?.range;
  return range ? { start: range[0], end: range[1] } : entry.span;
}

// Phase 2 for sweeps: read a sweep file (spawn's parameter-file format, plus stepgraph's
// additions) into the model, reporting every problem at its place. The sweep is returned only
// when no error stands.
import { basename, extname } from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { hasErrors, type Diagnostic } from '../diagnostics.ts';
import { Codes } from '../messages.ts';
import { DEFAULTS } from '../model.ts';
import type { SourceFile } from '../source.ts';
import { duration, retryPolicy } from '../check/options.ts';
import { report } from '../check/values.ts';
import { readTolerated } from '../check/tolerated.ts';
import { SWEEP_RUNNER_KINDS, runnerKind } from '../kinds/task-kinds.ts';
import { Reader, type Entry, type Span } from '../check/reader.ts';
import { closest, didYouMean } from '../contract/suggest.ts';
import { bucketProblem, prefixProblem, workflowNameProblem } from '../check/values.ts';
import { checkField, jsonType, type FieldValue } from './fields.ts';
import { expandItems, type ItemSource } from './expand.ts';
import { checkTemplates } from './templates-check.ts';
import { checkItems } from './items-check.ts';
import { isKnownField, KNOWN_FIELDS, type Json, type Sweep, type SweepRunner } from './model.ts';

export const SWEEP_KEYS = [
  'name',
  'description',
  'comment',
  'defaults',
  'params',
  'matrix',
  'max_concurrent',
  'launch_delay',
  'tolerated_failures',
  ...SWEEP_RUNNER_KINDS.map((k) => k.type),
  'retry',
  'markers',
  '$schema',
] as const;

const RUNNERS = SWEEP_RUNNER_KINDS.map((k) => k.type);

/** A parameter file expands to at most this many items (the items file of a distributed Map stays well under S3 and memory limits). */
const MAX_ITEMS = 100_000;

/** What the command line may set instead of the file (spawn's --sweep-name, --max-concurrent, --launch-delay). */
export interface SweepOverrides {
  name?: string;
  /** The name when the sweep gives none (a sweep inside a workflow job); otherwise the file's name. */
  defaultName?: string;
  maxConcurrent?: number;
  launchDelaySeconds?: number;
}

export interface SweepCheckResult {
  sweep?: Sweep;
  diagnostics: Diagnostic[];
}

/** A field as written in `defaults`, an entry or the matrix: its entry (for spans) and its value. */
export interface WrittenField {
  entry: Entry;
  value: FieldValue;
}

export function checkSweep(source: SourceFile, overrides: SweepOverrides = {}): SweepCheckResult {
  const diagnostics: Diagnostic[] = [];
  const r = new Reader(source, diagnostics);
  const root = source.root ?? null;
  if (!isMap(root)) return { diagnostics };
  const top = readTop(r, root);
  const topSpan = r.span(root);

  const name = sweepName(r, top.get('name'), overrides.name, overrides.defaultName);
  const runner = readRunner(r, top);
  const maxConcurrent = overrides.maxConcurrent ?? (top.has('max_concurrent') ? r.integer(top.get('max_concurrent'), 1) : 0);
  const launchDelaySeconds = overrides.launchDelaySeconds ?? launchDelay(r, top.get('launch_delay'));
  const toleratedFailures = readTolerated(r, top.get('tolerated_failures'), Codes.badToleratedFailures);
  const retry = retryPolicy(r, top.get('retry'), DEFAULTS.retry);
  const markers = readMarkers(r, top.get('markers'));
  const descriptionEntry = top.get('description');
  const description = descriptionEntry ? r.string(descriptionEntry) : undefined;

  const defaults = readFields(r, top.get('defaults'), "'defaults'", undefined);
  const sources = readSources(r, top, defaults ?? new Map(), topSpan);
  const itemCount = sources.reduce((n, s) => n + s.count, 0);
  if (itemCount > MAX_ITEMS) {
    const at = top.get('matrix')?.keySpan ?? top.get('params')?.keySpan ?? topSpan;
    r.error(at, Codes.tooManyItems, `this sweep expands to ${itemCount.toLocaleString('en-US')} parameter sets; at most ${MAX_ITEMS.toLocaleString('en-US')} fit in one sweep`, 'split it into several sweep files');
  }

  const complete = defaults !== undefined && sources.every((s) => s.complete);
  if (complete) checkTemplates(r, defaults!, sources);
  if (hasErrors(diagnostics) || name === undefined || runner === undefined || maxConcurrent === undefined || launchDelaySeconds === undefined || toleratedFailures === undefined || markers === undefined) {
    return { diagnostics };
  }

  const items = expandItems(name, defaults!, sources);
  checkItems(r, name, runner, items, defaults!, top.get('defaults'), topSpan);
  if (hasErrors(diagnostics)) return { diagnostics };
  return {
    diagnostics,
    sweep: {
      file: source.file,
      name,
      ...(description !== undefined && { description }),
      runner,
      maxConcurrent,
      launchDelaySeconds,
      toleratedFailures,
      retry,
      markers,
      items,
    },
  };
}

/**
 * The top-level keys. spawn ignores keys it does not know (its guide adds `comment` and `date`),
 * so an unknown key is a warning, unless it looks like a misspelt key of ours: a typo in
 * `max_concurrent` silently launching everything at once would be an expensive surprise.
 */
function readTop(r: Reader, root: Node): Map<string, Entry> {
  const top = new Map<string, Entry>();
  for (const entry of r.entries(root)) {
    const first = top.get(entry.key);
    if (first) {
      r.error(entry.keySpan, Codes.duplicateKey, `'${entry.key}' is given twice in the sweep`, 'keep one of them', { message: 'first given', file: r.file, offset: first.keySpan.start });
      continue;
    }
    if (!(SWEEP_KEYS as readonly string[]).includes(entry.key)) {
      const hint = didYouMean(entry.key, SWEEP_KEYS);
      if (hint) r.error(entry.keySpan, Codes.unknownKey, `unknown key '${entry.key}' in the sweep`, hint);
      else r.warning(entry.keySpan, Codes.ignoredKey, `'${entry.key}' is not a sweep setting and is ignored`, `sweep settings are: ${SWEEP_KEYS.filter((k) => k !== '$schema').join(', ')}`);
      continue;
    }
    top.set(entry.key, entry);
  }
  return top;
}

function sweepName(r: Reader, entry: Entry | undefined, override: string | undefined, fallback: string | undefined): string | undefined {
  const problemOf = (name: string): string | undefined => workflowNameProblem(name)?.message.replace('workflow', 'sweep');
  if (override !== undefined) {
    const problem = problemOf(override);
    if (problem) r.error({ start: 0, end: 1 }, Codes.badSweepName, `--sweep-name: ${problem}`, workflowNameProblem(override)?.hint);
    return problem ? undefined : override;
  }
  if (entry) {
    const name = r.string(entry);
    if (name === undefined) return undefined;
    const problem = workflowNameProblem(name);
    if (problem) r.error(entry.span, Codes.badSweepName, problem.message.replace('workflow', 'sweep'), `${problem.hint}; the state machine and its stack are named after it`);
    return problem ? undefined : name;
  }
  if (fallback !== undefined) return fallback;
  // spawn's files have no name: the file's own name stands in (grid-search.json -> grid-search).
  const fromFile = basename(r.file, extname(r.file));
  const problem = workflowNameProblem(fromFile);
  if (problem) {
    r.error({ start: 0, end: 1 }, Codes.badSweepName, `the sweep has no 'name' and its file name '${fromFile}' is not a valid sweep name`, "add 'name: <sweep-name>' (lower-case letters, digits and '-'), or pass --sweep-name");
    return undefined;
  }
  return fromFile;
}

function readRunner(r: Reader, top: Map<string, Entry>): SweepRunner | undefined {
  const given = RUNNERS.filter((k) => top.has(k));
  if (given.length > 1) {
    const second = top.get(given[1])!;
    r.error(second.keySpan, Codes.twoRunners, `the sweep has two runners: '${given[0]}' and '${given[1]}'`, 'a sweep runs each parameter set one way: keep one (no runner at all means EC2 instances)', {
      message: `'${given[0]}' given`,
      file: r.file,
      offset: top.get(given[0])!.keySpan.start,
    });
    return undefined;
  }
  if (given.length === 0) return { type: 'ec2' };
  return runnerKind({ type: given[0] }).read(r, top.get(given[0])!, { job: '', partition: 'daily' }) as SweepRunner | undefined;
}

/** spawn's default is "0s", which is not a duration elsewhere in the language: zero is allowed here. */
function launchDelay(r: Reader, entry: Entry | undefined): number | undefined {
  if (!entry) return 0;
  const raw = r.scalar(entry.value);
  if (raw === 0 || raw === '0' || raw === '0s') return 0;
  return duration(r, entry);
}

function readMarkers(r: Reader, entry: Entry | undefined): Sweep['markers'] | undefined {
  if (!entry) return { prefix: DEFAULTS.markerPrefix };
  const fields = r.fields(r.map(entry) ?? null, "'markers'", ['bucket', 'prefix']);
  if (!fields) return undefined;
  const bucketEntry = fields.get('bucket');
  const bucket = bucketEntry ? r.string(bucketEntry) : undefined;
  if (bucket !== undefined && !report(r, bucketEntry!.span, Codes.badBucket, bucketProblem(bucket))) return undefined;
  const prefixEntry = fields.get('prefix');
  if (!prefixEntry) return { ...(bucket !== undefined && { bucket }), prefix: DEFAULTS.markerPrefix };
  const prefix = r.scalar(prefixEntry.value);
  if (typeof prefix !== 'string') {
    r.wrongType(prefixEntry, "a string such as 'done/'");
    return undefined;
  }
  if (!report(r, prefixEntry.span, Codes.badBucket, prefixProblem(prefix))) return undefined;
  return { ...(bucket !== undefined && { bucket }), prefix };
}

/**
 * The fields of one mapping (`defaults` or a `params` entry). In an entry, a value whose type
 * differs from the default it overrides is reported (SG5005): spawn would pass it on, and the
 * command would see a string where every other run saw a number.
 */
function readFields(r: Reader, entry: Entry | { key: string; span: Span; value: Node | null } | undefined, where: string, defaults: Map<string, WrittenField> | undefined): Map<string, WrittenField> | undefined {
  const out = new Map<string, WrittenField>();
  if (!entry) return out;
  if (!isMap(entry.value)) {
    if (defaults) r.error(entry.span, Codes.wrongType, `each 'params' entry must be a mapping of fields, not ${r.typeName(entry.value)}`, "e.g. {name: run-1, learning_rate: 0.1}");
    else r.wrongType(entry as Entry, 'a mapping of fields');
    return undefined;
  }
  let ok = true;
  for (const field of r.entries(entry.value)) {
    if (field.key === '') {
      r.error(field.keySpan, Codes.wrongType, `keys in ${where} must be plain names`);
      ok = false;
      continue;
    }
    const first = out.get(field.key);
    if (first) {
      r.error(field.keySpan, Codes.duplicateKey, `'${field.key}' is given twice in ${where}`, 'keep one of them', { message: 'first given', file: r.file, offset: first.entry.keySpan.start });
      ok = false;
      continue;
    }
    const result = checkField(field.key, field.value);
    if ('problem' in result) {
      const { code, message, hint } = result.problem;
      r.error(field.span, code === 'type' ? (defaults ? Codes.overrideType : Codes.wrongType) : code, message, hint);
      ok = false;
      continue;
    }
    if (result.ok.warning) r.warning(field.span, result.ok.warning.code, result.ok.warning.message, result.ok.warning.hint);
    // Any other key is a custom parameter (spawn's format), so a typo of a known field would
    // silently become one: 'comand' would run nothing.
    const meant = isKnownField(field.key) ? undefined : closest(field.key, Object.keys(KNOWN_FIELDS));
    if (meant) r.warning(field.keySpan, Codes.ignoredKey, `'${field.key}' is not a field stepgraph knows, so it is a custom parameter of the item`, `did you mean '${meant}'? (a custom parameter only reaches the command as {${field.key}} and the environment)`);
    const base = defaults?.get(field.key);
    if (base && !sameType(base.value.value, result.ok.value)) {
      r.error(field.span, Codes.overrideType, `'${field.key}' is ${jsonType(base.value.value)} in 'defaults'; this entry gives ${jsonType(result.ok.value)}`, `write it as ${jsonType(base.value.value)} here too`, {
        message: 'the default is',
        file: r.file,
        offset: base.entry.span.start,
      });
      ok = false;
      continue;
    }
    out.set(field.key, { entry: field, value: result.ok });
  }
  return ok ? out : undefined;
}

const sameType = (a: Json, b: Json): boolean => a === null || b === null || jsonType(a) === jsonType(b);

/** `params` entries, then the matrix: where the items come from, with what each one sets itself. */
function readSources(r: Reader, top: Map<string, Entry>, defaults: Map<string, WrittenField>, topSpan: Span): ItemSource[] {
  const sources: ItemSource[] = [];
  const paramsEntry = top.get('params');
  const matrixEntry = top.get('matrix');
  if (paramsEntry) {
    const list = r.list(paramsEntry);
    if (list && list.length === 0 && !matrixEntry) {
      r.error(paramsEntry.span, Codes.noParams, "'params' is empty", "add one entry per run, e.g. - {name: run-1, alpha: 0.1}; or generate them with 'matrix'");
    }
    if (!list) sources.push({ kind: 'entry', span: paramsEntry.span, own: new Map(), count: 0, complete: false });
    for (const item of list ?? []) {
      const own = readFields(r, { key: 'params', span: item.span, value: item.node }, 'a params entry', defaults);
      sources.push({ kind: 'entry', span: item.span, own: own ?? new Map(), count: 1, complete: own !== undefined });
    }
  }
  if (matrixEntry) {
    const matrix = readMatrix(r, matrixEntry, defaults);
    sources.push(matrix);
  }
  if (!paramsEntry && !matrixEntry) {
    r.error(topSpan, Codes.noParams, "the sweep has no 'params' (and no 'matrix')", "add 'params:' with one entry per run, or 'matrix:' with a list of values per parameter");
  }
  return sources;
}

function readMatrix(r: Reader, entry: Entry, defaults: Map<string, WrittenField>): ItemSource {
  const source: ItemSource = { kind: 'matrix', span: entry.keySpan, own: new Map(), axes: [], count: 0, complete: false };
  if (!r.map(entry)) return source;
  let ok = true;
  const axes = r.entries(entry.value);
  if (axes.length === 0) {
    r.error(entry.span, Codes.emptyMatrix, "'matrix' is empty", 'give each parameter a list of values, e.g. learning_rate: [0.001, 0.01]');
    ok = false;
  }
  for (const axis of axes) {
    if (!isSeq(axis.value)) {
      r.error(axis.span, Codes.wrongType, `matrix key '${axis.key}' must be a list of values, not ${r.typeName(axis.value)}`, `e.g. ${axis.key}: [1, 2, 3]`);
      ok = false;
      continue;
    }
    const nodes = axis.value.items as (Node | null)[];
    if (nodes.length === 0) {
      r.error(axis.span, Codes.emptyMatrix, `matrix key '${axis.key}' has an empty list`, 'an empty list would make the whole matrix empty: give it at least one value, or remove the key');
      ok = false;
      continue;
    }
    const values: FieldValue[] = [];
    for (const node of nodes) {
      const span = r.span(node, axis.span);
      if (!isScalar(node) && !(axis.key === 'security_group_ids' && isSeq(node))) {
        r.error(span, Codes.badMatrixValue, `matrix values must be single values; '${axis.key}' has ${r.typeName(node)}`, 'a matrix multiplies lists of plain values; write structured values as separate params entries');
        ok = false;
        continue;
      }
      const result = checkField(axis.key, node);
      if ('problem' in result) {
        const { code, message, hint } = result.problem;
        r.error(span, code === 'type' ? Codes.overrideType : code, message, hint);
        ok = false;
        continue;
      }
      if (result.ok.warning) r.warning(span, result.ok.warning.code, result.ok.warning.message, result.ok.warning.hint);
      const base = defaults.get(axis.key);
      if (base && !sameType(base.value.value, result.ok.value)) {
        r.error(span, Codes.overrideType, `'${axis.key}' is ${jsonType(base.value.value)} in 'defaults'; this matrix value is ${jsonType(result.ok.value)}`, `write it as ${jsonType(base.value.value)} here too`, {
          message: 'the default is',
          file: r.file,
          offset: base.entry.span.start,
        });
        ok = false;
        continue;
      }
      values.push(result.ok);
    }
    source.axes!.push({ entry: axis, values });
    source.own.set(axis.key, { entry: axis, value: values[0] ?? { value: null } });
  }
  source.count = ok ? source.axes!.reduce((n, a) => n * a.values.length, 1) : 0;
  source.complete = ok;
  return source;
}

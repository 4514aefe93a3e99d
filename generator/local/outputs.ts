// What a job's result holds in a local run, where no service answers: the kind's local answer
// (kinds/: `local.output`) with a value at each declared output's path. A value comes from
// `--output job.name=value` (read as JSON when it parses, else as text); without one, an output
// that a for_each job iterates over is a list of `--items` elements (default 3) and any other
// output is the text `<job>.<name>`, so conditions, templates and fan-out all have something to read.
// A job whose local command ran in `run --local` gets no made-up value: its outputs come from the
// result its command wrote (result-file.ts), `--output` still overriding them (commandOutputs).
import type { Job, Workflow } from '../model.ts';
import { UserError } from '../errors.ts';

const DEFAULT_ITEMS = 3;

export interface OutputValues {
  /** job -> output -> value, from --output. */
  given: Map<string, Map<string, unknown>>;
  /** How many elements a list output has when none is given. */
  items: number;
}

/** Reads `--output job.name=value` flags, checking the names against the workflow. */
export function parseOutputFlags(workflow: Workflow, flags: readonly string[], items = DEFAULT_ITEMS): OutputValues {
  const given = new Map<string, Map<string, unknown>>();
  for (const flag of flags) {
    const m = /^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)=(.*)$/s.exec(flag);
    if (!m) throw new UserError(`--output '${flag}' must be job.output=value, e.g. --output list_partitions.partitions='["a","b"]'`);
    const [, jobName, name, text] = m;
    const job = workflow.jobs.find((j) => j.name === jobName);
    if (!job) throw new UserError(`--output '${flag}': the workflow has no job '${jobName}'`);
    const names = (job.outputs ?? []).map((o) => o.name);
    if (!names.includes(name)) throw new UserError(`--output '${flag}': job '${jobName}' has no output '${name}'${names.length > 0 ? ` (its outputs: ${names.join(', ')})` : ''}`);
    if (!given.has(jobName)) given.set(jobName, new Map());
    given.get(jobName)!.set(name, readValue(text));
  }
  return { given, items };
}

function readValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The job's local result with each declared output's path filled (where the kind's answer has none). */
export function withOutputs(workflow: Workflow, job: Job, result: unknown, values: OutputValues | undefined): unknown {
  if (!job.outputs || job.outputs.length === 0) return result;
  let out: unknown = structuredClone(result);
  for (const output of job.outputs) {
    const given = values?.given.get(job.name);
    const value = given?.has(output.name) ? given.get(output.name) : defaultValue(workflow, job, output.name, values?.items ?? DEFAULT_ITEMS);
    out = setAt(out, steps(output.path), value);
  }
  return out;
}

function defaultValue(workflow: Workflow, job: Job, name: string, items: number): unknown {
  const iterated = workflow.jobs.some((j) => j.forEach?.job === job.name && j.forEach.output === name);
  return iterated ? Array.from({ length: items }, (_, i) => `${job.name}.${name}[${i}]`) : `${job.name}.${name}`;
}

/** The steps of a checked output path (check/outputs.ts): `.name`, `[0]`, `['a name']`. */
function steps(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.slice(1).matchAll(/\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\['([^']+)'\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3]));
  return out;
}

/** `value` placed at `path` in `root`, unless something is there already (the kind's own answer wins) or `replace`. */
function setAt(root: unknown, path: (string | number)[], value: unknown, replace = false): unknown {
  if (path.length === 0) return root === undefined || replace ? value : root;
  const [head, ...rest] = path;
  const container = (typeof root === 'object' && root !== null ? root : typeof head === 'number' ? [] : Object.create(null)) as Record<string | number, unknown>;
  const child = Object.hasOwn(container, head) ? container[head] : undefined;
  // Defined, not assigned: a step named __proto__ is a key like any other.
  Object.defineProperty(container, head, { value: setAt(child, rest, value, replace), enumerable: true, writable: true, configurable: true });
  return container;
}

/** The value at `path` in `root`, through own keys only; undefined when the path points to none. */
function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let value = root;
  for (const step of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, step)) return undefined;
    value = (value as Record<string | number, unknown>)[step];
  }
  return value;
}

/**
 * The answer of a job whose local command ran (`answer`: the kind's, with the command's result in
 * its place): `--output` values replace what the command gave, and every other output path must
 * point to a value, as Step Functions' ResultSelector requires, or the job fails (States.Runtime,
 * not retried, `fail` words it). No default is made up: the command's result is the job's.
 */
export function commandOutputs(job: Job, answer: unknown, values: OutputValues | undefined, fail: (problem: string) => Error): unknown {
  if (!job.outputs || job.outputs.length === 0) return answer;
  const given = values?.given.get(job.name);
  let out: unknown = given ? structuredClone(answer) : answer;
  for (const output of job.outputs) {
    if (given?.has(output.name)) out = setAt(out, steps(output.path), given.get(output.name), true);
    else if (valueAt(out, steps(output.path)) === undefined) throw fail(`output '${output.name}' reads ${output.path}, which points to no value`);
  }
  return out;
}

/** `--items N`: a whole number from 0. */
export function itemCount(text: string | undefined): number {
  if (text === undefined) return DEFAULT_ITEMS;
  if (!/^\d+$/.test(text) || Number(text) > 100_000) throw new UserError(`--items '${text}' must be a whole number from 0 to 100000`);
  return Number(text);
}

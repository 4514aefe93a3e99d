// What a simulation is asked to make happen, checked against the workflow: `--fail JOB` (or
// `--fail JOB[N,...]`: only those items of a for_each job, by index),
// `--late JOB=DURATION` (a job or an external marker), `--missing MARKER`, a replay selection.
// Unknown names are errors with a did-you-mean, before anything runs.
import { closest } from '../contract/suggest.ts';
import { durationHint, parseDuration } from '../check/values.ts';
import { UserError } from '../errors.ts';
import type { Workflow } from '../model.ts';

export interface Scenario {
  fail: Set<string>;
  /** for_each jobs of which only some items fail (`--fail JOB[1,3]`): the items' indexes. */
  failItems: Map<string, Set<number>>;
  /** Extra seconds per job (added to its duration) or per external marker (when it appears). */
  lateJobs: Map<string, number>;
  lateMarkers: Map<string, number>;
  missing: Set<string>;
  select?: Set<string>;
}

export interface ScenarioInput {
  fail?: readonly string[];
  late?: Readonly<Record<string, number>> | ReadonlyMap<string, number>;
  missing?: readonly string[];
  select?: readonly string[];
}

/** `JOB[1,3]`: items of a for_each job, by index. */
const ITEMS = /^([^[\]]+)\[\s*(\d+(?:\s*,\s*\d+)*)\s*\]$/;

const externalMarkers = (workflow: Workflow): string[] => [...new Set(workflow.jobs.flatMap((j) => j.waitsFor.map((w) => w.marker)))].sort();

export function checkScenario(workflow: Workflow, input: ScenarioInput): Scenario {
  const jobs = new Set(workflow.jobs.map((j) => j.name));
  const markers = new Set(externalMarkers(workflow));
  const job = (flag: string, name: string): string => {
    if (jobs.has(name)) return name;
    throw new UserError(`${flag} ${name}: workflow '${workflow.name}' has no job '${name}'${suggest(name, jobs)}`);
  };
  const late = input.late instanceof Map ? [...input.late] : Object.entries(input.late ?? {});
  const scenario: Scenario = { fail: new Set(), failItems: new Map(), lateJobs: new Map(), lateMarkers: new Map(), missing: new Set() };
  for (const text of input.fail ?? []) {
    const items = ITEMS.exec(text);
    if (!items) {
      scenario.fail.add(job('--fail', text));
      continue;
    }
    const name = job('--fail', items[1]);
    if (!workflow.jobs.find((j) => j.name === name)!.forEach) throw new UserError(`--fail ${text}: job '${name}' has no for_each, so no items to fail by index; write --fail ${name}`);
    const indexes = scenario.failItems.get(name) ?? new Set<number>();
    for (const n of items[2].split(',')) indexes.add(Number(n.trim()));
    scenario.failItems.set(name, indexes);
  }
  for (const [name, seconds] of late) {
    // A name that is both a job and a marker this workflow waits for means the job.
    if (jobs.has(name)) scenario.lateJobs.set(name, seconds);
    else if (markers.has(name)) scenario.lateMarkers.set(name, seconds);
    else throw new UserError(`--late ${name}: workflow '${workflow.name}' has no job or external marker '${name}'${suggest(name, [...jobs, ...markers])}`);
  }
  for (const name of input.missing ?? []) {
    if (!markers.has(name)) {
      const what = markers.size > 0 ? `; it waits for ${[...markers].map((m) => `'${m}'`).join(', ')}` : '; it waits for no external marker';
      throw new UserError(`--missing ${name}: workflow '${workflow.name}' does not wait for a marker '${name}'${suggest(name, markers) || what}`);
    }
    scenario.missing.add(name);
  }
  if (input.select) scenario.select = new Set(input.select.map((n) => job('--select', n)));
  return scenario;
}

/** `JOB=DURATION` of `--late`. */
export function parseLate(text: string): [string, number] {
  const eq = text.indexOf('=');
  const name = text.slice(0, eq).trim();
  const seconds = eq > 0 ? parseDuration(text.slice(eq + 1)) : undefined;
  if (eq <= 0 || !name) throw new UserError(`--late '${text}' must be JOB=DURATION, e.g. --late sessions=20m`);
  if (seconds === undefined) throw new UserError(`--late '${text}': '${text.slice(eq + 1)}' is not a duration; ${durationHint}`);
  return [name, seconds];
}

function suggest(name: string, candidates: Iterable<string>): string {
  const guess = closest(name, candidates);
  return guess ? `; did you mean '${guess}'?` : '';
}

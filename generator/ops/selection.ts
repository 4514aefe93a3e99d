// Which jobs a replay reruns, and the execution input that says so. `--from` takes the named jobs
// and everything downstream of them, `--only` exactly the named ones; jobs outside the selection
// are skipped by the state machine as already done.
import { ownMap } from '../check/data.ts';
import { UserError } from '../errors.ts';
import { didYouMean } from '../contract/suggest.ts';
import { downstreamClosure, topologicalOrder, type Workflow } from '../model.ts';
import type { RunInput } from '../contract/run.ts';

export interface SelectionRequest {
  from?: readonly string[];
  only?: readonly string[];
}

/** The selected job names in topological order (the order the run starts them in). */
export function computeSelection(workflow: Workflow, request: SelectionRequest): string[] {
  const from = request.from ?? [];
  const only = request.only ?? [];
  if (from.length > 0 && only.length > 0) throw new UserError('give either --from or --only, not both');
  if (from.length === 0 && only.length === 0) {
    throw new UserError('say which jobs to rerun: --from JOB (it and everything downstream) or --only JOB (exactly those)');
  }
  const named = from.length > 0 ? from : only;
  checkJobNames(workflow, named, from.length > 0 ? '--from' : '--only');
  if (from.length > 0) return downstreamClosure(workflow, from);
  const wanted = new Set(only);
  return topologicalOrder(workflow.jobs)
    .map((j) => j.name)
    .filter((n) => wanted.has(n));
}

function checkJobNames(workflow: Workflow, names: readonly string[], flag: string): void {
  const known = workflow.jobs.map((j) => j.name);
  for (const name of names) {
    if (known.includes(name)) continue;
    const hint = didYouMean(name, known);
    throw new UserError(
      `${flag} ${name}: workflow '${workflow.name}' has no job '${name}'; ` + (hint ?? `its jobs: ${known.join(', ')}`),
    );
  }
}

/** The execution input of the runtime contract; `select` keys in run order so the input is stable. */
export function runInput(date: string, selection?: readonly string[], params?: Record<string, unknown>): RunInput {
  const input: RunInput = { date };
  if (params && Object.keys(params).length > 0) input.params = params;
  if (selection) input.select = Object.fromEntries(selection.map((job) => [job, true as const]));
  return input;
}

/** `--param k=v` values; a later `k` overrides an earlier one. */
export function parseParams(pairs: readonly string[]): Record<string, string> {
  const params = ownMap<string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UserError(`--param '${pair}' is not key=value, e.g. --param mode=full`);
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return params;
}

/**
 * The selection drawn as a tree that follows `needs`: each selected job sits under the first of
 * its selected needs (in run order) and names the others, so every job appears exactly once.
 */
export function selectionTree(workflow: Workflow, selection: readonly string[]): string[] {
  const selected = new Set(selection);
  const order = topologicalOrder(workflow.jobs).filter((j) => selected.has(j.name));
  const rank = new Map(order.map((j, i) => [j.name, i]));
  const children = new Map<string, string[]>(order.map((j) => [j.name, []]));
  const roots: string[] = [];
  const also = new Map<string, string[]>();
  for (const job of order) {
    const needs = job.needs.filter((n) => selected.has(n)).sort((a, b) => rank.get(a)! - rank.get(b)!);
    if (needs.length === 0) roots.push(job.name);
    else children.get(needs[0])!.push(job.name);
    if (needs.length > 1) also.set(job.name, needs.slice(1));
  }
  const lines: string[] = [];
  const draw = (name: string, lead: string, branch: string): void => {
    const extra = also.get(name);
    lines.push(`${lead}${branch}${name}${extra ? `  (also needs ${extra.join(', ')})` : ''}`);
    const kids = children.get(name)!;
    const next = lead + (branch === '' ? '' : branch === '└── ' ? '    ' : '│   ');
    kids.forEach((kid, i) => draw(kid, next, i === kids.length - 1 ? '└── ' : '├── '));
  };
  for (const root of roots) draw(root, '', '');
  return lines;
}

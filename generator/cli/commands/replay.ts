// `stepgraph replay <workflow> --date D (--from JOB... | --only JOB...)`: rerun jobs of a date as a
// new execution whose input selects them; with --downstream also the workflows reading their markers.
import { parseArgs } from 'node:util';
import type { Aws } from '../../ops/aws.ts';
import { dependentWorkflows, type Dependent } from '../../ops/downstream.ts';
import { laterRuns, type LaterRun } from '../../ops/dated-downstream.ts';
import { runDateOfTime } from '../../contract/dates.ts';
import { parseRunDate } from '../../dates.ts';
import { resolveMarkerBucket } from '../../ops/markers.ts';
import { consoleLink } from '../../ops/names.ts';
import { replayName } from '../../contract/run-names.ts';
import { AWS_OPTIONS, AWS_USAGE, connectFrom, onePositional, requireFlag } from '../../ops/options.ts';
import { executeReplay, planReplay, type ReplayPlan } from '../../ops/replay.ts';
import { parseParams, selectionTree } from '../../ops/selection.ts';
import { resolveStateMachineArn } from '../../ops/state-machine.ts';
import { findWorkflow, loadWorkflow, loadWorkflows, looksLikeFile } from '../../ops/workflows.ts';
import { UserError } from '../../errors.ts';
import { printJson } from '../json.ts';

export const usage =
  'stepgraph replay <workflow> --date D (--from JOB... | --only JOB...) [--param k=v]... [--dry-run] [--downstream [--through D] [--yes]] ' +
  `[--marker-bucket B] [--json] ${AWS_USAGE}`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...AWS_OPTIONS,
      date: { type: 'string' },
      from: { type: 'string', multiple: true, default: [] },
      only: { type: 'string', multiple: true, default: [] },
      param: { type: 'string', multiple: true, default: [] },
      'dry-run': { type: 'boolean', default: false },
      downstream: { type: 'boolean', default: false },
      through: { type: 'string' },
      yes: { type: 'boolean', default: false },
      'marker-bucket': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.yes && !values.downstream) throw new UserError('--yes confirms replaying downstream workflows; it needs --downstream');
  const all = loadWorkflows(values.workflows);
  const target = onePositional(positionals, usage);
  const { workflow } = looksLikeFile(target) ? loadWorkflow(target, values.workflows) : findWorkflow(all, target, values.workflows);
  const date = requireFlag(values.date, '--date', '--date 2019-03-12');
  const plan = planReplay(workflow, date, { from: values.from, only: values.only }, parseParams(values.param));
  const dependents = values.downstream ? dependentWorkflows(all.compiled.map((c) => c.workflow), workflow, plan.selection) : [];
  if (values.through && !values.downstream) throw new UserError('--through bounds the later dates --downstream follows; it needs --downstream');
  // Runs of later dates reading the rewritten markers through a wait across dates (none after
  // --through, by default today: later runs do not exist yet).
  const through = values.through ? parseRunDate(values.through, workflow.partition, '--through') : runDateOfTime(Date.now(), workflow.partition);
  const later = values.downstream ? laterRuns(all.compiled.map((c) => c.workflow), workflow, plan.date, plan.selection, through, LATER_LIMIT) : { runs: [], truncated: false };
  if (later.truncated && values.yes) throw new UserError(`more than ${LATER_LIMIT} runs of later dates read these markers; bound them with --through (the last date to replay)`);

  if (values['dry-run'] && values.json) {
    printJson({ ...planJson(plan, dependents), later: laterJson(later.runs) });
    return 0;
  }
  if (values['dry-run']) {
    printPlan(plan, true);
    if (values.downstream) printDependents(dependents, plan, true);
    if (values.downstream) printLater(later, true);
    return 0;
  }

  // AWS first: without credentials (or without the deployed state machine) nothing may read as
  // if it were being replayed.
  const aws = await connectFrom(values);
  const stateMachineArn = await resolveStateMachineArn(aws, workflow.name, values['state-machine-arn']);
  const markerBucket = await resolveMarkerBucket(aws, workflow, stateMachineArn, values['marker-bucket']);
  const say = values.json ? console.error : console.log;
  if (!values.json) printPlan(plan, false);
  if (values.downstream && !values.json) printDependents(dependents, plan, values.yes);
  if (values.downstream && !values.json) printLater(later, values.yes);
  const started = [await startReplay(aws, plan, stateMachineArn, markerBucket, say)];

  if (values.downstream && values.yes) {
    for (const dependent of dependents) {
      const depPlan = dependentPlan(dependent, plan);
      if (!depPlan || !dependent.holdsUntilRewritten) continue;
      const arn = await resolveStateMachineArn(aws, dependent.workflow.name);
      const bucket = await resolveMarkerBucket(aws, dependent.workflow, arn);
      started.push(await startReplay(aws, depPlan, arn, bucket, say));
    }
    // Oldest first: each one's markers are invalidated after the earlier date's, so its dated
    // wait finds them missing and holds until the earlier replay rewrites them.
    for (const run of later.runs) {
      const arn = run.workflow === workflow ? stateMachineArn : await resolveStateMachineArn(aws, run.workflow.name);
      const bucket = run.workflow === workflow ? markerBucket : await resolveMarkerBucket(aws, run.workflow, arn);
      started.push(await startReplay(aws, planReplay(run.workflow, run.date.text, { from: run.from }, plan.input.params), arn, bucket, say));
    }
  }
  if (values.json) printJson({ ...planJson(plan, dependents), later: laterJson(later.runs), started });
  return 0;
}

function printPlan(plan: ReplayPlan, dryRun: boolean): void {
  const { workflow, selection, date } = plan;
  const skipped = workflow.jobs.map((j) => j.name).filter((n) => !selection.includes(n));
  console.log(`${dryRun ? 'would replay' : 'replaying'} ${selection.length} of ${workflow.jobs.length} jobs of ${workflow.name} for ${date.text}:`);
  for (const line of selectionTree(workflow, selection)) console.log(`  ${line}`);
  if (skipped.length > 0) console.log(`skipped as done: ${skipped.join(', ')}`);
  if (dryRun) {
    console.log(`name: ${replayName(workflow.name, date.text, '<n>')}  (n = 1 + the highest replay number of that date, looked up when it starts)`);
    console.log(`input: ${JSON.stringify(plan.input)}`);
    console.log(`markers invalidated first: ${plan.markerKeys.join(', ')}${workflow.markers.bucket ? ` in s3://${workflow.markers.bucket}` : ''}`);
  }
}

function printDependents(dependents: readonly Dependent[], plan: ReplayPlan, willReplay: boolean): void {
  if (dependents.length === 0) {
    console.log('downstream: no other workflow in the workflows folder reads these markers');
    return;
  }
  console.log('downstream workflows reading these markers:');
  for (const d of dependents) {
    const how = d.triggered ? 'triggered by' : `${d.waitingJobs.join(', ')} wait${d.waitingJobs.length === 1 ? 's' : ''} for`;
    const partitionNote = d.workflow.partition !== plan.workflow.partition ? ` (partitioned ${d.workflow.partition}: replay it by hand)` : '';
    console.log(`  ${d.workflow.name}: ${how} ${d.markers.join(', ')}${d.via !== plan.workflow.name ? ` (via ${d.via})` : ''}${partitionNote}`);
    console.log(`    reruns: ${d.selection.join(', ')}`);
    if (!d.holdsUntilRewritten && !partitionNote) {
      // Its first jobs do not wait for the markers: started now, they would read the old data.
      console.log(`    not started with --yes: once ${d.via}'s replay has succeeded, run`);
      console.log(`    npx stepgraph replay ${d.workflow.name} --date ${plan.date.text} ${d.from.map((j) => `--from ${j}`).join(' ')}`);
    }
  }
  if (!willReplay) console.log('add --yes to replay them too');
}

/** How many later-date runs `--downstream` lists; `--yes` refuses more (give --through). */
const LATER_LIMIT = 100;

function printLater(later: { runs: readonly LaterRun[]; truncated: boolean }, willReplay: boolean): void {
  if (later.runs.length === 0) return;
  console.log('later dates reading these markers (waits across dates), oldest first:');
  for (const r of later.runs) {
    console.log(`  ${r.workflow.name} ${r.date.text}: ${r.waitingJobs.join(', ')} wait${r.waitingJobs.length === 1 ? 's' : ''} for ${r.markers.join(', ')} (via ${r.via})`);
    console.log(`    reruns: ${r.selection.join(', ')}`);
  }
  if (later.truncated) console.log(`  ... and more: give --through to bound the dates`);
  else if (!willReplay) console.log('add --yes to replay them too (in this order)');
}

function laterJson(runs: readonly LaterRun[]): Record<string, unknown>[] {
  return runs.map((r) => ({ workflow: r.workflow.name, date: r.date.text, markers: r.markers, selection: r.selection, via: r.via }));
}

/** The same date's replay of a dependent workflow, or undefined when its partition differs. */
function dependentPlan(dependent: Dependent, source: ReplayPlan): ReplayPlan | undefined {
  if (dependent.workflow.partition !== source.workflow.partition) return undefined;
  return planReplay(dependent.workflow, source.date.text, { from: dependent.from }, source.input.params);
}

async function startReplay(aws: Aws, plan: ReplayPlan, stateMachineArn: string, markerBucket: string, say: (text: string) => void): Promise<{ workflow: string; name: string; executionArn: string }> {
  const started = await executeReplay(aws, plan, { stateMachineArn, markerBucket });
  say(`invalidated ${plan.markerKeys.length} marker(s) in s3://${markerBucket}`);
  say(`started ${started.name}`);
  say(`  input: ${JSON.stringify(plan.input)}`);
  say(`  console: ${consoleLink(aws.region, started.executionArn)}`);
  return { workflow: plan.workflow.name, name: started.name, executionArn: started.executionArn };
}

/** --json: what would be (or was) replayed. */
function planJson(plan: ReplayPlan, dependents: readonly Dependent[]): Record<string, unknown> {
  return {
    workflow: plan.workflow.name,
    date: plan.date.text,
    selection: plan.selection,
    input: plan.input,
    markerKeys: plan.markerKeys,
    downstream: dependents.map((d) => ({ workflow: d.workflow.name, markers: d.markers, selection: d.selection, startedWithYes: d.holdsUntilRewritten && d.workflow.partition === plan.workflow.partition })),
  };
}

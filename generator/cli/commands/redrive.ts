// `stepgraph redrive <execution-arn | workflow --date D>`: continue a failed, timed-out or aborted
// run in place from where it stopped, when Step Functions allows it and a redrive can help;
// otherwise explain why and print what does the job instead (the replay of what the run left
// unfinished, `sweep resume` for a sweep's own run).
import { parseArgs } from 'node:util';
import type { DescribeExecutionOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { runOutcome } from '../../contract/run-failure.ts';
import { handedOnInChild } from '../../contract/part-failures.ts';
import type { Workflow } from '../../model.ts';
import { isAwsError, type Aws } from '../../ops/aws.ts';
import { runHistories } from '../../ops/children.ts';
import { parseRunDate, runDateOfInput } from '../../dates.ts';
import { describeExecution, runsOfDate } from '../../ops/executions.ts';
import { fetchHistory } from '../../ops/history.ts';
import { consoleLink, stateMachineArnOf } from '../../ops/names.ts';
import { dateOfRunName } from '../../contract/run-names.ts';
import { AWS_OPTIONS, AWS_USAGE, connectFrom, onePositional } from '../../ops/options.ts';
import { definitionUsedBy, failStateOf, redrive, redriveEligibility, redriveParts, replayCommandFor, type Instead } from '../../ops/redrive.ts';
import { describeStateMachine, resolveStateMachineArn } from '../../ops/state-machine.ts';
import { runStatusOf, stepsOf } from '../../ops/status.ts';
import { runTarget } from '../../ops/workflows.ts';
import { UserError } from '../../errors.ts';
import { printJson } from '../json.ts';

export const usage = `stepgraph redrive (<execution-arn> | <workflow> --date D) [--json] ${AWS_USAGE}`;

/** Only a closed, unsuccessful run has a history worth reading here. */
const REDRIVABLE = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

export async function run(args: string[], now = Date.now()): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...AWS_OPTIONS, date: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const target = onePositional(positionals, usage);
  const { arnParts, workflow } = runTarget(target, values.date, values.workflows);
  if (!arnParts && !values.date) throw new UserError(`give the run: --date D (its newest run is taken), or an execution ARN; usage: ${usage}`);
  const date = workflow && values.date ? parseRunDate(values.date, workflow.partition) : undefined;
  const aws = await connectFrom(values);

  let executionArn: string;
  let stateMachineArn: string;
  if (arnParts) {
    executionArn = target;
    stateMachineArn = stateMachineArnOf(arnParts);
  } else {
    stateMachineArn = await resolveStateMachineArn(aws, workflow!.name, values['state-machine-arn']);
    const [newest] = await runsOfDate(aws, stateMachineArn, workflow!.name, date!.text);
    if (!newest) throw new UserError(`no run of ${workflow!.name} for ${date!.text} to redrive`);
    executionArn = newest.executionArn!;
  }

  const execution = await describeExecution(aws, executionArn);
  if (!execution) throw new UserError(`no execution ${executionArn} (executions are kept 90 days after they close)`);
  const stateMachine = stateMachineArn.split(':').pop()!;
  const [current, used, events] = await Promise.all([
    describeStateMachine(aws, stateMachineArn),
    definitionUsedBy(aws, executionArn),
    REDRIVABLE.has(execution.status ?? '') ? fetchHistory(aws, executionArn) : Promise.resolve(undefined),
  ]);
  // A failure handed on inside a child of a split graph: the child's history names the job.
  const children = events && handedOnInChild(events) ? (await runHistories(aws, executionArn, events)).slice(1).map((h) => h.events) : [];
  const failState = events && failStateOf(events, stateMachine, workflow, children);
  const eligibility = redriveEligibility({ execution, current, used, now, ...(failState && { failState }) });
  const name = execution.name ?? executionArn.split(':').pop()!;
  const refused = { aws, name, executionArn, workflow, execution, events };

  if (eligibility.ok) {
    try {
      // A split graph: the failed part first, then the run that waits for it.
      const parts = events ? await redriveParts(aws, executionArn, events) : [];
      if (!values.json) for (const child of parts) console.log(`redriven part ${child.split(':').pop()}`);
      await redrive(aws, executionArn);
      if (values.json) {
        printJson({ redriven: true, name, executionArn, parts: parts.map((child) => child.split(':').pop()) });
        return 0;
      }
      console.log(`redriven ${name}: ${whereItContinues(events, workflow)}; finished jobs are kept`);
      console.log(`  follow it: npx stepgraph status ${executionArn} --watch`);
      console.log(`  console: ${consoleLink(aws.region, executionArn)}`);
      return 0;
    } catch (error) {
      if (!isAwsError(error, 'ExecutionNotRedrivable')) throw error;
      return explain(refused, [`Step Functions refused: ${(error.cause as Error).message}`], undefined, values.json);
    }
  }
  return explain(refused, eligibility.reasons, eligibility.instead, values.json);
}

/** The jobs a redrive runs again, in the user's words: the one that failed, or those the run stopped. */
function whereItContinues(events: readonly HistoryEvent[] | undefined, workflow: Workflow | undefined): string {
  const outcome = events && runOutcome(events);
  if (!outcome) return 'its unfinished states run again';
  const stepOf = stepsOf(workflow);
  if (outcome.failed) {
    const job = stepOf(outcome.failed.state, outcome.failed.stateType ?? '')?.job;
    const state = job && job !== outcome.failed.state ? ` (state '${outcome.failed.state}')` : '';
    return job ? `it continues with job ${job}${state}, where it failed` : `it continues in '${outcome.failed.state}', where it failed`;
  }
  const jobs = [...new Set(outcome.inFlight.map((s) => stepOf(s, '')?.job).filter((j): j is string => j !== undefined))];
  const stopped = outcome.end === 'ExecutionAborted' ? 'stopped' : 'timed out';
  return jobs.length > 0 ? `it continues with ${jobs.join(', ')}, which ${jobs.length === 1 ? 'was' : 'were'} running when it ${stopped}` : 'its unfinished states run again';
}

interface Refused {
  aws: Aws;
  name: string;
  executionArn: string;
  workflow: Workflow | undefined;
  execution: DescribeExecutionOutput;
  events: HistoryEvent[] | undefined;
}

async function explain(run: Refused, reasons: readonly string[], instead?: Instead, json = false): Promise<number> {
  if (json) {
    const status = run.execution.status;
    const settled = status !== 'RUNNING' && status !== 'PENDING_REDRIVE';
    const replay = settled && !(instead && !instead.replay) ? ((await replayInstead(run)) ?? null) : null;
    printJson({ redriven: false, name: run.name, executionArn: run.executionArn, status: status ?? null, reasons, replay, instead: instead ? { does: instead.does, command: instead.command } : null });
    return 1;
  }
  console.error(`${run.name} cannot be redriven:`);
  for (const reason of reasons) console.error(`  - ${reason}`);
  const status = run.execution.status;
  // A running run has nothing to replay yet; a finished one is replayed from a job the user picks.
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') return 1;
  if (instead && !instead.replay) {
    console.error(`Instead, ${instead.does}:\n  ${instead.command}`);
    return 1;
  }
  // With the workflow at hand, the replay of everything the run left unfinished; else the reason's own.
  const replay = await replayInstead(run);
  if (replay && status === 'SUCCEEDED') {
    console.error(`To run jobs again, replay them, e.g.:\n  ${replay}`);
  } else if (replay) {
    console.error(`Instead, replay what it left unfinished (with the current definition):\n  ${replay}`);
  } else if (instead) {
    console.error(`Instead, ${instead.does}:\n  ${instead.command}`);
  } else {
    console.error(`Instead, replay: npx stepgraph replay <workflow> --date <date> --from <job>`);
  }
  return 1;
}

async function replayInstead(run: Refused): Promise<string | undefined> {
  const { workflow, execution } = run;
  if (!workflow) return undefined;
  let parsed: unknown;
  try {
    parsed = execution.input ? JSON.parse(execution.input) : undefined;
  } catch {
    parsed = undefined;
  }
  const date = runDateOfInput(parsed, workflow.partition)?.text ?? dateOfRunName(run.executionArn.split(':').pop()!, workflow.name);
  if (!date) return undefined;
  // The run's own history is read already; a split graph's children are read now.
  const histories = await runHistories(run.aws, run.executionArn, run.events);
  const status = runStatusOf(execution, histories, workflow, run.aws.region, Date.now());
  const wasPartial = typeof (parsed as { select?: unknown } | undefined)?.select === 'object';
  return replayCommandFor(workflow, date, status.jobs, wasPartial);
}

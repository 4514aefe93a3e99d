// `stepgraph redrive <execution-arn | workflow --date D>`: continue a failed run in place when Step
// Functions allows it and the definition has not changed since; otherwise explain why and print
// the replay command that reruns the same unfinished jobs.
import { parseArgs } from 'node:util';
import type { Workflow } from '../../model.ts';
import { isAwsError, type Aws } from '../../ops/aws.ts';
import { parseRunDate, runDateOfInput } from '../../ops/dates.ts';
import { describeExecution, runsOfDate } from '../../ops/executions.ts';
import { consoleLink, dateOfRunName, stateMachineArnOf } from '../../ops/names.ts';
import { AWS_OPTIONS, AWS_USAGE, connectFrom, onePositional } from '../../ops/options.ts';
import { definitionUsedBy, redrive, redriveEligibility, replayCommandFor } from '../../ops/redrive.ts';
import { describeStateMachine, resolveStateMachineArn } from '../../ops/state-machine.ts';
import { runStatus } from '../../ops/status.ts';
import { runTarget } from '../../ops/workflows.ts';
import { UserError } from '../errors.ts';
import { printJson } from '../json.ts';

export const usage = `stepgraph redrive (<execution-arn> | <workflow> --date D) [--json] ${AWS_USAGE}`;

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
  const [current, used] = await Promise.all([describeStateMachine(aws, stateMachineArn), definitionUsedBy(aws, executionArn)]);
  const eligibility = redriveEligibility({ execution, current, used, now });
  const name = execution.name ?? executionArn.split(':').pop()!;

  if (eligibility.ok) {
    try {
      await redrive(aws, executionArn);
      if (values.json) {
        printJson({ redriven: true, name, executionArn });
        return 0;
      }
      console.log(`redriven ${name}: its unfinished states run again, finished ones are kept`);
      console.log(`  follow it: npx stepgraph status ${executionArn} --watch`);
      console.log(`  console: ${consoleLink(aws.region, executionArn)}`);
      return 0;
    } catch (error) {
      if (!isAwsError(error, 'ExecutionNotRedrivable')) throw error;
      return explain(aws, [`Step Functions refused: ${(error.cause as Error).message}`], name, executionArn, workflow, execution, values.json);
    }
  }
  return explain(aws, eligibility.reasons, name, executionArn, workflow, execution, values.json);
}

async function explain(
  aws: Aws,
  reasons: readonly string[],
  name: string,
  executionArn: string,
  workflow: Workflow | undefined,
  execution: { status?: string; input?: string },
  json = false,
): Promise<number> {
  if (json) {
    const settled = execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE';
    printJson({ redriven: false, name, executionArn, status: execution.status ?? null, reasons, replay: settled ? ((await replayInstead(aws, executionArn, workflow, execution.input)) ?? null) : null });
    return 1;
  }
  console.error(`${name} cannot be redriven:`);
  for (const reason of reasons) console.error(`  - ${reason}`);
  // A running run has nothing to replay yet; a finished one is replayed from a job the user picks.
  if (execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE') return 1;
  const replay = await replayInstead(aws, executionArn, workflow, execution.input);
  if (!replay) {
    console.error(`Instead, replay: npx stepgraph replay <workflow> --date <date> --from <job>`);
  } else if (execution.status === 'SUCCEEDED') {
    console.error(`To run jobs again, replay them, e.g.:\n  ${replay}`);
  } else {
    console.error(`Instead, replay what it left unfinished (with the current definition):\n  ${replay}`);
  }
  return 1;
}

async function replayInstead(aws: Aws, executionArn: string, workflow: Workflow | undefined, input: string | undefined): Promise<string | undefined> {
  if (!workflow) return undefined;
  let parsed: unknown;
  try {
    parsed = input ? JSON.parse(input) : undefined;
  } catch {
    parsed = undefined;
  }
  const date = runDateOfInput(parsed, workflow.partition)?.text ?? dateOfRunName(executionArn.split(':').pop()!, workflow.name);
  if (!date) return undefined;
  const status = await runStatus(aws, executionArn, workflow);
  const wasPartial = typeof (parsed as { select?: unknown } | undefined)?.select === 'object';
  return replayCommandFor(workflow, date, status.jobs, wasPartial);
}

// `stepgraph start <workflow> --date D`: the date's first run, named `<workflow>-<date>`. The name
// makes it idempotent: when that run exists already, this says so and shows its status.
import { parseArgs } from 'node:util';
import { parseRunDate } from '../../dates.ts';
import { describeExecution, startExecution } from '../../ops/executions.ts';
import { consoleLink, executionArn } from '../../ops/names.ts';
import { runName } from '../../contract/run-names.ts';
import type { Aws } from '../../ops/aws.ts';
import { AWS_OPTIONS, AWS_USAGE, connectFrom, onePositional, pause, positiveInt, requireFlag } from '../../ops/options.ts';
import { parseParams, runInput } from '../../ops/selection.ts';
import { resolveStateMachineArn } from '../../ops/state-machine.ts';
import { renderStatus, runStatus } from '../../ops/status.ts';
import { loadWorkflow } from '../../ops/workflows.ts';
import { ExitCode } from '../../errors.ts';
import { printJson } from '../json.ts';

export const usage = `stepgraph start <workflow file or name> --date YYYY-MM-DD[THH] [--param k=v]... [--wait [--poll SECONDS]] [--json] ${AWS_USAGE}

--wait follows the run to its end: exit 0 when it succeeds, 3 when it fails, times out or is aborted.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...AWS_OPTIONS,
      date: { type: 'string' },
      param: { type: 'string', multiple: true, default: [] },
      wait: { type: 'boolean', default: false },
      poll: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const { workflow } = loadWorkflow(onePositional(positionals, usage), values.workflows);
  const date = parseRunDate(requireFlag(values.date, '--date', '--date 2019-03-12'), workflow.partition);
  const params = parseParams(values.param);
  const pollSeconds = positiveInt(values.poll, '--poll', 30);
  const aws = await connectFrom(values);
  const stateMachineArn = await resolveStateMachineArn(aws, workflow.name, values['state-machine-arn']);
  const name = runName(workflow.name, date.text);
  const arn = executionArn(stateMachineArn, name);

  // Step Functions answers a repeated start of a running execution with the same input as if it had
  // started it, so look first: "already exists" must not read as "started".
  const existing = await describeExecution(aws, arn);
  if (!existing) {
    const input = runInput(date.text, undefined, params);
    const started = await startExecution(aws, stateMachineArn, name, input);
    if (started.started) {
      if (values.json && !values.wait) printJson({ started: true, name, executionArn: started.executionArn, input });
      else {
        const say = values.json ? console.error : console.log;
        say(`started ${name}`);
        say(`  input: ${JSON.stringify(input)}`);
        say(`  console: ${consoleLink(aws.region, started.executionArn)}`);
      }
      return values.wait ? waitForEnd(aws, started.executionArn, name, pollSeconds, values.json) : ExitCode.ok;
    }
  }
  if (values.wait) {
    console.error(`${name} exists already; it is not started again. Following it:`);
    return waitForEnd(aws, arn, name, pollSeconds, values.json);
  }
  if (values.json) {
    printJson({ started: false, name, executionArn: arn, status: (await describeExecution(aws, arn))?.status ?? null });
    return ExitCode.ok;
  }
  console.log(`${name} exists already; it is not started again. Its status:\n`);
  console.log(renderStatus(await runStatus(aws, arn, workflow)).join('\n'));
  console.log(`\nTo run jobs of ${date.text} again: npx stepgraph replay ${workflow.name} --date ${date.text} --from <job>`);
  return ExitCode.ok;
}

/** --wait: polls the run until it ends; exit 3 unless it succeeded. */
async function waitForEnd(aws: Aws, arn: string, name: string, pollSeconds: number, json: boolean): Promise<number> {
  for (;;) {
    const execution = await describeExecution(aws, arn);
    const status = execution?.status ?? 'UNKNOWN';
    if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') {
      if (json) printJson({ name, executionArn: arn, status, error: execution?.error ?? null, cause: execution?.cause ?? null });
      else console.log(`${name}: ${status}${execution?.error ? ` (${execution.error})` : ''}; details: npx stepgraph status ${arn}`);
      return status === 'SUCCEEDED' ? ExitCode.ok : ExitCode.runFailed;
    }
    await pause(pollSeconds * 1000);
  }
}

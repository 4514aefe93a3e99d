// `stepgraph start <workflow> --date D`: the date's first run, named `<workflow>-<date>`. The name
// makes it idempotent: when that run exists already, this says so and shows its status.
import { parseArgs } from 'node:util';
import { parseRunDate } from '../../ops/dates.ts';
import { describeExecution, startExecution } from '../../ops/executions.ts';
import { consoleLink, executionArn, runName } from '../../ops/names.ts';
import { AWS_OPTIONS, AWS_USAGE, connectFrom, onePositional, requireFlag } from '../../ops/options.ts';
import { parseParams, runInput } from '../../ops/selection.ts';
import { resolveStateMachineArn } from '../../ops/state-machine.ts';
import { renderStatus, runStatus } from '../../ops/status.ts';
import { loadWorkflow } from '../../ops/workflows.ts';

export const usage = `stepgraph start <workflow> --date YYYY-MM-DD[THH] [--param k=v]... ${AWS_USAGE}`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...AWS_OPTIONS, date: { type: 'string' }, param: { type: 'string', multiple: true, default: [] } },
  });
  const { workflow } = loadWorkflow(onePositional(positionals, usage), values.workflows);
  const date = parseRunDate(requireFlag(values.date, '--date', '--date 2019-03-12'), workflow.partition);
  const params = parseParams(values.param);
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
      console.log(`started ${name}`);
      console.log(`  input: ${JSON.stringify(input)}`);
      console.log(`  console: ${consoleLink(aws.region, started.executionArn)}`);
      return 0;
    }
  }
  console.log(`${name} exists already; it is not started again. Its status:\n`);
  console.log(renderStatus(await runStatus(aws, arn, workflow)).join('\n'));
  console.log(`\nTo run jobs of ${date.text} again: npx stepgraph replay ${workflow.name} --date ${date.text} --from <job>`);
  return 0;
}

// `stepgraph status <workflow> [--date D] | <execution-arn>`: per job status, start, end, duration,
// attempts and error of one run, built from its whole history; --json for scripts, --watch refreshes.
import { parseArgs } from 'node:util';
import type { Workflow } from '../../model.ts';
import type { Aws } from '../../ops/aws.ts';
import { parseRunDate } from '../../dates.ts';
import { listExecutions, runsOfDate } from '../../ops/executions.ts';
import { AWS_OPTIONS, AWS_USAGE, connectFrom, onePositional, pause, positiveInt } from '../../ops/options.ts';
import { resolveStateMachineArn } from '../../ops/state-machine.ts';
import { watchStep } from '../../ops/status.ts';
import { scheduleState, withScheduleState } from '../../ops/schedule-status.ts';
import { runTarget } from '../../ops/workflows.ts';
import { UserError } from '../../errors.ts';
import { readPools, renderPools } from '../../ops/pools.ts';

export const usage = `stepgraph status (<workflow> [--date D] | <execution-arn>) [--json] [--watch [--interval SECONDS]] ${AWS_USAGE}`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...AWS_OPTIONS,
      date: { type: 'string' },
      json: { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
      interval: { type: 'string' },
    },
  });
  const target = onePositional(positionals, usage);
  const intervalSeconds = positiveInt(values.interval, '--interval', 10);
  const { arnParts, workflow } = runTarget(target, values.date, values.workflows);
  const date = workflow && values.date ? parseRunDate(values.date, workflow.partition) : undefined;
  const aws = await connectFrom(values);
  const executionArn = arnParts ? target : await latestRun(aws, workflow!, values['state-machine-arn'], date?.text);
  const schedule = await scheduleState(aws, workflow, Date.now());

  for (;;) {
    const step = await watchStep(aws, executionArn, workflow, values.json);
    // Who holds the slots of the workflow's pools (over every run and workflow sharing them).
    const pools = workflow?.pools ? await readPools(aws, workflow.pools) : [];
    // A watched terminal redraws in place; a pipe gets one snapshot after another.
    if (values.watch && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
    const text = values.json && pools.length > 0 ? JSON.stringify({ ...(JSON.parse(step.text) as object), pools }, null, 2) : values.json ? step.text : [step.text, ...renderPools(pools)].join('\n');
    console.log(withScheduleState(text, values.json, schedule));
    if (!values.watch || step.done) return 0;
    await pause(intervalSeconds * 1000);
  }
}

/** The newest run of the workflow, or of one date (its first run or latest replay). */
async function latestRun(aws: Aws, workflow: Workflow, explicitArn: string | undefined, date: string | undefined): Promise<string> {
  const stateMachineArn = await resolveStateMachineArn(aws, workflow.name, explicitArn);
  if (date) {
    const runs = await runsOfDate(aws, stateMachineArn, workflow.name, date);
    if (runs.length === 0) {
      throw new UserError(`no run of ${workflow.name} for ${date}; start one with \`npx stepgraph start ${workflow.name} --date ${date}\``);
    }
    if (runs.length > 1) console.error(`${runs.length} runs of ${date}; showing the newest. Others: ${runs.slice(1).map((r) => `${r.name} (${r.status})`).join(', ')}`);
    return runs[0].executionArn!;
  }
  const [newest] = await listExecutions(aws, stateMachineArn, { limit: 1 });
  if (!newest) throw new UserError(`${workflow.name} has no runs yet (in the last 90 days)`);
  return newest.executionArn!;
}

// `stepgraph durations <workflow> [--runs N]`: how long each job took in the workflow's last
// successful runs (the median, as the deadline watch learns it), written as the durations file
// `simulate --durations` reads, so deadlines can be simulated with real figures.
import { parseArgs } from 'node:util';
import { LEARNED_RUNS } from '../../contract/job-durations.ts';
import { durationsFile, pastDurations } from '../../ops/deadline-figures.ts';
import { AWS_OPTIONS, AWS_USAGE, connectFrom, onePositional, positiveInt } from '../../ops/options.ts';
import { resolveStateMachineArn } from '../../ops/state-machine.ts';
import { loadWorkflow } from '../../ops/workflows.ts';

export const usage = [
  `stepgraph durations <workflow> [--runs N] ${AWS_USAGE}`,
  '',
  `Reads the last N (default ${LEARNED_RUNS}) successful runs and prints each job's median duration as a`,
  'durations file: stepgraph durations nightly > durations.yaml; stepgraph simulate nightly --durations durations.yaml',
].join('\n');

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...AWS_OPTIONS, runs: { type: 'string' } } });
  const { workflow } = loadWorkflow(onePositional(positionals, usage), values.workflows);
  const runs = positiveInt(values.runs, '--runs', LEARNED_RUNS);
  const aws = await connectFrom(values);
  const past = await pastDurations(aws, await resolveStateMachineArn(aws, workflow.name, values['state-machine-arn']), workflow, runs);
  if (past.runs === 0) console.error(`${workflow.name} has no successful run yet (in the last 90 days): every job keeps its estimate`);
  console.log(durationsFile(workflow, past).trimEnd());
  return 0;
}

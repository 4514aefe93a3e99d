// `stepgraph list <workflow> [--status FAILED] [--since 7d]`: recent runs, newest first.
import { parseArgs } from 'node:util';
import { parseSince } from '../../dates.ts';
import { listExecutions, parseStatusFilter } from '../../ops/executions.ts';
import { formatDuration, formatTime, table } from '../../terminal/format.ts';
import { dateOfRunName } from '../../contract/run-names.ts';
import { AWS_OPTIONS, AWS_USAGE, connectFrom, onePositional, positiveInt } from '../../ops/options.ts';
import { resolveStateMachineArn } from '../../ops/state-machine.ts';
import { loadWorkflow } from '../../ops/workflows.ts';

export const usage = `stepgraph list <workflow> [--status FAILED] [--since 7d] [--limit 50] [--json] ${AWS_USAGE}`;

export async function run(args: string[], now = Date.now()): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...AWS_OPTIONS,
      status: { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const { workflow } = loadWorkflow(onePositional(positionals, usage), values.workflows);
  const status = values.status === undefined ? undefined : parseStatusFilter(values.status);
  const startedAfter = values.since === undefined ? undefined : now - parseSince(values.since);
  const limit = positiveInt(values.limit, '--limit', 50);
  const aws = await connectFrom(values);
  const stateMachineArn = await resolveStateMachineArn(aws, workflow.name, values['state-machine-arn']);
  const runs = await listExecutions(aws, stateMachineArn, { status, startedAfter, limit });

  if (values.json) {
    const rows = runs.map((r) => ({
      name: r.name ?? null,
      date: (r.name && dateOfRunName(r.name, workflow.name)) ?? null,
      status: r.status ?? null,
      startDate: r.startDate?.toISOString() ?? null,
      stopDate: r.stopDate?.toISOString() ?? null,
      redriveCount: r.redriveCount ?? 0,
      executionArn: r.executionArn ?? null,
    }));
    console.log(JSON.stringify(rows, null, 2));
    return 0;
  }
  if (runs.length === 0) {
    console.log(`no runs of ${workflow.name}${status ? ` with status ${status}` : ''}${values.since ? ` in the last ${values.since}` : ''}`);
    return 0;
  }
  const rows = runs.map((r) => [
    r.name ?? '',
    r.status ?? '',
    formatTime(r.startDate),
    formatTime(r.stopDate),
    formatDuration(r.startDate ? (r.stopDate?.getTime() ?? now) - r.startDate.getTime() : undefined),
    r.redriveCount ? String(r.redriveCount) : '',
  ]);
  for (const line of table(['name', 'status', 'start (UTC)', 'end (UTC)', 'duration', 'redrives'], rows)) console.log(line);
  if (runs.length === limit) console.log(`(the newest ${limit}; --limit shows more)`);
  return 0;
}

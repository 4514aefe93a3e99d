// `sweep list`: the deployed sweeps (state machines whose definition says it is a stepgraph
// sweep) and their latest runs.
import { ListStateMachinesCommand, type ExecutionListItem } from '@aws-sdk/client-sfn';
import type { Aws } from '../../ops/aws.ts';
import { listExecutions } from '../../ops/executions.ts';
import { formatTime, table } from '../../terminal/format.ts';
import { describeStateMachine } from '../../ops/state-machine.ts';

export interface ListedSweep {
  sweep: string;
  arn: string;
  runs: ExecutionListItem[];
}

export async function listSweeps(aws: Aws, options: { sweep?: string; runs?: number } = {}): Promise<ListedSweep[]> {
  const machines: { name: string; arn: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await aws.call('ListStateMachines', () => aws.sfn.send(new ListStateMachinesCommand({ maxResults: 1000, nextToken })));
    for (const sm of page.stateMachines ?? []) if (sm.name && sm.stateMachineArn && (!options.sweep || sm.name === options.sweep)) machines.push({ name: sm.name, arn: sm.stateMachineArn });
    nextToken = page.nextToken;
  } while (nextToken);
  const out: ListedSweep[] = [];
  for (const m of machines.sort((a, b) => a.name.localeCompare(b.name))) {
    const described = await describeStateMachine(aws, m.arn);
    let comment = '';
    try {
      comment = String((JSON.parse(described.definition ?? '{}') as { Comment?: unknown }).Comment ?? '');
    } catch {
      continue;
    }
    if (!comment.startsWith('stepgraph sweep ')) continue;
    out.push({ sweep: m.name, arn: m.arn, runs: await listExecutions(aws, m.arn, { limit: options.runs ?? 10 }) });
  }
  return out;
}

export function renderList(sweeps: readonly ListedSweep[], region: string): string {
  if (sweeps.length === 0) return `No sweeps deployed in ${region}.`;
  const rows = sweeps.flatMap((s) => (s.runs.length === 0 ? [[s.sweep, '(no runs)', '', '', '']] : s.runs.map((r) => [s.sweep, r.name ?? '?', r.status ?? '?', formatTime(r.startDate), formatTime(r.stopDate)])));
  return table(['SWEEP', 'SWEEP ID', 'STATUS', 'STARTED', 'STOPPED'], rows).join('\n');
}

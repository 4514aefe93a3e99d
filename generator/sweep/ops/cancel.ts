// `sweep cancel`: stop the run, then terminate every instance it launched. Instances carry the
// tag stepgraph:execution=<sweep id>, in each region the sweep runs in; stopping the execution
// first means no new one is launched while the old ones go.
import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { machineNames } from '../../emit/sweep.ts';
import type { Aws } from '../../ops/aws.ts';
import { definitionUsedBy } from '../../ops/redrive.ts';
import type { RunRef } from './progress.ts';

const CANCELLED = 'stepgraph.SweepCancelled';

/** EC2 clients by region: built on demand, like the SFN client, with our retries instead of the SDK's. */
export type Ec2Clients = (region: string) => EC2Client;

export const ec2Clients = (): Ec2Clients => {
  const clients = new Map<string, EC2Client>();
  return (region) => {
    if (!clients.has(region)) clients.set(region, new EC2Client({ region, maxAttempts: 1 }));
    return clients.get(region)!;
  };
};

export interface CancelResult {
  stopped: boolean;
  /** Terminated instance ids by region. */
  terminated: { region: string; instanceIds: string[] }[];
  ec2: boolean;
}

export async function cancelSweep(aws: Aws, run: RunRef, ec2: Ec2Clients): Promise<CancelResult> {
  let stopped = false;
  if (run.execution.status === 'RUNNING') {
    await aws.call('StopExecution', () =>
      aws.sfn.send(new StopExecutionCommand({ executionArn: run.executionArn, error: CANCELLED, cause: `cancelled with \`stepgraph sweep cancel --sweep-id ${run.sweepId}\`` })),
    );
    stopped = true;
  }
  const { regions, usesEc2 } = await sweepRegions(aws, run);
  const terminated: CancelResult['terminated'] = [];
  if (!usesEc2) return { stopped, terminated, ec2: false };
  for (const region of regions) {
    const client = ec2(region);
    const ids = await instancesOf(aws, client, run.sweepId);
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      await aws.call('TerminateInstances', () => client.send(new TerminateInstancesCommand({ InstanceIds: chunk })));
    }
    terminated.push({ region, instanceIds: ids });
  }
  return { stopped, terminated, ec2: true };
}

/** Instances of this run that are not gone yet. */
async function instancesOf(aws: Aws, client: EC2Client, sweepId: string): Promise<string[]> {
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await aws.call('DescribeInstances', () =>
      client.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: 'tag:stepgraph:execution', Values: [sweepId] },
            { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
          ],
          NextToken,
        }),
      ),
    );
    for (const reservation of page.Reservations ?? []) for (const instance of reservation.Instances ?? []) if (instance.InstanceId) ids.push(instance.InstanceId);
    NextToken = page.NextToken;
  } while (NextToken);
  return ids.sort();
}

/** The regions a run's instances are in: its input's, else its definition's, else the client's own. */
async function sweepRegions(aws: Aws, run: RunRef): Promise<{ regions: string[]; usesEc2: boolean }> {
  const used = await definitionUsedBy(aws, run.executionArn);
  const text = used.definition ?? '';
  const usesEc2 = text.includes('ec2:runInstances') || text.includes('"runInstances"');
  let fromInput: unknown;
  try {
    fromInput = (JSON.parse(run.execution.input ?? '{}') as { regions?: unknown }).regions;
  } catch {
    fromInput = undefined;
  }
  if (Array.isArray(fromInput) && fromInput.length > 0) return { regions: fromInput.map(String), usesEc2 };
  try {
    const settings = (JSON.parse(text) as { States?: Record<string, { Result?: { regions?: string[] } }> }).States?.[machineNames.defaults]?.Result;
    if (settings?.regions && settings.regions.length > 0) return { regions: settings.regions, usesEc2 };
  } catch {
    // An unreadable definition: fall back to the region we talk to.
  }
  return { regions: [aws.region], usesEc2 };
}

export function renderCancel(run: RunRef, result: CancelResult): string {
  const lines = [result.stopped ? `Stopped ${run.sweepId}.` : `${run.sweepId} was not running (${run.execution.status}); nothing to stop.`];
  if (!result.ec2) lines.push('Its runner starts no instances.');
  for (const t of result.terminated) {
    lines.push(t.instanceIds.length === 0 ? `No instances left in ${t.region}.` : `Terminated ${t.instanceIds.length} instance${t.instanceIds.length === 1 ? '' : 's'} in ${t.region}: ${t.instanceIds.join(', ')}`);
  }
  return lines.join('\n');
}

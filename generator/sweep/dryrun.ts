// `sweep launch --dry-run`: the expanded parameter sets and the compiled plan, without AWS.
import { formatDuration } from '../check/values.ts';
import { table } from '../terminal/format.ts';
import type { CompiledSweep } from './compile.ts';
import { isKnownField, type SweepItem } from './model.ts';
import { valueText } from './template.ts';

export function renderDryRun(c: CompiledSweep): string {
  const { sweep, plan, manifest } = c;
  const runner = sweep.runner.type === 'ec2' ? 'EC2 instances' : `the ${sweep.runner.type} runner (${'function' in sweep.runner ? sweep.runner.function : 'arn' in sweep.runner ? sweep.runner.arn : sweep.runner.resource})`;
  const tolerated = 'count' in sweep.toleratedFailures ? `${sweep.toleratedFailures.count} failures tolerated` : `${sweep.toleratedFailures.percent}% of failures tolerated (${plan.toleratedCount} of ${sweep.items.length})`;
  const lines = [
    `Sweep ${sweep.name} (${sweep.file}): ${sweep.items.length} runs on ${runner}`,
    `Plan: ${plan.mode} Map, ${plan.maxConcurrent === 0 ? 'no concurrency limit (all at once)' : `at most ${plan.maxConcurrent} at a time`}, ${sweep.launchDelaySeconds > 0 ? `launches ${formatDuration(sweep.launchDelaySeconds)} apart` : 'launches not spaced'}, ${tolerated}`,
    ...plan.reasons.map((r) => `  ${plan.mode === 'inline' ? 'fits' : 'distributed because'}: ${r}`),
  ];
  if (plan.ec2) {
    lines.push(`  each item waits for its instance's termination event (no polling) and terminates it 5m past its ttl; ${plan.ec2.shapes.length} launch shape${plan.ec2.shapes.length === 1 ? '' : 's'}`);
    if (plan.ec2.crossRegion) lines.push(`  items span ${plan.ec2.regions.length} regions: EC2 calls go through the cross-region function`);
  }
  lines.push(`  state machine ${sweep.name} (stack ${manifest.stackName}${manifest.region ? `, region ${manifest.region}` : ''}); about ${plan.historyEvents.toLocaleString('en-US')} history events in its largest execution`);
  lines.push('');
  const ec2 = sweep.runner.type === 'ec2';
  const header = ec2 ? ['INDEX', 'NAME', 'INSTANCE', 'REGION', 'TTL', 'SPOT', 'PARAMS'] : ['INDEX', 'NAME', 'TTL', 'PARAMS'];
  const rows = sweep.items.map((item) => {
    const ttl = item.ttlSeconds !== undefined ? formatDuration(item.ttlSeconds) : '-';
    return ec2
      ? [String(item.index), item.name, String(item.fields.instance_type ?? '-'), String(item.fields.region ?? '-'), ttl, item.fields.spot === true ? 'spot' : '-', params(item)]
      : [String(item.index), item.name, ttl, params(item)];
  });
  lines.push(...table(header, rows));
  const commands = sweep.items.filter((i) => typeof i.fields.command === 'string');
  if (commands.length > 0) {
    lines.push('', 'Commands:');
    for (const item of commands) lines.push(`  [${item.index}] ${item.fields.command as string}`);
  }
  return lines.join('\n');
}

/** Custom parameters as `key=value`, the parameter set's own part. */
const params = (item: SweepItem): string =>
  Object.entries(item.fields)
    .filter(([k]) => !isKnownField(k))
    .map(([k, v]) => `${k}=${valueText(v)}`)
    .join(' ') || '-';

/** The same for scripts: the plan's decisions and every item's fields. */
export function dryRunJson(c: CompiledSweep): unknown {
  const { sweep, plan } = c;
  return {
    sweep: sweep.name,
    file: sweep.file,
    runner: sweep.runner,
    mode: plan.mode,
    reasons: plan.reasons,
    maxConcurrent: plan.maxConcurrent,
    launchDelaySeconds: sweep.launchDelaySeconds,
    toleratedFailures: sweep.toleratedFailures,
    historyEvents: plan.historyEvents,
    ...(plan.ec2 && { ec2: plan.ec2 }),
    items: sweep.items.map((i) => ({ index: i.index, name: i.name, fields: i.fields })),
  };
}

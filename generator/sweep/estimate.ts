// `sweep launch --estimate-only`: how many runs, the instance-hours if every instance lived its
// whole ttl (the ceiling: commands usually end sooner, and spot costs less), what that costs at
// on-demand prices, and what Step Functions charges for the state transitions.
import { formatDuration } from '../check/values.ts';
import type { SweepPlan } from './plan.ts';
import { priceOf, type PriceTable } from './prices.ts';

/** Standard workflows: USD per state transition (us-east-1, after the free tier). */
const STEP_FUNCTIONS_TRANSITION_USD = 0.000025;

interface EstimateLine {
  instanceType: string;
  region?: string;
  spot: boolean;
  items: number;
  hours: number;
  usdPerHour?: number;
  usd?: number;
}

export interface Estimate {
  items: number;
  runner: string;
  /** Items whose instances have no ttl: their hours (and cost) have no ceiling. */
  unbounded: number;
  instanceHours: number;
  lines: EstimateLine[];
  /** Sum over the lines with a known price. */
  usd: number;
  unpriced: string[];
  transitions: number;
  stepFunctionsUsd: number;
  priceSource: string;
}

export function estimate(plan: SweepPlan, table: PriceTable): Estimate {
  const sweep = plan.sweep;
  const lines = new Map<string, EstimateLine>();
  let unbounded = 0;
  if (sweep.runner.type === 'ec2') {
    for (const item of sweep.items) {
      if (item.ttlSeconds === undefined) {
        unbounded++;
        continue;
      }
      const type = item.fields.instance_type as string;
      const region = typeof item.fields.region === 'string' ? item.fields.region : undefined;
      const spot = item.fields.spot === true;
      const key = `${type}|${region ?? ''}|${spot}`;
      const line = lines.get(key) ?? { instanceType: type, ...(region && { region }), spot, items: 0, hours: 0 };
      line.items++;
      line.hours += item.ttlSeconds / 3600;
      lines.set(key, line);
    }
  }
  const sorted = [...lines.values()].sort((a, b) => (a.instanceType + (a.region ?? '')).localeCompare(b.instanceType + (b.region ?? '')) || Number(a.spot) - Number(b.spot));
  const unpriced = new Set<string>();
  for (const line of sorted) {
    const price = priceOf(table, line.instanceType, line.region);
    if (price === undefined) unpriced.add(line.instanceType);
    else Object.assign(line, { usdPerHour: price, usd: round(price * line.hours) });
  }
  return {
    items: sweep.items.length,
    runner: sweep.runner.type,
    unbounded,
    instanceHours: round(sorted.reduce((h, l) => h + l.hours, 0)),
    lines: sorted,
    usd: round(sorted.reduce((u, l) => u + (l.usd ?? 0), 0)),
    unpriced: [...unpriced].sort(),
    transitions: plan.transitions,
    stepFunctionsUsd: round(plan.transitions * STEP_FUNCTIONS_TRANSITION_USD),
    priceSource: table.source,
  };
}

const round = (n: number): number => Math.round(n * 100) / 100;
const usd = (n: number): string => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function renderEstimate(e: Estimate, plan: SweepPlan): string {
  const lines = [`Sweep ${plan.sweep.name}: ${e.items} runs (${e.runner === 'ec2' ? 'EC2 instances' : `${e.runner} runner`}), ${plan.maxConcurrent === 0 ? 'all at once' : `at most ${plan.maxConcurrent} at a time`}`];
  if (e.runner === 'ec2') {
    lines.push(`Instance-hours ceiling: ${e.instanceHours.toLocaleString('en-US')} (each run for its whole ttl)`);
    for (const l of e.lines) {
      const price = l.usdPerHour === undefined ? 'no price' : `${usd(l.usd!)} at $${l.usdPerHour}/h`;
      lines.push(`  ${String(l.items).padStart(6)} x ${l.instanceType}${l.region ? ` in ${l.region}` : ''}${l.spot ? ' (spot; priced on-demand)' : ''}: ${round(l.hours)} h, ${price}`);
    }
    lines.push(`Cost ceiling: ${usd(e.usd)}${e.unpriced.length > 0 ? ` plus the runs on ${e.unpriced.join(', ')} (not in the price table; pass --prices)` : ''}`);
    if (e.unbounded > 0) lines.push(`Unbounded: ${e.unbounded} runs have no ttl; nothing limits their hours or cost`);
    lines.push(`Prices: ${e.priceSource}`);
  } else {
    const ttl = plan.sweep.items.map((i) => i.ttlSeconds ?? 0);
    lines.push(`Longest run: ${Math.max(...ttl) > 0 ? formatDuration(Math.max(...ttl)) : 'no ttl'}; the ${e.runner} runner's own costs are not estimated`);
  }
  lines.push(`Step Functions: at most about ${e.transitions.toLocaleString('en-US')} state transitions, ${usd(e.stepFunctionsUsd)}`);
  return lines.join('\n');
}

// Pools on the local engine: several runs at once on one virtual clock (simulate --dates, a
// backfill) share one pool, as the runs of an account share the pool table in AWS. The emitted
// definitions themselves run; only the Tasks are local.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { simulate, simulateRuns } from '../../generator/local/simulate.ts';
import { run as simulateCommand } from '../../generator/cli/commands/simulate.ts';

const text = `name: loads
pools:
  warehouse: { slots: 2 }
jobs:
  extract: { lambda: extract, estimate: 5m }
  load_orders: { needs: [extract], lambda: orders, pool: warehouse, estimate: 12m }
  load_customers: { needs: [extract], lambda: customers, pool: warehouse, estimate: 8m }
  load_inventory: { needs: [extract], lambda: inventory, pool: warehouse, estimate: 10m }
  publish: { needs: [load_orders, load_customers, load_inventory], lambda: publish, estimate: 2m }
`;
const compiled = compileTexts([{ file: 'loads.yaml', text }]).compiled[0];
const POOLED = ['load_orders', 'load_customers', 'load_inventory'];

/** The most pool jobs running at one instant, over every run's timeline. */
function mostAtOnce(runs: { jobs: { name: string; startSeconds: number | null; endSeconds: number | null }[] }[]): number {
  const edges: [number, number][] = [];
  for (const r of runs) for (const j of r.jobs) if (POOLED.includes(j.name) && j.startSeconds !== null) edges.push([j.startSeconds, 1], [j.endSeconds ?? Infinity, -1]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (now += d));
  return most;
}

afterEach(() => vi.restoreAllMocks());

describe('pools on the local engine', () => {
  it('one run: the third load waits for a slot and starts as the first one ends', async () => {
    const report = await simulate(compiled, { date: '2019-03-12' });
    expect(report.status).toBe('SUCCEEDED');
    const start = (job: string) => report.jobs.find((j) => j.name === job)!.startSeconds;
    expect([start('load_customers'), start('load_inventory')]).toEqual([300, 300]);
    expect(start('load_orders')).toBe(300 + 480); // when load_customers (8m) gives its slot back
    expect(mostAtOnce([report])).toBe(2);
  });

  it('a backfill of five dates at once never runs more than two loads, and every slot comes back', async () => {
    const dates = ['2019-03-08', '2019-03-09', '2019-03-10', '2019-03-11', '2019-03-12'];
    const { runs, pools } = await simulateRuns(compiled, dates);
    expect(runs.map((r) => r.status)).toEqual(dates.map(() => 'SUCCEEDED'));
    expect(mostAtOnce(runs)).toBe(2);
    expect(pools).toEqual([{ pool: 'warehouse', slots: 2, peak: 2, heldAtEnd: 0 }]);
    // 15 loads of 8-12m through 2 slots take at least 75m; the runs end when the pool lets them.
    expect(Math.max(...runs.map((r) => r.makespanSeconds))).toBeGreaterThanOrEqual(75 * 60);
  });

  it('failing runs give their slots back: the other runs still get every slot', async () => {
    const failing = compileTexts([{ file: 'f.yaml', text: text.replace('load_customers: { needs: [extract], lambda: customers,', 'load_customers: { needs: [extract], lambda: customers, retry: { attempts: 0 },') }]).compiled[0];
    const { runs, pools } = await simulateRuns(failing, ['2019-03-11', '2019-03-12'], { fail: ['load_customers'] });
    expect(runs.map((r) => r.status)).toEqual(['FAILED', 'FAILED']);
    expect(runs.map((r) => r.failedJob)).toEqual(['load_customers', 'load_customers']);
    expect(pools[0].heldAtEnd).toBe(0);
    expect(mostAtOnce(runs)).toBeLessThanOrEqual(2);
  });

  it('simulate --dates prints every run and how the pool was used, exit 0', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const code = await simulateCommand(['workflows/warehouse-loads.yaml', '--dates', '2019-03-10..2019-03-12', '--json']);
    expect(code).toBe(0);
    const out = JSON.parse(lines.join('\n')) as { runs: { date: string }[]; pools: unknown[] };
    expect(out.runs.map((r) => r.date)).toEqual(['2019-03-10', '2019-03-11', '2019-03-12']);
    expect(out.pools).toEqual([{ pool: 'warehouse', slots: 3, peak: 3, heldAtEnd: 0 }]);
  });

  it('simulate --dates refuses a date given twice and --date with --dates (exit 1)', async () => {
    await expect(simulateCommand(['workflows/warehouse-loads.yaml', '--dates', '2019-03-10,2019-03-10'])).rejects.toThrow(/twice/);
    await expect(simulateCommand(['workflows/warehouse-loads.yaml', '--dates', '2019-03-10', '--date', '2019-03-10'])).rejects.toThrow(/not both/);
  });
});

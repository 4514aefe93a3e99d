import { describe, expect, it } from 'vitest';
import { computeSelection, parseParams, runInput, selectionTree } from '../../generator/ops/selection.ts';
import { planReplay } from '../../generator/ops/replay.ts';
import { workflow } from './support.ts';

// The player-analytics graph: two ingestion branches meeting at bi_import.
const pa = workflow(
  'player-analytics',
  {
    player_entry: { pipeline: true },
    sessions: {},
    purchases: { pipeline: true },
    daily_kpis: { needs: ['player_entry', 'sessions'] },
    revenue: { needs: ['purchases'] },
    bi_import: { needs: ['daily_kpis', 'revenue'], waitsFor: ['payments'] },
  },
  { bucket: 'acme-job-markers' },
);

describe('selection', () => {
  it('--from takes the jobs and everything downstream, in run order', () => {
    expect(computeSelection(pa, { from: ['sessions'] })).toStrictEqual(['sessions', 'daily_kpis', 'bi_import']);
    expect(computeSelection(pa, { from: ['revenue', 'player_entry'] })).toStrictEqual(['player_entry', 'daily_kpis', 'revenue', 'bi_import']);
  });

  it('--only takes exactly the named jobs, in run order', () => {
    expect(computeSelection(pa, { only: ['bi_import', 'sessions'] })).toStrictEqual(['sessions', 'bi_import']);
  });

  it('refuses an unknown job with a did-you-mean', () => {
    expect(() => computeSelection(pa, { from: ['daily_kpi'] })).toThrow(
      "--from daily_kpi: workflow 'player-analytics' has no job 'daily_kpi'; did you mean 'daily_kpis'?",
    );
  });

  it('lists the jobs when the name is nowhere near one', () => {
    expect(() => computeSelection(pa, { only: ['zzz'] })).toThrow('its jobs: player_entry, sessions, purchases, daily_kpis, revenue, bi_import');
  });

  it('needs exactly one of --from and --only', () => {
    expect(() => computeSelection(pa, {})).toThrow('say which jobs to rerun');
    expect(() => computeSelection(pa, { from: ['sessions'], only: ['revenue'] })).toThrow('either --from or --only, not both');
  });
});

describe('execution input', () => {
  it('carries the date and the selection, params only when given', () => {
    expect(runInput('2019-03-12', ['sessions', 'daily_kpis'])).toStrictEqual({ date: '2019-03-12', select: { sessions: true, daily_kpis: true } });
    expect(runInput('2019-03-12', undefined, { mode: 'full' })).toStrictEqual({ date: '2019-03-12', params: { mode: 'full' } });
    expect(runInput('2019-03-12')).toStrictEqual({ date: '2019-03-12' });
  });

  it('reads --param k=v, the last value of a key winning', () => {
    // A map of user keys: no prototype (issue 12, item 4), so compared by its entries.
    const params = parseParams(['mode=full', 'x=a=b', 'mode=fast']);
    expect(Object.getPrototypeOf(params)).toBe(null);
    expect(Object.entries(params)).toEqual([['mode', 'fast'], ['x', 'a=b']]);
    expect(() => parseParams(['mode'])).toThrow("--param 'mode' is not key=value");
  });

  it('plans a replay: selection, input and the markers to invalidate', () => {
    const plan = planReplay(pa, '2019-03-12', { from: ['revenue'] });
    expect(plan.selection).toStrictEqual(['revenue', 'bi_import']);
    expect(plan.input).toStrictEqual({ date: '2019-03-12', select: { revenue: true, bi_import: true } });
    expect(plan.markerKeys).toStrictEqual(['done/revenue__20190312.done', 'done/bi_import__20190312.done']);
  });

  it('refuses a replay date that does not fit the partition', () => {
    expect(() => planReplay(pa, '2019-03-12T05', { from: ['revenue'] })).toThrow('partitioned daily');
  });
});

describe('selection tree', () => {
  it('draws the selection following needs, a job with two selected needs once, naming the other', () => {
    // WHEN
    const lines = selectionTree(pa, computeSelection(pa, { from: ['sessions', 'purchases'] }));
    // THEN
    expect(lines).toStrictEqual([
      'sessions',
      '└── daily_kpis',
      '    └── bi_import  (also needs revenue)',
      'purchases',
      '└── revenue',
    ]);
  });

  it('draws siblings with a branch each', () => {
    const wide = workflow('wide', { a: {}, b: { needs: ['a'] }, c: { needs: ['a'] }, d: { needs: ['b'] } });
    expect(selectionTree(wide, ['a', 'b', 'c', 'd'])).toStrictEqual(['a', '├── b', '│   └── d', '└── c']);
  });
});

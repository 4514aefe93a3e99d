// A replay, end to end: the replay command computes the input and invalidates the markers (its S3
// calls served by the local marker store), and the emitted definition runs that input on the
// local engine. Only the selected jobs run, in order, and a wait of another workflow on an
// invalidated marker is not released by the old completion.
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, ListStateMachinesCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePaths, type CompiledWorkflow } from '../../generator/compile.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { MemoryMarkerStore } from '../../generator/local/store.ts';
import { setRetryPolicyForTests } from '../../generator/ops/options.ts';
import { REGION, WORKFLOWS, cli, mocks, noSleep } from './support.ts';

const DATE = '2019-03-12';
const BUCKET = 'acme-job-markers';

describe('replay on the local engine', () => {
  const { sfn, s3 } = mocks();
  const compiled = compilePaths([WORKFLOWS]).compiled;
  const byName = (name: string): CompiledWorkflow => compiled.find((c) => c.workflow.name === name)!;
  const store = new MemoryMarkerStore();
  const started: { name: string; input: { date: string; select?: Record<string, true> } }[] = [];

  beforeAll(() => {
    setRetryPolicyForTests({ sleep: noSleep });
    sfn.on(ListStateMachinesCommand).resolves({
      stateMachines: [{ name: 'player-analytics', stateMachineArn: `arn:aws:states:${REGION}:123456789012:stateMachine:player-analytics`, type: 'STANDARD', creationDate: new Date(0) }],
    });
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(StartExecutionCommand).callsFake((input: { name: string; input: string }) => {
      started.push({ name: input.name, input: JSON.parse(input.input) });
      return { executionArn: `arn:aws:states:${REGION}:123456789012:execution:player-analytics:${input.name}`, startDate: new Date() };
    });
    // The replay's marker invalidation lands in the local store the engine reads.
    s3.on(DeleteObjectsCommand).callsFake(async (input: { Bucket: string; Delete: { Objects: { Key: string }[] } }) => {
      for (const { Key } of input.Delete.Objects) await store.delete(input.Bucket, Key);
      return {};
    });
  });
  afterAll(() => setRetryPolicyForTests(undefined));

  it('runs exactly the selected jobs, in order, and the invalidated markers hold the waits that read them', async () => {
    // GIVEN the date's first run completed and wrote every marker
    const first = await simulate(byName('player-analytics'), { date: DATE, store });
    expect(first.status).toBe('SUCCEEDED');
    expect(await store.get(BUCKET, 'done/revenue__20190312.done')).toBeDefined();

    // WHEN revenue is replayed: markers invalidated, the replay execution started
    const replay = await cli('replay', 'player-analytics', '--date', DATE, '--from', 'revenue', '--region', REGION);
    expect(replay.code).toBe(0);
    const [execution] = started;
    expect(execution).toStrictEqual({ name: `player-analytics-${DATE}-replay-1`, input: { date: DATE, select: { revenue: true, bi_import: true } } });
    expect(await store.get(BUCKET, 'done/revenue__20190312.done')).toBeUndefined();
    expect(await store.get(BUCKET, 'done/purchases__20190312.done')).toBeDefined();

    // THEN finance-close, waiting for revenue, is not released by the old completion
    // (`missing` only stops the simulation from writing the marker itself)
    const stale = await simulate(byName('finance-close'), { date: DATE, store, missing: ['revenue'], executionName: 'finance-close-before' });
    expect(stale.status).toBe('FAILED');
    expect(stale.jobs.find((j) => j.name === 'ledger')!.status).toBe('wait_timed_out');

    // WHEN the replay input runs on the emitted definition
    const rerun = await simulate(byName('player-analytics'), { date: DATE, store, select: Object.keys(execution.input.select!), executionName: execution.name });

    // THEN exactly the selected jobs ran, revenue before bi_import; the rest were skipped as done
    expect(rerun.status).toBe('SUCCEEDED');
    const ran = rerun.jobs.filter((j) => j.status === 'succeeded').sort((a, b) => a.startSeconds! - b.startSeconds!);
    expect(ran.map((j) => j.name)).toStrictEqual(['revenue', 'bi_import']);
    expect(ran[1].startSeconds!).toBeGreaterThanOrEqual(ran[0].endSeconds!);
    expect(rerun.jobs.filter((j) => j.status === 'skipped').map((j) => j.name).sort()).toStrictEqual(['daily_kpis', 'player_entry', 'purchases', 'sessions']);
    const marker = JSON.parse((await store.get(BUCKET, 'done/revenue__20190312.done'))!);
    expect(marker.execution).toContain(execution.name);

    // AND the new completion releases finance-close's wait
    const after = await simulate(byName('finance-close'), { date: DATE, store, missing: ['revenue'], executionName: 'finance-close-after' });
    expect(after.status).toBe('SUCCEEDED');
  });

  it('without the invalidation, the old completion would have released that wait (the control)', async () => {
    // GIVEN a fresh store where the first run's markers stand
    const fresh = new MemoryMarkerStore();
    await simulate(byName('player-analytics'), { date: DATE, store: fresh });

    const report = await simulate(byName('finance-close'), { date: DATE, store: fresh, missing: ['revenue'] });

    expect(report.status).toBe('SUCCEEDED');
  });
});

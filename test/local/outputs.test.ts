// Outputs and for_each at run time, on the local engine: outputs reach markers and jobs downstream
// (through a Parallel, an in-run wait and a replay's skipped jobs), and a for_each job runs once per
// element of the list it names.
import { describe, expect, it } from 'vitest';
import { compileTexts, compilePaths } from '../../generator/compile.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { MemoryMarkerStore } from '../../generator/local/store.ts';
import { parseOutputFlags } from '../../generator/local/outputs.ts';
import { downstreamClosure } from '../../generator/model.ts';
import { validateAsl } from '../support/asl-validate.ts';

const loads = compilePaths(['workflows/partition-loads.yaml']).compiled[0];
const marker = async (store: MemoryMarkerStore, job: string): Promise<{ outputs?: Record<string, unknown> }> => {
  const key = store.keys().find((k) => k.endsWith(`/done/${job}__20190312.done`));
  expect(key, `marker of ${job}`).toBeDefined();
  return JSON.parse((await store.get(key!.slice(0, key!.indexOf('/')), key!.slice(key!.indexOf('/') + 1)))!);
};

// Clicks and installs run side by side; attribution needs both, so it waits in-run for clicks.
const nShape = compileTexts([
  {
    file: 'n.yaml',
    text: `name: n-shape
jobs:
  clicks: { lambda: clicks, outputs: { count: $.Payload.count } }
  installs: { lambda: installs, outputs: { count: $.Payload.count } }
  attribution:
    needs: [clicks, installs]
    glue: { job: attr, arguments: { --clicks: "{inputs.clicks.count}", --installs: "{inputs.installs.count}" } }
  cohorts:
    needs: [installs]
    glue: { job: cohorts, arguments: { --installs: "{inputs.installs.count}" } }
  publish: { needs: [attribution, cohorts], lambda: publish }
`,
  },
]).compiled[0];

describe('outputs and for_each on the local engine', () => {
  it('runs the for_each job once per element given with --output, and lists its items outputs in its marker', async () => {
    // GIVEN five partitions from list_partitions
    const store = new MemoryMarkerStore();
    const outputValues = parseOutputFlags(loads.workflow, ['list_partitions.partitions=["p0","p1","p2","p3","p4"]', 'list_partitions.rows=42']);

    // WHEN the workflow is simulated
    const report = await simulate(loads, { date: '2019-03-12', store, outputValues });

    // THEN it succeeds, the producer's marker holds its outputs, and load_partition ran five items,
    // at most four at a time (two rounds of its 10 minutes)
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect((await marker(store, 'list_partitions')).outputs).toEqual({ partitions: ['p0', 'p1', 'p2', 'p3', 'p4'], rows: 42 });
    expect((await marker(store, 'load_partition')).outputs).toEqual({ run_id: ['jr_local', 'jr_local', 'jr_local', 'jr_local', 'jr_local'] });
    const load = report.jobs.find((j) => j.name === 'load_partition')!;
    expect(load.endSeconds! - load.startSeconds!).toBe(20 * 60);
  });

  it('runs no item for an empty list and still succeeds', async () => {
    const store = new MemoryMarkerStore();
    const report = await simulate(loads, { date: '2019-03-12', store, outputValues: parseOutputFlags(loads.workflow, ['list_partitions.partitions=[]']) });
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect((await marker(store, 'load_partition')).outputs).toEqual({ run_id: [] });
  });

  it('hands outputs across an in-run wait, and a replay reads its skipped needs outputs from their markers', async () => {
    // GIVEN a first run that wrote every marker
    const store = new MemoryMarkerStore();
    const first = await simulate(nShape, { date: '2019-03-12', store, outputValues: parseOutputFlags(nShape.workflow, ['clicks.count=7', 'installs.count=9']) });
    expect(first.status, first.error ?? '').toBe('SUCCEEDED');
    expect((await marker(store, 'clicks')).outputs).toEqual({ count: 7 });

    // WHEN attribution is replayed (clicks and installs skipped as done)
    const select = downstreamClosure(nShape.workflow, ['attribution']);
    const replay = await simulate(nShape, { date: '2019-03-12', store, select, executionName: 'n-shape-2019-03-12-replay-1' });

    // THEN attribution found both inputs in the markers and the replay succeeds
    expect(replay.status, replay.error ?? '').toBe('SUCCEEDED');
    expect(replay.jobs.filter((j) => j.status === 'skipped').map((j) => j.name)).toEqual(['clicks', 'installs', 'cohorts']);
  });

  it('fails the job in its own state when a replayed need never wrote its marker', async () => {
    const select = downstreamClosure(nShape.workflow, ['attribution']);
    const replay = await simulate(nShape, { date: '2019-03-12', store: new MemoryMarkerStore(), select });
    expect(replay.status).toBe('FAILED');
    expect(replay.failedJob).toBe('attribution');
    expect(replay.error).toContain('$.outputs.clicks.count');
  });

  it('emits definitions both validators accept', async () => {
    for (const c of [loads, nShape]) for (const d of c.definitions) expect(await validateAsl(d.definition)).toEqual([]);
  });

  it('reads --output values as JSON when they parse, as text otherwise, and refuses names the workflow lacks', () => {
    const values = parseOutputFlags(loads.workflow, ['list_partitions.rows=12', 'list_partitions.partitions=a,b', 'schema_version.version={"v":2}'], 5);
    expect(values.items).toBe(5);
    expect(Object.fromEntries(values.given.get('list_partitions')!)).toEqual({ rows: 12, partitions: 'a,b' });
    expect(values.given.get('schema_version')!.get('version')).toEqual({ v: 2 });
    expect(() => parseOutputFlags(loads.workflow, ['list_partitions.row=1'])).toThrow("job 'list_partitions' has no output 'row' (its outputs: partitions, rows)");
    expect(() => parseOutputFlags(loads.workflow, ['nope.x=1'])).toThrow("the workflow has no job 'nope'");
    expect(() => parseOutputFlags(loads.workflow, ['rows=1'])).toThrow('must be job.output=value');
  });
});

// A distributed for_each on the local engine, which has no Distributed Map: simulate and
// run --local run the inline form of the same Map (local/distributed-for-each.ts), so failed
// items within the tolerance leave the job succeeding and past it fail it in `J failed`; and the
// form the engine runs passes both validators.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePaths, compileTexts } from '../../generator/compile.ts';
import { DirectoryMarkerStore } from '../../generator/local/directory-store.ts';
import { localForm } from '../../generator/local/distributed-for-each.ts';
import { runLocally } from '../../generator/local/local-run.ts';
import { parseOutputFlags } from '../../generator/local/outputs.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { MemoryMarkerStore } from '../../generator/local/store.ts';
import { validateAsl } from '../support/asl-validate.ts';

const scans = compilePaths(['workflows/object-scans.yaml']).compiled[0];
const lists = (n: number): string[] => [`list_objects.keys=${JSON.stringify(Array.from({ length: n }, (_, i) => `k${i}`))}`, 'list_objects.prefixes=["a/","b/"]'];
const simulateScans = (n: number, fail: string[]) => simulate(scans, { date: '2019-03-12', store: new MemoryMarkerStore(), fail, outputValues: parseOutputFlags(scans.workflow, lists(n)) });

describe('simulate with a distributed for_each (workflows/object-scans.yaml)', () => {
  it('succeeds with failed items within the Map Run tolerance (1% of 200 items), their verdicts left out as a Map Run leaves them', async () => {
    const store = new MemoryMarkerStore();
    const report = await simulate(scans, { date: '2019-03-12', store, fail: ['scan_object[7]', 'scan_object[150]'], outputValues: parseOutputFlags(scans.workflow, lists(200)) });
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    const marker = JSON.parse((await store.get('stepgraph-object-scans-markers', 'done/scan_object__20190312.done'))!) as { outputs: { verdict: unknown[] } };
    expect(marker.outputs.verdict).toEqual(Array(198).fill('scan_object.verdict'));
  });

  it('fails the job past it, in its own state, naming the count', async () => {
    const report = await simulateScans(200, ['scan_object[7]', 'scan_object[8]', 'scan_object[150]']);
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('scan_object');
    expect(report.error).toContain('3 of 200 items of job scan_object failed; 1% tolerated');
  });

  it('fails in place on the first failed item of a Map that tolerates none', async () => {
    const report = await simulateScans(10, ['reindex_prefix[1]']);
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('reindex_prefix');
  });

  it('runs a form both validators accept', async () => {
    const local = localForm(scans.workflow, scans.definitions[0].definition);
    expect(JSON.stringify(local)).not.toEqual(JSON.stringify(scans.definitions[0].definition));
    expect(await validateAsl(local)).toEqual([]);
  });
});

const workflow = (tolerated: string, failing: string) => {
  const result = compileTexts([
    {
      file: 'local.yaml',
      text: `name: local-items
jobs:
  list: { lambda: list, outputs: { keys: $.Payload.keys } }
  each:
    needs: [list]
    for_each: list.keys
    map: distributed
    tolerated_failures: ${tolerated}
    lambda: each
    local: { command: "case \\"$STEPGRAPH_INDEX:$STEPGRAPH_ITEM\\" in ${failing}) exit 1;; esac" }
`,
    },
  ]);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.compiled[0];
};
const run = async (tolerated: string, failing: string) => {
  const compiled = workflow(tolerated, failing);
  const outputValues = parseOutputFlags(compiled.workflow, ['list.keys=["a","b","c","d"]']);
  return runLocally(compiled, { date: '2019-03-12', store: new DirectoryMarkerStore(mkdtempSync(join(tmpdir(), 'stepgraph-items-'))), output: { write: () => undefined }, outputValues }).report;
};

describe('run --local with a distributed for_each', () => {
  it('succeeds when no more items failed than tolerated', async () => {
    const report = await run('1', '1:b');
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
  });

  it('fails the job in its own state past the tolerance', async () => {
    const report = await run("'25%'", '1:b|3:d');
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('each');
    expect(report.error).toContain("failed in state 'each failed'");
    expect(report.error).toContain('2 of 4 items of job each failed; 25% tolerated');
  });
});

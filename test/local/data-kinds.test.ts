// Glue, Athena and EMR Serverless jobs on the embedded engine: simulate and run --local run them to
// completion, each Task answered as its service's .sync answers; a simulated failure (--fail) or a
// failing local command fails the run in the job's own state.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTexts, type CompiledWorkflow } from '../../generator/compile.ts';
import { DirectoryMarkerStore } from '../../generator/local/directory-store.ts';
import { runLocally } from '../../generator/local/local-run.ts';
import { simulate } from '../../generator/local/simulate.ts';

function compile(text: string): CompiledWorkflow {
  const result = compileTexts([{ file: 'kinds.yaml', text }]);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.compiled[0];
}

const fixture = (kind: string): string => readFileSync(`test/fixtures/kinds/${kind}/input.yaml`, 'utf8');
const cases = [
  { kind: 'glue', last: 'curate' },
  { kind: 'athena', last: 'daily_totals' },
  { kind: 'emr_serverless', last: 'sessionize' },
];
const collector = () => {
  const lines: string[] = [];
  return { lines, write: (text: string) => void lines.push(...text.split('\n').filter((l) => l !== '')) };
};

describe.each(cases)('$kind', ({ kind, last }) => {
  const compiled = compile(fixture(kind));

  it('simulates to completion, every job once, validated by the engine', async () => {
    const report = await simulate(compiled, { date: '2019-03-12', validate: true });
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect(report.jobs.map((j) => [j.name, j.status, j.attempts])).toEqual(compiled.workflow.jobs.map((j) => [j.name, 'succeeded', 1]));
  });

  it('fails the run in the job\'s own state when the job fails (--fail)', async () => {
    const report = await simulate(compiled, { date: '2019-03-12', fail: [last] });
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe(last);
    expect(report.error).toContain(`job '${last}' failed in state '${last}' (stepgraph.SimulatedFailure`);
    const job = compiled.workflow.jobs.find((j) => j.name === last)!;
    expect(report.jobs.find((j) => j.name === last)).toMatchObject({ status: 'failed', attempts: job.retry.attempts + 1 });
  });

  it('runs locally to completion, its markers written', async () => {
    const store = new DirectoryMarkerStore(mkdtempSync(join(tmpdir(), 'stepgraph-kinds-')));
    const report = await runLocally(compiled, { date: '2019-03-12', store, output: collector() }).report;
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect(report.jobs.map((j) => [j.name, j.status])).toEqual(compiled.workflow.jobs.map((j) => [j.name, 'succeeded']));
  });
});

describe('run --local with local commands', () => {
  const workflow = (command: string) => `
name: local-data
defaults:
  retry: { attempts: 0 }
jobs:
  load:
    glue: { job: load-events, arguments: { --day: "{date}" } }
    local: { command: "echo glue {date}" }
  totals:
    needs: [load]
    athena: { query: "select count(*) from events where day = '{date}'", output: "s3://results/{yyyy}/" }
    local: { command: "${command}" }
  spark:
    needs: [totals]
    emr_serverless: { application: 00f1abcd, role: "arn:aws:iam::123456789012:role/r", entry_point: s3://code/job.py }
    local: { command: "echo spark {yyyy}" }
`;

  it('runs each kind\'s local command in dependency order', async () => {
    const output = collector();
    const store = new DirectoryMarkerStore(mkdtempSync(join(tmpdir(), 'stepgraph-kinds-')));
    const report = await runLocally(compile(workflow('echo athena {dd}')), { date: '2019-03-12', store, output }).report;
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect(output.lines.filter((l) => l.startsWith('['))).toEqual(['[load] glue 2019-03-12', '[totals] athena 12', '[spark] spark 2019']);
  });

  it("a failing command fails the run in the job's own state; nothing after it starts", async () => {
    const store = new DirectoryMarkerStore(mkdtempSync(join(tmpdir(), 'stepgraph-kinds-')));
    const report = await runLocally(compile(workflow('exit 3')), { date: '2019-03-12', store, output: collector() }).report;
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('totals');
    expect(report.error).toContain("failed in state 'totals'");
    expect(report.jobs.find((j) => j.name === 'spark')!.status).not.toBe('succeeded');
  });
});

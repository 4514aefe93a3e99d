// run --local honours a for_each job's tolerated_failures, inline or distributed (whose Map the
// local engine runs in its inline form, local/distributed-for-each.ts): each item runs the job's
// local command with its element in STEPGRAPH_ITEM and STEPGRAPH_INDEX, items whose command fails
// are caught and counted, and the job fails in `J failed` only past the tolerance.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { DirectoryMarkerStore } from '../../generator/local/directory-store.ts';
import { runLocally } from '../../generator/local/local-run.ts';
import { parseOutputFlags } from '../../generator/local/outputs.ts';

const workflow = (map: 'inline' | 'distributed', tolerated: string, failing: string) => {
  const result = compileTexts([
    {
      file: 'local.yaml',
      text: `name: local-items
jobs:
  list: { lambda: list, outputs: { keys: $.Payload.keys } }
  each:
    needs: [list]
    for_each: list.keys
    map: ${map}
    tolerated_failures: ${tolerated}
    lambda: each
    local: { command: "case \\"$STEPGRAPH_INDEX:$STEPGRAPH_ITEM\\" in ${failing}) exit 1;; esac" }
`,
    },
  ]);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.compiled[0];
};
const run = async (map: 'inline' | 'distributed', tolerated: string, failing: string) => {
  const compiled = workflow(map, tolerated, failing);
  const lines: string[] = [];
  const outputValues = parseOutputFlags(compiled.workflow, ['list.keys=["a","b","c","d"]']);
  return runLocally(compiled, { date: '2019-03-12', store: new DirectoryMarkerStore(mkdtempSync(join(tmpdir(), 'stepgraph-items-'))), output: { write: (t) => void lines.push(t) }, outputValues }).report;
};

describe.each(['inline', 'distributed'] as const)('run --local with tolerated_failures, %s', (map) => {
  it('succeeds when no more items failed than tolerated', async () => {
    // GIVEN the item "b" (index 1) failing, one tolerated
    const report = await run(map, '1', '1:b');
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
  });

  it('fails the job in its own state past the tolerance, naming the count', async () => {
    // GIVEN items 1 and 3 failing (b, d), 25% of 4 tolerated
    const report = await run(map, "'25%'", '1:b|3:d');
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('each');
    expect(report.error).toContain("failed in state 'each failed'");
    expect(report.error).toContain('2 of 4 items of job each failed; 25% tolerated');
  });
});

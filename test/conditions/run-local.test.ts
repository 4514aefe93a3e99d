// run --local with conditions and a trigger rule: real commands, real marker files. A failing
// command is handed on to the all_done job, a false condition skips a job, and the progress lines
// and the report tell a skipped-by-condition job and a not-run-by-rule job apart.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { DirectoryMarkerStore } from '../../generator/local/directory-store.ts';
import { runLocally } from '../../generator/local/local-run.ts';

const TEXT = `name: local-rules
jobs:
  extract:
    lambda: extract
    local: { command: "echo extract {date}" }
  load:
    needs: [extract]
    lambda: load
    local: { command: "exit 3" }
  publish:
    needs: [load]
    lambda: publish
    local: { command: "echo publish" }
  notify:
    needs: [extract]
    lambda: notify
    when: { param: mode, equals: full }
    local: { command: "echo notify" }
  cleanup:
    needs: [load]
    run_if: all_done
    lambda: cleanup
    local: { command: "echo cleanup" }
`;

describe('run --local with when and run_if', () => {
  it('runs the all_done job after a failed command, skips a false condition, and fails the run naming the command', async () => {
    const compiled = compileTexts([{ file: 'local.yaml', text: TEXT }]).compiled[0];
    const root = mkdtempSync(join(tmpdir(), 'stepgraph-rules-'));
    const lines: string[] = [];
    const output = { write: (text: string) => void lines.push(...text.split('\n').filter((l) => l !== '')) };
    const report = await runLocally(compiled, { date: '2019-03-12', params: { mode: 'partial' }, store: new DirectoryMarkerStore(root), output }).report;

    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('load');
    const status = new Map(report.jobs.map((j) => [j.name, j.status]));
    expect(Object.fromEntries(status)).toEqual({ extract: 'succeeded', load: 'failed', publish: 'not_run', notify: 'skipped_by_condition', cleanup: 'succeeded' });
    expect(lines.some((l) => /skip {4}notify \(its 'when' is false\)/.test(l))).toBe(true);
    expect(lines.some((l) => /not run publish/.test(l))).toBe(true);
    // Markers: the jobs that ran and succeeded wrote one; the failed, skipped and not-run ones did not.
    const files = (readdirSync(root, { recursive: true }) as string[]).map((f) => f.split(/[\\/]/).pop()!);
    expect(files.filter((f) => f.endsWith('.done')).sort()).toEqual(['cleanup__20190312.done', 'extract__20190312.done']);
  });
});

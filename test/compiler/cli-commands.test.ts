// validate, compile and graph as a user runs them: output, files, exit codes, bad input.
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../generator/cli/main.ts';
import { INDENTED_LIMIT, compilePaths } from '../../generator/compile.ts';
import { captureConsole } from '../support/console.ts';

const { out, err, stdout } = captureConsole();

const scratch = (): string => mkdtempSync(join(tmpdir(), 'stepgraph-cli-'));
const bad = 'test/fixtures/_error_/unknown-need/input.yaml';

describe('stepgraph validate', () => {
  it('exits 0 on the examples and says how many are valid', async () => {
    expect(await main(['validate', 'workflows'])).toBe(0);
    expect(err.join('\n')).toMatch(/^\d+ workflows and \d+ sweeps valid$/m);
  });

  it('reports every problem of every file, sorted, with code frames, and exits 1', async () => {
    expect(await main(['validate', bad, 'test/fixtures/_error_/cycle/input.yaml'])).toBe(1);
    const text = err.join('\n');
    expect(text.indexOf('_error_/cycle/input.yaml:4:13 error SG2005')).toBeGreaterThanOrEqual(0);
    expect(text.indexOf('_error_/cycle/')).toBeLessThan(text.indexOf('_error_/unknown-need/'));
    expect(text).toContain("hint: did you mean 'extract'?");
    expect(text).toMatch(/2 errors, 0 warnings/);
  });

  it('--json prints the documented fields on stdout', async () => {
    expect(await main(['validate', bad, '--json'])).toBe(1);
    expect(JSON.parse(out.join('\n'))).toEqual([
      {
        file: bad,
        line: 6,
        column: 13,
        endLine: 6,
        endColumn: 19,
        severity: 'error',
        code: 'SG2003',
        message: "job 'load' needs unknown job 'extrct'",
        hint: "did you mean 'extract'?",
      },
    ]);
  });

  it('refuses a missing path and an unknown option with one line and exit 1', async () => {
    expect(await main(['validate', 'no/such/dir'])).toBe(1);
    expect(err).toEqual(["stepgraph validate: 'no/such/dir' does not exist"]);
    err.length = 0;
    expect(await main(['validate', 'workflows', '--jsn'])).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^stepgraph validate: .*--jsn/);
  });
});

describe('stepgraph compile', () => {
  it('writes each workflow definition and manifest, identical on a second run', async () => {
    const dir = scratch();
    expect(await main(['compile', 'workflows', '--out', dir])).toBe(0);
    const first = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    expect(Object.keys(first)).toEqual(expect.arrayContaining(['player-analytics.asl.json', 'player-analytics.manifest.json', 'ad-attribution.asl.json']));
    expect(JSON.parse(first['player-analytics.asl.json']).StartAt).toBe('Check input');
    expect(await main(['compile', 'workflows', '--out', dir])).toBe(0);
    for (const [f, text] of Object.entries(first)) expect(readFileSync(join(dir, f), 'utf8')).toBe(text);
  });

  it('writes nothing for a file with errors and leaves earlier output whole', async () => {
    const dir = scratch();
    const good = join(dir, 'in');
    expect(await main(['compile', 'workflows/finance-close.yaml', '--out', good])).toBe(0);
    const before = readFileSync(join(good, 'finance-close.asl.json'), 'utf8');
    const broken = join(dir, 'finance-close.yaml');
    writeFileSync(broken, readFileSync('workflows/finance-close.yaml', 'utf8').replace('needs: [ledger]', 'needs: [ledgr]'));

    expect(await main(['compile', broken, '--out', good])).toBe(1);

    expect(readFileSync(join(good, 'finance-close.asl.json'), 'utf8')).toBe(before);
    expect(readdirSync(good).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(err.join('\n')).toContain("needs unknown job 'ledgr'");
  });

  it('asks for --out', async () => {
    expect(await main(['compile', 'workflows'])).toBe(1);
    expect(err).toEqual(["stepgraph compile: say where to write with '--out <dir>', e.g. '--out build'"]);
  });

  it('writes small definitions indented and only very large ones compact', () => {
    const [small] = compilePaths(['workflows/player-analytics.yaml']).compiled[0].definitions;
    expect(small.deployed.length).toBeLessThanOrEqual(INDENTED_LIMIT);
    expect(small.text).toBe(`${JSON.stringify(small.definition, null, 2)}\n`);
  });
});

describe('stepgraph graph', () => {
  it('prints Mermaid by default with needs as arrows and external markers dashed', async () => {
    expect(await main(['graph', 'workflows/player-analytics.yaml'])).toBe(0);
    const text = stdout.join('');
    expect(text.split('\n')[0]).toBe('flowchart LR');
    expect(text).toContain('  daily_kpis --> bi_import');
    expect(text).toContain('  marker_payments -. "3h" .-> bi_import');
  });

  it('prints Graphviz DOT', async () => {
    expect(await main(['graph', 'workflows/finance-close.yaml', '--format', 'dot'])).toBe(0);
    const text = stdout.join('');
    expect(text).toMatch(/^digraph "finance-close" \{/);
    expect(text).toContain('"ledger" -> "reconcile";');
    expect(text).toContain('"marker:payments" -> "ledger" [style=dashed, label="waits ≤ 6h"];');
  });

  it('points a sweep file to the sweep commands', async () => {
    expect(await main(['graph', 'workflows/sweeps/quickstart.json'])).toBe(1);
    expect(err).toEqual(["stepgraph graph: workflows/sweeps/quickstart.json is a sweep, not a job graph; 'stepgraph sweep launch --param-file workflows/sweeps/quickstart.json --dry-run' shows its plan"]);
  });

  it('refuses an unknown format and prints diagnostics for a bad file', async () => {
    expect(await main(['graph', 'workflows/finance-close.yaml', '--format', 'png'])).toBe(1);
    expect(err).toEqual(["stepgraph graph: unknown format 'png'; use mermaid, dot, svg (svg is drawn by stepgraph; for Graphviz's own layout: --format dot | dot -Tsvg)"]);
    expect(await main(['graph', bad])).toBe(1);
    expect(err.join('\n')).toContain('SG2003');
  });
});

describe('stepgraph', () => {
  it('names the commands when given an unknown one, exit 1', async () => {
    expect(await main(['frobnicate'])).toBe(1);
    expect(err[0]).toMatch(/^stepgraph: unknown command 'frobnicate'\. Commands: .*validate/);
  });

  it('suggests the command and the option meant', async () => {
    expect(await main(['simluate'])).toBe(1);
    expect(err[0]).toMatch(/^stepgraph: unknown command 'simluate'\. Did you mean 'simulate'\?/);
    err.length = 0;
    expect(await main(['validate', 'workflows', '--jsn'])).toBe(1);
    expect(err).toEqual(["stepgraph validate: unknown option '--jsn'; did you mean '--json'?"]);
  });

  it('help <command> shows that command, --version the version, both exit 0', async () => {
    expect(await main(['help', 'graph'])).toBe(0);
    expect(out.join('\n')).toMatch(/^print the job graph as Mermaid, Graphviz DOT or SVG\n\nUsage: stepgraph graph /);
    expect(out.join('\n')).toContain('3 the workflow ran and failed');
    out.length = 0;
    expect(await main(['--version'])).toBe(0);
    expect(out).toEqual([JSON.parse(readFileSync('package.json', 'utf8')).version]);
  });

  it('takes a workflow by name where it takes a file', async () => {
    expect(await main(['validate', 'finance-close'])).toBe(0);
    expect(await main(['graph', 'finance-close', '--json'])).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ workflow: 'finance-close', jobs: expect.arrayContaining([expect.objectContaining({ name: 'ledger', needs: [] })]) });
    err.length = 0;
    expect(await main(['validate', 'finance-clse'])).toBe(1);
    expect(err[0]).toContain("did you mean 'finance-close'?");
  });

  it('draws the graph as SVG without Graphviz: every job, needs and dashed external waits', async () => {
    expect(await main(['graph', 'workflows/finance-close.yaml', '--format', 'svg'])).toBe(0);
    const svg = stdout.join('');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    for (const job of ['ledger', 'reconcile', 'report']) expect(svg).toContain(`data-id="${job}"`);
    expect(svg.match(/class="edge external"/g)).toHaveLength(2);
    expect(svg).not.toContain('NaN');
  });

  it('init writes a starter workflow that validates and simulates, and never overwrites', async () => {
    const dir = scratch();
    expect(await main(['init', 'nightly-sales', '--workflows', dir])).toBe(0);
    const file = join(dir, 'nightly-sales.yaml');
    expect(readFileSync(file, 'utf8')).toMatch(/^# yaml-language-server: \$schema=.*schema\/workflow\.schema\.json\n/);
    expect(compilePaths([file]).diagnostics).toEqual([]);
    expect(await main(['simulate', file])).toBe(0);
    err.length = 0;
    expect(await main(['init', 'nightly-sales', '--workflows', dir])).toBe(1);
    expect(err[0]).toContain('exists already');
  });

  it('reports a file it cannot read (a dangling link) as a problem of that file, exit 1', async () => {
    const dir = scratch();
    symlinkSync(join(dir, 'missing-target.yaml'), join(dir, 'gone.yaml'));
    expect(await main(['validate', dir])).toBe(1);
    // An absolute path prints as given, never as ../../tmp/...
    expect(err[0]).toBe(`${join(dir, 'gone.yaml')}:1:1 error SG1007: cannot read this file (ENOENT)\n  hint: check that it exists and is readable`);
  });
});

describe('limit warnings', () => {
  it('point at the graph (its jobs key) with the figures', async () => {
    const dir = scratch();
    const file = join(dir, 'chatty.yaml');
    writeFileSync(file, 'name: chatty\njobs:\n  load:\n    lambda: load-fn\n    retry: { attempts: 99, interval: 1s }\n    timeout: 1m\n  load_2:\n    needs: [load]\n    lambda: load-fn\n    retry: { attempts: 99, interval: 1s }\n');
    writeFileSync(file, readFileSync(file, 'utf8') + Array.from({ length: 70 }, (_, i) => `  more_${i}:\n    needs: [load_2]\n    lambda: load-fn\n    retry: { attempts: 99, interval: 1s }\n`).join(''));
    expect(await main(['validate', file])).toBe(0);
    expect(err[0]).toMatch(new RegExp(`^${file}:2:1 warning SG4001: one execution of state machine 'chatty' can record [\\d,]+ events \\(\\d+% of the 25,000-event limit\\) in the worst case`));
  });

  it("say that 'poll' has no effect any more, at the key, and the file still compiles", async () => {
    const dir = scratch();
    const file = join(dir, 'patient.yaml');
    writeFileSync(file, 'name: patient\njobs:\n  load:\n    lambda: load-fn\n    waits_for:\n      - { marker: feed, timeout: 1d, poll: 1s }\n');
    expect(await main(['validate', file])).toBe(0);
    expect(err[0]).toBe(
      `${file}:6:38 warning SG3014: 'poll' has no effect: a wait is released by the event that writes its marker, nothing polls\n  6 |       - { marker: feed, timeout: 1d, poll: 1s }\n    |                                      ^^^^\n  hint: remove 'poll'`,
    );
  });
});

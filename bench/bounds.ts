// `npm run bench:bounds` (also the last part of `npm run bench`): the resource bounds of issue 12,
// each measured in a child process of its own so its peak memory is its own (maxRSS):
//   - validate of a 100,000-job workflow (seeded layered graph): target < 20 s and < 2 GB;
//   - simulate of the shipped 10,000-item sweep workflows/sweeps/render-farm.yaml: target < 10 s;
//   - a diagnostic on a 50 MB line: what it prints stays a few hundred bytes (code frames are cut).
// Each case runs the CLI as users run it (bin/stepgraph.mjs, the built bundle) beside a baseline,
// the same CLI at another commit (default: where this branch left main), alternating, --runs
// times each, so both see the same machine: the figures move with its load, the ratio much less.
// The table gives each figure's range over the runs.
// --baseline none skips it; --jobs N and --timeout S scale it down for a smoke run.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { renderTable } from './table.ts';
import { bigWorkflow } from './big-workflow.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { jobs: { type: 'string', default: '100000' }, timeout: { type: 'string', default: '600' }, runs: { type: 'string', default: '2' }, baseline: { type: 'string' } },
});
const jobs = Number(values.jobs);
const timeoutMs = Number(values.timeout) * 1000;
const runs = Math.max(1, Number(values.runs));
const root = join(here, '..');

interface Measured {
  seconds: number;
  /** CPU time of the child (user + system): what load on the machine moves least. */
  cpuSeconds: number;
  maxRssMB: number;
  exit: number | null;
  outputBytes: number;
}

/**
 * Runs the CLI of the checkout at `tree` as a user runs it (bin/stepgraph.mjs, the built bundle)
 * under /usr/bin/time-like accounting: wall time here, CPU time and peak RSS from the child's own
 * resource usage, reported at its exit by bench/usage-report.mjs.
 */
function measure(tree: string, args: string[]): Measured {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', pathToFileURL(join(here, 'usage-report.mjs')).href, join(tree, 'bin', 'stepgraph.mjs'), ...args], { cwd: tree, encoding: 'utf8', maxBuffer: 1 << 30, timeout: timeoutMs });
  const seconds = (performance.now() - started) / 1000;
  const [, rss, cpu] = /maxrss-kb (\d+) cpu-us (\d+)/.exec(child.stderr ?? '') ?? [];
  const outputBytes = Buffer.byteLength(child.stdout ?? '') + Buffer.byteLength((child.stderr ?? '').replace(/\nmaxrss-kb \d+ cpu-us \d+\n/, ''));
  return { seconds, cpuSeconds: cpu ? Number(cpu) / 1e6 : NaN, maxRssMB: rss ? Math.round(Number(rss) / 1024) : NaN, exit: child.status, outputBytes };
}

/** The baseline's sources at `ref`, beside this checkout's node_modules (the same packages). */
function baselineTree(ref: string): { tree: string; commit: string } {
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: root, encoding: 'utf8' }).trim();
  const tree = mkdtempSync(join(tmpdir(), 'stepgraph-baseline-'));
  const archive = execFileSync('git', ['archive', '--format=tar', commit], { cwd: root, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', tree], { input: archive });
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'), 'dir');
  return { tree, commit };
}

const dir = mkdtempSync(join(tmpdir(), 'stepgraph-bounds-'));
const bigFile = join(dir, 'big.yaml');
writeFileSync(bigFile, bigWorkflow(jobs));
const longFile = join(dir, 'long.yaml');
writeFileSync(longFile, `name: long\njobs:\n  a: {lambda: f, timeout: ${'y'.repeat(50_000_000)}}\n`);
const sweepFile = join(root, 'workflows', 'sweeps', 'render-farm.yaml');

const baseRef = values.baseline ?? execFileSync('git', ['merge-base', 'HEAD', 'main'], { cwd: root, encoding: 'utf8' }).trim();
const baseline = baseRef === 'none' ? undefined : baselineTree(baseRef);

const cases = [
  { name: `validate ${jobs.toLocaleString('en-US')} jobs`, args: ['validate', bigFile], target: '< 20 s, < 2,048 MB', met: (m: Measured) => m.seconds < 20 && m.maxRssMB < 2048 },
  { name: 'simulate render-farm (10,000 items)', args: ['simulate', sweepFile], target: '< 10 s', met: (m: Measured) => m.seconds < 10 },
  { name: 'diagnostic on a 50 MB line', args: ['validate', longFile], target: '< 4 KB printed', met: (m: Measured) => m.outputBytes < 4096 },
];

// Each CLI builds its bundle on its first call (bin/stepgraph.mjs): once here, before any timing.
for (const tree of [root, ...(baseline ? [baseline.tree] : [])]) measure(tree, ['validate', join(root, 'workflows', 'nightly-load.yaml')]);
// Alternating (baseline, current) per run, so a change in the machine's load hits both.
const results = cases.map(() => ({ now: [] as Measured[], base: [] as Measured[] }));
for (let run = 0; run < runs; run++) {
  cases.forEach((c, i) => {
    if (baseline) results[i].base.push(measure(baseline.tree, c.args));
    results[i].now.push(measure(root, c.args));
  });
}
if (baseline) rmSync(baseline.tree, { recursive: true, force: true });
rmSync(dir, { recursive: true, force: true });

const span = (all: number[], digits: number): string => {
  // A run stopped at the timeout has no CPU time or peak to give.
  const xs = all.filter((x) => !Number.isNaN(x));
  if (xs.length === 0) return '-';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo.toFixed(digits) === hi.toFixed(digits) ? lo.toFixed(digits) : `${lo.toFixed(digits)}-${hi.toFixed(digits)}`;
};
const timedOut = (ms: Measured[]): string => (ms.some((m) => m.exit === null) ? ` (stopped at ${values.timeout} s)` : '');
const seconds = (ms: Measured[]): string => (ms.length === 0 ? '-' : span(ms.map((m) => m.seconds), 1) + timedOut(ms));
const cpu = (ms: Measured[]): string => (ms.length === 0 ? '-' : span(ms.map((m) => m.cpuSeconds), 1));
const peak = (ms: Measured[]): string => (ms.length === 0 ? '-' : span(ms.map((m) => m.maxRssMB), 0));
const verdict = (c: (typeof cases)[number], ms: Measured[]): string => {
  const all = ms.every((m) => m.exit !== null && c.met(m));
  const some = ms.some((m) => m.exit !== null && c.met(m));
  const printed = c.name.startsWith('diagnostic') ? ` (${span(ms.map((m) => m.outputBytes), 0)} bytes)` : '';
  return (all ? 'met' : some ? 'met in some runs' : 'NOT MET') + printed;
};

console.log(
  renderTable({
    title: 'Resource bounds (issue 12, item 13)',
    headers: ['case', `baseline ${baseline?.commit ?? '-'} s`, 'now s', 'baseline cpu s', 'now cpu s', 'baseline peak MB', 'now peak MB', 'exit', 'target', 'verdict (now)'],
    rows: cases.map((c, i) => {
      const { now, base } = results[i];
      return [c.name, seconds(base), seconds(now), cpu(base), cpu(now), peak(base), peak(now), [...new Set(now.map((m) => String(m.exit)))].join('/'), c.target, verdict(c, now)];
    }),
    notes: [
      `${runs} run(s) of each, baseline and now alternating; ranges are min-max over the runs`,
      'each case is its own child process; s is wall time, cpu s its user + system CPU time, peak MB its maxRSS;',
      'the verdict is on wall time, which the machine\'s load moves most (cpu s much less)',
    ],
  }),
);

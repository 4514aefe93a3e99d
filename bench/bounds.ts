// `npm run bench:bounds` (also the last part of `npm run bench`): the resource bounds of issue 12,
// each measured in a child process of its own so its peak memory is its own (maxRSS):
//   - validate of a 100,000-job workflow (seeded layered graph): target < 20 s and < 2 GB;
//   - simulate of the shipped 10,000-item sweep workflows/sweeps/render-farm.yaml: target < 10 s;
//   - a diagnostic on a 50 MB line: what it prints stays a few hundred bytes (code frames are cut).
// The figures move with the machine: run it on an otherwise idle one. --jobs N and --timeout S
// scale it down for a smoke run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderTable } from './table.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ args: process.argv.slice(2), options: { jobs: { type: 'string', default: '100000' }, timeout: { type: 'string', default: '600' } } });
const jobs = Number(values.jobs);
const timeoutMs = Number(values.timeout) * 1000;

/** A layered graph: jobs in layers of 100, each needing one or two jobs of the layer before (seeded). */
export function bigWorkflow(n: number, seed = 12345): string {
  let s = seed;
  const rand = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const width = 100;
  const out = ['name: bounds-big', 'jobs:'];
  for (let i = 0; i < n; i++) {
    out.push(`  j${i}:`, `    lambda: fn-${i % 7}`, `    estimate: ${1 + (i % 50)}m`);
    if (i < width) continue;
    const layer = Math.floor(i / width) * width;
    const needs = new Set([i - width, layer - 1 - Math.floor(rand() * width)]);
    out.push(`    needs: [${[...needs].map((k) => `j${k}`).join(', ')}]`);
  }
  return `${out.join('\n')}\n`;
}

interface Measured {
  seconds: number;
  maxRssMB: number;
  exit: number | null;
  outputBytes: number;
}

/** Runs the CLI under /usr/bin/time-like accounting: wall time here, peak RSS from the child's resource usage. */
function measure(args: string[]): Measured {
  const script = `const { main } = await import(${JSON.stringify(join(here, '..', 'generator', 'cli', 'main.ts'))});
    const code = await main(${JSON.stringify(args)});
    process.stderr.write('\\nmaxrss-kb ' + process.resourceUsage().maxRSS + '\\n');
    process.exit(code);`;
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 30, timeout: timeoutMs });
  const seconds = (performance.now() - started) / 1000;
  const rss = /maxrss-kb (\d+)/.exec(child.stderr ?? '')?.[1];
  const outputBytes = Buffer.byteLength(child.stdout ?? '') + Buffer.byteLength((child.stderr ?? '').replace(/\nmaxrss-kb \d+\n/, ''));
  return { seconds, maxRssMB: rss ? Math.round(Number(rss) / 1024) : NaN, exit: child.status, outputBytes };
}

const dir = mkdtempSync(join(tmpdir(), 'stepgraph-bounds-'));
const bigFile = join(dir, 'big.yaml');
writeFileSync(bigFile, bigWorkflow(jobs));
const longFile = join(dir, 'long.yaml');
writeFileSync(longFile, `name: long\njobs:\n  a: {lambda: f, timeout: ${'y'.repeat(50_000_000)}}\n`);

const validate = measure(['validate', bigFile]);
const sweep = measure(['simulate', join(here, '..', 'workflows', 'sweeps', 'render-farm.yaml')]);
const frame = measure(['validate', longFile]);
const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT MET');
const timedOut = (m: Measured): string => (m.exit === null ? ` (stopped at ${values.timeout} s)` : '');

console.log(
  renderTable({
    title: 'Resource bounds (issue 12, item 13)',
    headers: ['case', 'seconds', 'peak MB', 'exit', 'target', 'verdict'],
    rows: [
      [`validate ${jobs.toLocaleString('en-US')} jobs`, validate.seconds.toFixed(1) + timedOut(validate), validate.maxRssMB, String(validate.exit), '< 20 s, < 2,048 MB', verdict(validate.exit !== null && validate.seconds < 20 && validate.maxRssMB < 2048)],
      ['simulate render-farm (10,000 items)', sweep.seconds.toFixed(1) + timedOut(sweep), sweep.maxRssMB, String(sweep.exit), '< 10 s', verdict(sweep.exit !== null && sweep.seconds < 10)],
      ['diagnostic on a 50 MB line', frame.seconds.toFixed(1), frame.maxRssMB, String(frame.exit), '< 4 KB printed', verdict(frame.outputBytes < 4096) + ` (${frame.outputBytes} bytes)`],
    ],
    notes: ['each case is its own child process; peak MB is its maxRSS'],
  }),
);

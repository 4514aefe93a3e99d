// CLI start-up, as a ratio to `node -e 0` on the same machine at the same moment (absolute times
// move with the machine's load; the ratio much less): the goals are `--help` within 3x and
// `validate workflows/` within 6x. Each command runs `runs` times, interleaved with node -e 0,
// and the medians are compared. Runs the built CLI (bin/stepgraph.mjs), built first if stale.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface CliTiming {
  command: string;
  medianMs: number;
  ratio: number;
  goal: number;
  met: boolean;
}

const COMMANDS: { args: string[]; goal: number }[] = [
  { args: ['--help'], goal: 3 },
  { args: ['validate', 'workflows/'], goal: 6 },
  { args: ['graph', 'workflows/player-analytics.yaml'], goal: 6 },
];

function timeOnce(args: string[]): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${run.status}`);
  return performance.now() - start;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function measureCli(runs = 7): { baselineMs: number; timings: CliTiming[] } {
  timeOnce([join(root, 'bin/stepgraph.mjs'), '--version']); // builds the CLI if it is stale
  const baseline: number[] = [];
  const samples = COMMANDS.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    baseline.push(timeOnce(['-e', '0']));
    COMMANDS.forEach((c, k) => samples[k].push(timeOnce([join(root, 'bin/stepgraph.mjs'), ...c.args])));
  }
  const baselineMs = median(baseline);
  const timings = COMMANDS.map((c, k) => {
    const medianMs = median(samples[k]);
    const ratio = medianMs / baselineMs;
    return { command: `stepgraph ${c.args.join(' ')}`, medianMs, ratio, goal: c.goal, met: ratio <= c.goal };
  });
  return { baselineMs, timings };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { baselineMs, timings } = measureCli(Number(process.argv[2] ?? 7));
  console.log(`node -e 0: ${baselineMs.toFixed(0)} ms (median)`);
  for (const t of timings) console.log(`${t.command}: ${t.medianMs.toFixed(0)} ms = ${t.ratio.toFixed(2)}x (goal ${t.goal}x: ${t.met ? 'met' : 'NOT MET'})`);
}

// The benchmark's graphs: seeded random DAGs of every family and the workflows/ examples, each
// with random job durations (seeded) and every estimate set to its job's duration.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileTexts } from '../generator/compile.ts';
import type { Workflow } from '../generator/model.ts';
import { FAMILIES, prng, randInt, randomWorkflow, type Family } from './graphs.ts';

export interface SuiteGraph {
  family: Family | 'examples';
  size: number;
  seed: number;
  workflow: Workflow;
}

export const RANDOM_FAMILIES = Object.keys(FAMILIES) as Family[];

/** Random graphs: every family at every size, `seeds` seeds each. */
export function randomGraphs(sizes: readonly number[], seeds: readonly number[]): SuiteGraph[] {
  return RANDOM_FAMILIES.flatMap((family) => sizes.flatMap((size) => seeds.map((seed) => ({ family, size, seed, workflow: randomWorkflow(family, size, seed) }))));
}

/**
 * The workflows/ examples (top-level files; sweeps live in a folder of their own): each as
 * written (seed 0: its own estimates) and with random durations for every other seed.
 */
export function exampleGraphs(dir: string, seeds: readonly number[]): SuiteGraph[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => ({ file: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
  const { compiled } = compileTexts(files);
  return compiled.flatMap(({ workflow }) =>
    [0, ...seeds].map((seed) => ({ family: 'examples' as const, size: workflow.jobs.length, seed, workflow: seed === 0 ? workflow : withRandomDurations(workflow, seed) })),
  );
}

/** The same workflow with seeded random durations (1 to 60 minutes, within each job's timeout) as estimates. */
export function withRandomDurations(workflow: Workflow, seed: number): Workflow {
  const rand = prng(seed);
  return {
    ...workflow,
    jobs: workflow.jobs.map((job) => ({ ...job, estimateSeconds: Math.min(job.timeoutSeconds, randInt(rand, 60, 3600)) })),
  };
}

/**
 * Durations that differ from the estimates, each by up to ±`spread` (seeded): the planner still
 * orders by the estimates, so in-run waits may find their job not done yet and poll.
 */
export function noisyDurations(workflow: Workflow, seed: number, spread = 0.3): Map<string, number> {
  const rand = prng(seed ^ 0x5bd1e995);
  return new Map(
    workflow.jobs.map((job) => {
      const estimate = job.estimateSeconds ?? 60;
      const factor = 1 - spread + 2 * spread * rand();
      return [job.name, Math.max(1, Math.min(job.timeoutSeconds - 1, Math.round(estimate * factor)))];
    }),
  );
}

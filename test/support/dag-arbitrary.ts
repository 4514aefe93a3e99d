// fast-check arbitraries for job graphs: random DAGs of several families, rendered as workflow
// YAML so property tests run the whole compiler, checker included.
import fc from 'fast-check';

export interface RandomDag {
  /** needs[i]: indices (< i) of the jobs job i needs. */
  needs: number[][];
  /** Estimate of each job in minutes. */
  minutes: number[];
}

const sparse = fc.integer({ min: 1, max: 24 }).chain((n) =>
  fc.tuple(
    fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, k) => k), { maxLength: Math.min(3, i) }))),
    fc.array(fc.integer({ min: 1, max: 90 }), { minLength: n, maxLength: n }),
  ),
);

const chain = fc.integer({ min: 2, max: 40 }).map((n) => [Array.from({ length: n }, (_, i) => (i === 0 ? [] : [i - 1])), Array(n).fill(10)] as const);

const fanOutIn = fc.integer({ min: 2, max: 30 }).map((width) => {
  const needs: number[][] = [[]];
  for (let i = 1; i <= width; i++) needs.push([0]);
  needs.push(Array.from({ length: width }, (_, i) => i + 1));
  return [needs, needs.map((_, i) => 5 + (i % 7))] as const;
});

// Layers where each job needs a random subset of the previous layer: mostly not series-parallel.
const layered = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 6 }).chain((widths) => {
  const starts = widths.map((_, i) => widths.slice(0, i).reduce((a, b) => a + b, 0));
  const total = widths.reduce((a, b) => a + b, 0);
  return fc
    .tuple(
      ...widths.flatMap((w, layer) =>
        Array.from({ length: w }, () =>
          layer === 0 ? fc.constant([] as number[]) : fc.subarray(Array.from({ length: widths[layer - 1] }, (_, k) => starts[layer - 1] + k), { minLength: 1 }),
        ),
      ),
    )
    .chain((needs) => fc.tuple(fc.constant(needs), fc.array(fc.integer({ min: 1, max: 60 }), { minLength: total, maxLength: total })));
});

export const randomDag: fc.Arbitrary<RandomDag> = fc
  .oneof(sparse, chain, fanOutIn, layered)
  .map(([needs, minutes]) => ({ needs: needs.map((n) => [...n]), minutes: [...minutes] }));

export const jobName = (i: number): string => `j${i}`;

export function dagYaml(dag: RandomDag, name = 'random-dag'): string {
  const lines = [`name: ${name}`, 'jobs:'];
  dag.needs.forEach((needs, i) => {
    lines.push(`  ${jobName(i)}:`, `    lambda: fn-${i}`, `    estimate: ${dag.minutes[i]}m`);
    if (needs.length > 0) lines.push(`    needs: [${needs.map(jobName).join(', ')}]`);
  });
  return `${lines.join('\n')}\n`;
}

/** Transitive ancestors of every job. */
export function ancestors(dag: RandomDag): Set<string>[] {
  const out: Set<string>[] = [];
  dag.needs.forEach((needs, i) => {
    out[i] = new Set(needs.flatMap((n) => [jobName(n), ...out[n]]));
  });
  return out;
}

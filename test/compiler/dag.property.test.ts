// Property: the planner's reachability answers (plan/dag.ts) are those of the plain transitive
// closure, whatever the graph: the first node that is not an ancestor of each node, and each
// node's direct needs (the transitive reduction). The Dag keeps only the bits above each node's
// ancestor prefix, so graphs deep enough for prefixes to form (layers of nodes needing recent
// ones) are drawn as well as small irregular ones.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dag } from '../../generator/plan/dag.ts';

/** needs[v] ⊂ [0, v), each a recent node (within `reach`) or, now and then, any earlier one. */
const graphs = fc
  .record({ size: fc.integer({ min: 1, max: 600 }), reach: fc.integer({ min: 1, max: 80 }), seed: fc.integer() })
  .map(({ size, reach, seed }) => {
    let s = seed >>> 0;
    const rand = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    return Array.from({ length: size }, (_, v) => {
      const count = v === 0 ? 0 : Math.floor(rand() * 4);
      const needs = new Set<number>();
      for (let k = 0; k < count; k++) needs.add(rand() < 0.9 ? Math.max(0, v - 1 - Math.floor(rand() * reach)) : Math.floor(rand() * v));
      return [...needs].sort((a, b) => a - b);
    });
  });

function closure(needs: number[][]): Set<number>[] {
  const anc: Set<number>[] = [];
  needs.forEach((ns, v) => {
    const all = new Set<number>();
    for (const u of ns) {
      all.add(u);
      for (const a of anc[u]) all.add(a);
    }
    anc[v] = all;
  });
  return anc;
}

describe('Dag reachability', () => {
  it('gives the first non-ancestor and the direct needs of every node, as the transitive closure says', () => {
    fc.assert(
      fc.property(graphs, (needs) => {
        const dag = new Dag(needs, needs.map((_, i) => i));
        const anc = closure(needs);
        needs.forEach((ns, v) => {
          let first = 0;
          while (first < v && anc[v].has(first)) first++;
          expect(dag.firstOther[v], `firstOther of ${v}`).toBe(first);
          const direct = ns.filter((u) => !ns.some((w) => w !== u && anc[w].has(u)));
          expect(dag.directNeeds(v), `direct needs of ${v}`).toStrictEqual(direct);
        });
      }),
      { numRuns: 150 },
    );
  });
});

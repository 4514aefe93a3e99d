// A job graph as the planner needs it: nodes numbered in topological order, needs as index
// lists, and what the planner asks of reachability, computed once: each node's direct needs
// (the transitive reduction) and the first node that is not its ancestor (for series cuts).
//
// Reachability is a bitset of ancestors per node, but only while a later node still needs it:
// a node's bitset is dropped after its last dependant is read, and it has only as many words
// as nodes come before it. Graphs of tens of thousands of jobs would otherwise hold n² bits
// (1.25 GB at 100,000 jobs) for answers that fit in a few numbers per node.

export class Dag {
  readonly size: number;
  /** firstOther[v]: the first node that is not an ancestor of v (v itself when all before it are). */
  readonly firstOther: Int32Array;
  private readonly direct: number[][];

  constructor(
    /** needs[v]: the direct needs of v, all with a smaller index. */
    readonly needs: readonly (readonly number[])[],
    /** An external id per node (the index in the caller's numbering). */
    readonly ids: readonly number[],
  ) {
    this.size = needs.length;
    this.firstOther = new Int32Array(this.size);
    this.direct = new Array(this.size);
    // The last node that reads u's bitset; after it, u's bitset goes.
    const lastUse = new Int32Array(this.size).fill(-1);
    for (let v = 0; v < this.size; v++) for (const u of needs[v]) lastUse[u] = Math.max(lastUse[u], v);
    const ancestors: (Uint32Array | undefined)[] = new Array(this.size);
    for (let v = 0; v < this.size; v++) {
      // Ancestors of v all come before it: bits 0..v-1.
      const bits = new Uint32Array((v >>> 5) + 1);
      for (const u of needs[v]) {
        const a = ancestors[u]!;
        for (let w = 0; w < a.length; w++) bits[w] |= a[w];
        bits[u >>> 5] |= 1 << (u & 31);
      }
      const has = (u: number, of: Uint32Array): boolean => (of[u >>> 5] & (1 << (u & 31))) !== 0;
      // A need that another need already implies is not direct.
      this.direct[v] = needs[v].filter((u) => !needs[v].some((w) => w !== u && has(u, ancestors[w]!)));
      this.firstOther[v] = firstMissing(bits, v);
      ancestors[v] = bits;
      for (const u of needs[v]) if (lastUse[u] === v) ancestors[u] = undefined;
      if (lastUse[v] < 0) ancestors[v] = undefined;
    }
  }

  /** Needs of v that no other need of v already implies (the transitive reduction). */
  directNeeds(v: number): number[] {
    return [...this.direct[v]];
  }

  /** The sub-graph on `nodes` (ascending), keeping only edges between them, minus `drop`. */
  subgraph(nodes: readonly number[], drop?: (u: number, v: number) => boolean): Dag {
    const local = new Map(nodes.map((n, i) => [n, i]));
    const needs = nodes.map((v) =>
      this.direct[v]
        .filter((u) => local.has(u) && !drop?.(u, v))
        .map((u) => local.get(u)!),
    );
    return new Dag(needs, nodes.map((n) => this.ids[n]));
  }
}

/** The lowest bit below `limit` that is not set, else `limit`. */
function firstMissing(bits: Uint32Array, limit: number): number {
  for (let w = 0; w <= limit >>> 5; w++) {
    const missing = ~bits[w] >>> 0;
    if (missing !== 0) return Math.min(limit, w * 32 + (31 - Math.clz32(missing & -missing)));
  }
  return limit;
}

// A job graph as the planner needs it: nodes numbered in topological order, needs as index
// lists, and what the planner asks of reachability, computed once: each node's direct needs
// (the transitive reduction) and the first node that is not its ancestor (for series cuts).
//
// Reachability is a bitset of ancestors per node, kept only while a later node still needs it
// (a node's bitset is dropped after its last dependant is read), and only above the node's
// ancestor prefix: every node below `base` is an ancestor, so only [base, v) needs bits. In a
// real graph the prefix grows with the layers, so a bitset covers a few layers, not every node
// before it: at 100,000 jobs, whole bitsets would be 600 MB allocated and ORed word by word.

/** The ancestors of a node: everything below `base` (a multiple of 32), and the set bits above it. */
interface Ancestors {
  base: number;
  bits: Uint32Array;
}

const isAncestor = (u: number, of: Ancestors): boolean => {
  if (u < of.base) return true;
  const i = u - of.base;
  return (i >>> 5) < of.bits.length && (of.bits[i >>> 5] & (1 << (i & 31))) !== 0;
};

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
    const ancestors: (Ancestors | undefined)[] = new Array(this.size);
    for (let v = 0; v < this.size; v++) {
      // Every node below the largest prefix of v's needs is an ancestor of v.
      let base = 0;
      for (const u of needs[v]) base = Math.max(base, ancestors[u]!.base);
      // Ancestors of v all come before it: bits base..v-1.
      const bits = new Uint32Array(((v - base) >>> 5) + 1);
      for (const u of needs[v]) {
        const a = ancestors[u]!;
        const skip = (base - a.base) >>> 5;
        for (let w = skip; w < a.bits.length; w++) bits[w - skip] |= a.bits[w];
        if (u >= base) bits[(u - base) >>> 5] |= 1 << ((u - base) & 31);
      }
      const own: Ancestors = { base, bits };
      // A need that another need already implies is not direct.
      this.direct[v] = needs[v].filter((u) => !needs[v].some((w) => w !== u && isAncestor(u, ancestors[w]!)));
      const first = base + firstMissing(bits, v - base);
      this.firstOther[v] = first;
      // Raise the prefix to what v's ancestors really cover, dropping the words below it.
      const drop = (first - base) >>> 5;
      ancestors[v] = drop === 0 ? own : { base: base + drop * 32, bits: bits.slice(drop) };
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

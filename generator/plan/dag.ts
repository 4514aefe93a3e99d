// A job graph as the planner needs it: nodes numbered in topological order, needs as index
// lists, and every node's ancestors as a bitset (graphs reach tens of thousands of jobs).

export class Dag {
  readonly size: number;
  readonly words: number;
  /** ancestors[v]: bit u set when u must finish before v (transitively). */
  readonly ancestors: Uint32Array[];

  constructor(
    /** needs[v]: the direct needs of v, all with a smaller index. */
    readonly needs: readonly (readonly number[])[],
    /** An external id per node (the index in the caller's numbering). */
    readonly ids: readonly number[],
  ) {
    this.size = needs.length;
    this.words = (this.size + 31) >>> 5;
    this.ancestors = new Array(this.size);
    for (let v = 0; v < this.size; v++) {
      const bits = new Uint32Array(this.words);
      for (const u of needs[v]) {
        const a = this.ancestors[u];
        for (let w = 0; w < this.words; w++) bits[w] |= a[w];
        bits[u >>> 5] |= 1 << (u & 31);
      }
      this.ancestors[v] = bits;
    }
  }

  isAncestor(u: number, v: number): boolean {
    return (this.ancestors[v][u >>> 5] & (1 << (u & 31))) !== 0;
  }

  /** Needs of v that no other need of v already implies (the transitive reduction). */
  directNeeds(v: number): number[] {
    const needs = this.needs[v];
    return needs.filter((u) => !needs.some((w) => w !== u && this.isAncestor(u, w)));
  }

  /** The sub-graph on `nodes` (ascending), keeping only edges between them, minus `drop`. */
  subgraph(nodes: readonly number[], drop?: (u: number, v: number) => boolean): Dag {
    const local = new Map(nodes.map((n, i) => [n, i]));
    const needs = nodes.map((v) =>
      this.directNeeds(v)
        .filter((u) => local.has(u) && !drop?.(u, v))
        .map((u) => local.get(u)!),
    );
    return new Dag(needs, nodes.map((n) => this.ids[n]));
  }
}

// Seeded random job graphs, built as model `Workflow`s directly (no YAML), for the benchmark
// and for tests (property tests, scale tests). Everything is deterministic in the seed: the same
// family, size and seed always give the same graph and the same durations.
import { DEFAULTS, type Job, type Workflow } from '../generator/model.ts';

/** A small, fast, seeded PRNG (mulberry32): uniform floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;
/** An integer in [lo, hi]. */
export const randInt = (rand: Random, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

/** The needs of each node, by index; every need has a smaller index than the node. */
export type Shape = number[][];

export interface GraphOptions {
  /** Workflow name (lower-case, '-'); default derived from family, size and seed. */
  name?: string;
  /** Shortest and longest job duration in seconds (uniform, whole seconds). Default 60..3600. */
  minSeconds?: number;
  maxSeconds?: number;
  /** Every job's timeout; default: twice its duration rounded up to 5 minutes, at least 15 minutes. */
  timeoutSeconds?: number;
  /** Marker bucket; default a fixed name (so the ASL has no `${MarkerBucket}`). */
  bucket?: string;
}

export const jobName = (i: number): string => `j${i}`;

/**
 * A workflow of Lambda jobs with the given shape. Every job's duration is drawn from the seed
 * and set as its `estimate` (the compiler uses estimates as tie-breaks; simulate runs them).
 */
export function workflowOf(shape: Shape, seed: number, options: GraphOptions & { name: string }): Workflow {
  const rand = prng(seed ^ 0x9e3779b9);
  const min = options.minSeconds ?? 60;
  const max = options.maxSeconds ?? 3600;
  const timeoutOf = (seconds: number): number => options.timeoutSeconds ?? Math.max(900, Math.ceil((2 * seconds) / 300) * 300);
  const jobs: Job[] = shape.map((needs, i) => {
    const seconds = randInt(rand, min, max);
    return {
      name: jobName(i),
      kind: { type: 'lambda', function: 'bench-job' },
      needs: [...new Set(needs)].sort((a, b) => a - b).map(jobName),
      waitsFor: [],
      timeoutSeconds: timeoutOf(seconds),
      retry: { ...DEFAULTS.retry },
      params: {},
      estimateSeconds: seconds,
    };
  });
  return {
    file: `bench/${options.name}.yaml`,
    name: options.name,
    partition: 'daily',
    markers: { bucket: options.bucket ?? 'stepgraph-bench-markers', prefix: DEFAULTS.markerPrefix },
    defaults: { timeoutSeconds: timeoutOf(max), retry: { ...DEFAULTS.retry }, wait: { ...DEFAULTS.wait } },
    alerts: {},
    jobs,
    triggers: [],
  };
}

// ---- shapes -------------------------------------------------------------------------------

/** Layers of random width; each job needs 1-3 jobs of the layer above, sometimes one further up. */
export function layeredShape(n: number, rand: Random): Shape {
  const layers: number[][] = [];
  let next = 0;
  const width = Math.max(2, Math.round(Math.sqrt(n)));
  while (next < n) {
    const w = Math.min(n - next, randInt(rand, 1, 2 * width - 1));
    layers.push(Array.from({ length: w }, (_, k) => next + k));
    next += w;
  }
  const shape: Shape = Array.from({ length: n }, () => []);
  for (let l = 1; l < layers.length; l++) {
    const above = layers[l - 1];
    for (const v of layers[l]) {
      const k = randInt(rand, 1, Math.min(3, above.length));
      for (let i = 0; i < k; i++) shape[v].push(above[randInt(rand, 0, above.length - 1)]);
      if (l >= 2 && rand() < 0.2) {
        const far = layers[randInt(rand, 0, l - 2)];
        shape[v].push(far[randInt(rand, 0, far.length - 1)]);
      }
    }
  }
  return shape;
}

/** Sparse random DAG: each job needs 0-2 random earlier jobs, mostly recent ones. */
export function sparseShape(n: number, rand: Random): Shape {
  return Array.from({ length: n }, (_, v) => {
    if (v === 0) return [];
    const k = rand() < 0.25 ? 0 : rand() < 0.6 ? 1 : 2;
    const window = Math.max(1, Math.min(v, 20));
    return Array.from({ length: k }, () => (rand() < 0.8 ? v - 1 - randInt(rand, 0, window - 1) : randInt(rand, 0, v - 1)));
  });
}

/** Fan-out/fan-in: one source, stages of parallel jobs each closed by a join, one stage per ~50 jobs. */
export function fanShape(n: number, rand: Random): Shape {
  const shape: Shape = [[]];
  let join = 0;
  while (shape.length < n) {
    const left = n - shape.length;
    const width = left <= 2 ? left : Math.min(left - 1, randInt(rand, 10, 60));
    const wide = Array.from({ length: width }, (_, k) => shape.length + k);
    for (let k = 0; k < width; k++) shape.push([join]);
    if (shape.length < n) {
      join = shape.length;
      shape.push(wide);
    }
  }
  return shape;
}

/** A few long chains side by side, cross-linked now and then (mostly series, a few "N"s). */
export function chainShape(n: number, rand: Random): Shape {
  const lanes = n < 20 ? 1 : randInt(rand, 1, 3);
  const tail: number[] = [];
  return Array.from({ length: n }, (_, v) => {
    const lane = v % lanes;
    const needs: number[] = tail[lane] === undefined ? [] : [tail[lane]];
    if (lanes > 1 && tail[(lane + 1) % lanes] !== undefined && rand() < 0.05) needs.push(tail[(lane + 1) % lanes]);
    tail[lane] = v;
    return needs;
  });
}

/**
 * "N" shapes, the smallest graph no nesting expresses (A->C, B->C, B->D), widened and chained
 * in series: tops t0..t(k-1), bottoms b0..b(k-1), b_i needs t_i and t_(i+1) (the last only t_i);
 * each gadget's bottoms feed the next gadget's tops.
 */
export function nShape(n: number, rand: Random): Shape {
  return gadgets(n, rand, 2, 0);
}

/** "W" shapes: tops t0..tk, bottoms b0..b(k-1), b_i needs t_i and t_(i+1); chained like nShape. */
export function wShape(n: number, rand: Random): Shape {
  return gadgets(n, rand, 3, 1);
}

function gadgets(n: number, rand: Random, minTops: number, fewerBottoms: number): Shape {
  const shape: Shape = [];
  let prev: number[] = [];
  const fromPrev = (k: number): number[] => (prev.length > 0 ? [prev[k % prev.length]] : []);
  while (shape.length < n) {
    const left = n - shape.length;
    let tops = randInt(rand, minTops, minTops + 3);
    while (tops > minTops && 2 * tops - fewerBottoms > left) tops--;
    if (2 * tops - fewerBottoms > left) {
      // Too few left for another gadget: closing jobs after the previous bottoms.
      for (let k = 0; k < left; k++) shape.push(fromPrev(k));
      break;
    }
    const top = Array.from({ length: tops }, (_, k) => shape.length + k);
    for (let k = 0; k < tops; k++) shape.push(fromPrev(k));
    const bottom: number[] = [];
    for (let i = 0; i < tops - fewerBottoms; i++) {
      bottom.push(shape.length);
      shape.push(i + 1 < tops ? [top[i], top[i + 1]] : [top[i]]);
    }
    prev = bottom;
  }
  return shape;
}

// ---- families -----------------------------------------------------------------------------

export const FAMILIES = {
  layered: layeredShape,
  sparse: sparseShape,
  fan: fanShape,
  chain: chainShape,
  n: nShape,
  w: wShape,
} as const;

export type Family = keyof typeof FAMILIES;

/** A seeded random workflow of `size` jobs from one family. */
export function randomWorkflow(family: Family, size: number, seed: number, options: GraphOptions = {}): Workflow {
  const shape = FAMILIES[family](size, prng(seed));
  return workflowOf(shape, seed, { ...options, name: options.name ?? `bench-${family}-${size}-${seed}` });
}

/** Any random DAG (the sparse family): the default for property tests. */
export const randomDag = (size: number, seed: number, options: GraphOptions = {}): Workflow => randomWorkflow('sparse', size, seed, options);

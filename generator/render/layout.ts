// A left-to-right layered layout of a job graph, for drawing it without Graphviz: each job in
// the column after its latest need, external markers in the column before the first job waiting
// for them, rows ordered by the mean row of what feeds them (fewer crossings), all positions in
// pixels. Deterministic: the same workflow gives the same picture.
import { topologicalOrder, type Workflow } from '../model.ts';
import { waitEdges } from './wait-edges.ts';
import { conditionLines, edgeRule } from './conditions.ts';
import { jobDeadlineLines } from './deadlines.ts';

export interface LaidNode {
  id: string;
  kind: 'job' | 'marker';
  label: string;
  /** The job's kind ("lambda", ...) or "marker". */
  detail: string;
  /** The job's `when` and `run_if`, when it has them (render/conditions.ts). */
  conditions?: string[];
  x: number;
  y: number;
  width: number;
  height: number;
}

interface LaidEdge {
  from: string;
  to: string;
  /** A wait for another producer's marker (drawn dashed, with its deadline). */
  external: boolean;
  label?: string;
}

export interface Layout {
  nodes: LaidNode[];
  edges: LaidEdge[];
  width: number;
  height: number;
}

const NODE_HEIGHT = 40;
const COLUMN_GAP = 70;
const ROW_GAP = 18;
const MARGIN = 16;
const CHAR_WIDTH = 7.2;

const markerId = (marker: string): string => `marker:${marker}`;

export function layoutGraph(workflow: Workflow, deadline: (seconds: number) => string): Layout {
  const column = new Map<string, number>();
  const hasMarkers = workflow.jobs.some((j) => j.waitsFor.length > 0);
  for (const job of topologicalOrder(workflow.jobs)) column.set(job.name, Math.max(hasMarkers ? 1 : 0, ...job.needs.map((n) => column.get(n)! + 1)));
  const nodes = new Map<string, Omit<LaidNode, 'x' | 'y'> & { column: number }>();
  for (const job of workflow.jobs) {
    nodes.set(job.name, { id: job.name, kind: 'job', label: job.name, detail: [job.kind.type.replace('_', ' '), ...jobDeadlineLines(job)].join(' · '), ...(job.when || job.runIf ? { conditions: conditionLines(job) } : {}), column: column.get(job.name)!, width: 0, height: NODE_HEIGHT });
  }
  const edges: LaidEdge[] = [];
  for (const job of workflow.jobs) for (const need of job.needs) edges.push({ from: need, to: job.name, external: false, ...(edgeRule(job) && { label: edgeRule(job) }) });
  // Waits across dates (render/wait-edges.ts): an earlier run's marker of this workflow is a node of
  // its own ('daily_rollup', 'earlier run'), the other partition's markers another, the offset on the edge.
  for (const wait of waitEdges(workflow)) {
    const id = wait.past ? markerId(`${wait.label} ${wait.offset}`) : wait.from;
    const before = column.get(wait.job)! - 1;
    const known = nodes.get(id);
    const detail = wait.past ? `${wait.offset} (earlier run)` : wait.detail;
    if (!known) nodes.set(id, { id, kind: 'marker', label: wait.label, detail, column: before, width: 0, height: NODE_HEIGHT });
    else known.column = Math.min(known.column, before);
    edges.push({ from: id, to: wait.job, external: true, label: `${wait.offset && !wait.past ? `${wait.offset} ` : ''}≤ ${deadline(wait.timeoutSeconds)}` });
  }
  for (const n of nodes.values()) n.width = Math.max(90, Math.ceil(Math.max(n.label.length, n.detail.length) * CHAR_WIDTH) + 20);

  // Columns, each ordered by the mean row of the nodes feeding it.
  const columns: string[][] = Array.from({ length: 1 + Math.max(0, ...[...nodes.values()].map((n) => n.column)) }, () => []);
  for (const n of nodes.values()) columns[n.column].push(n.id);
  const row = new Map<string, number>();
  const feeders = new Map<string, string[]>();
  for (const e of edges) feeders.set(e.to, [...(feeders.get(e.to) ?? []), e.from]);
  for (const ids of columns) {
    const score = (id: string): number => {
      const rows = (feeders.get(id) ?? []).map((f) => row.get(f)).filter((r): r is number => r !== undefined);
      return rows.length === 0 ? Infinity : rows.reduce((a, b) => a + b, 0) / rows.length;
    };
    const scored = ids.map((id, i) => ({ id, i, s: score(id) }));
    scored.sort((a, b) => (a.s === b.s ? a.i - b.i : a.s === Infinity ? 1 : b.s === Infinity ? -1 : a.s - b.s));
    scored.forEach((s, r) => row.set(s.id, r));
    ids.splice(0, ids.length, ...scored.map((s) => s.id));
  }

  const columnWidth = columns.map((ids) => Math.max(0, ...ids.map((id) => nodes.get(id)!.width)));
  const rows = Math.max(1, ...columns.map((ids) => ids.length));
  const height = MARGIN * 2 + rows * NODE_HEIGHT + (rows - 1) * ROW_GAP;
  const laid: LaidNode[] = [];
  let x = MARGIN;
  columns.forEach((ids, c) => {
    if (ids.length === 0) return;
    const columnHeight = ids.length * NODE_HEIGHT + (ids.length - 1) * ROW_GAP;
    let y = (height - columnHeight) / 2;
    for (const id of ids) {
      const { column: _, ...n } = nodes.get(id)!;
      laid.push({ ...n, x: x + (columnWidth[c] - n.width) / 2, y });
      y += NODE_HEIGHT + ROW_GAP;
    }
    x += columnWidth[c] + COLUMN_GAP;
  });
  return { nodes: laid, edges, width: x - COLUMN_GAP + MARGIN, height };
}

// The job graph as SVG, drawn from layout.ts (no Graphviz needed): jobs as rounded boxes with
// their kind, external markers as dashed notes with dashed edges and their deadline. The HTML
// report passes each job's status and the critical path to colour them. Every text is escaped.
import { formatDuration } from '../check/values.ts';
import type { Workflow } from '../model.ts';
import { layoutGraph, type LaidNode } from './layout.ts';
import { runDeadlineCaption } from './deadlines.ts';

/** Where the caption starts: the layout's margin. */
const MARGIN_X = 16;

export interface GraphStyle {
  /** Jobs on the critical path: drawn thicker, in the accent colour. */
  critical?: ReadonlySet<string>;
  /** A job's status class (succeeded, failed, skipped, ...), for colour. */
  status?: ReadonlyMap<string, string>;
}

export function renderSvgGraph(workflow: Workflow, style: GraphStyle = {}): string {
  const layout = layoutGraph(workflow, formatDuration);
  const at = new Map(layout.nodes.map((n) => [n.id, n]));
  const critical = style.critical ?? new Set<string>();
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="sg-graph" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" role="img" aria-label="${esc(`job graph of ${workflow.name}`)}">`,
    '<defs><marker id="sg-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#57606a"/></marker>',
    '<marker id="sg-arrow-critical" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#d9480f"/></marker></defs>',
    `<style>${GRAPH_CSS}</style>`,
  ];
  // The run's deadline as a caption in the top margin.
  const caption = runDeadlineCaption(workflow);
  if (caption) out.push(`<text class="caption" x="${MARGIN_X}" y="12">${esc(caption)}</text>`);
  for (const e of layout.edges) {
    const a = at.get(e.from)!;
    const b = at.get(e.to)!;
    const [x1, y1, x2, y2] = [a.x + a.width, a.y + a.height / 2, b.x, b.y + b.height / 2];
    const bend = Math.max(20, (x2 - x1) / 2);
    const onPath = !e.external && critical.has(e.from) && critical.has(e.to);
    const cls = e.external ? 'edge external' : onPath ? 'edge critical' : 'edge';
    out.push(`<path class="${cls}" d="M${n(x1)},${n(y1)} C${n(x1 + bend)},${n(y1)} ${n(x2 - bend)},${n(y2)} ${n(x2)},${n(y2)}" marker-end="url(#${onPath ? 'sg-arrow-critical' : 'sg-arrow'})"/>`);
    if (e.label) out.push(`<text class="edge-label" x="${n((x1 + x2) / 2)}" y="${n((y1 + y2) / 2 - 5)}">${esc(e.label)}</text>`);
  }
  for (const node of layout.nodes) out.push(nodeSvg(node, critical.has(node.id), style.status?.get(node.id)));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function nodeSvg(node: LaidNode, critical: boolean, status: string | undefined): string {
  const cls = [node.kind, node.conditions?.some((c) => c.startsWith('when')) ? 'conditional' : '', critical ? 'critical' : '', status ? `status-${status}` : ''].filter(Boolean).join(' ');
  const cx = node.x + node.width / 2;
  return [
    `<g class="node ${cls}" data-id="${esc(node.id)}">`,
    `<title>${esc(node.kind === 'marker' ? `marker ${node.label} (written by another producer)` : `${node.label} (${[node.detail, ...(node.conditions ?? [])].join('; ')}${status ? `, ${status.replace('_', ' ')}` : ''})`)}</title>`,
    `<rect x="${n(node.x)}" y="${n(node.y)}" width="${node.width}" height="${node.height}" rx="${node.kind === 'job' ? 8 : 2}"/>`,
    `<text class="label" x="${n(cx)}" y="${n(node.y + 17)}">${esc(node.label)}</text>`,
    `<text class="detail" x="${n(cx)}" y="${n(node.y + 31)}">${esc(node.detail)}</text>`,
    '</g>',
  ].join('');
}

const GRAPH_CSS = [
  '.sg-graph{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif}',
  '.sg-graph .node rect{fill:#eef4ff;stroke:#4c6ef5;stroke-width:1.5}',
  '.sg-graph .node.marker rect{fill:#fff9db;stroke:#b08800;stroke-dasharray:5 4}',
  '.sg-graph .node.conditional rect{stroke-dasharray:4 3}',
  '.sg-graph .node.critical rect{stroke:#d9480f;stroke-width:3}',
  '.sg-graph .node.status-failed rect,.sg-graph .node.status-wait_timed_out rect{fill:#ffe3e3}',
  '.sg-graph .node.status-skipped rect,.sg-graph .node.status-not_started rect,.sg-graph .node.status-cancelled rect{fill:#f1f3f5}',
  '.sg-graph .label{font-size:13px;font-weight:600;text-anchor:middle;fill:#1f2328}',
  '.sg-graph .detail{font-size:11px;text-anchor:middle;fill:#57606a}',
  '.sg-graph .edge{fill:none;stroke:#57606a;stroke-width:1.5}',
  '.sg-graph .edge.critical{stroke:#d9480f;stroke-width:3}',
  '.sg-graph .edge.external{stroke:#b08800;stroke-dasharray:6 4}',
  '.sg-graph .caption{font-size:11px;font-weight:600;fill:#a61e4d}',
  '.sg-graph .edge-label{font-size:11px;text-anchor:middle;fill:#8a6d00}',
].join('');

const n = (v: number): string => String(Math.round(v * 10) / 10);

/** Text and attribute values: names come from the user's file. */
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// The job graph as Mermaid (renders in GitHub READMEs) or Graphviz DOT. Jobs are boxes with
// their kind; external markers are drawn as dashed notes with dashed edges and their deadline.
import { formatDuration } from '../check/values.ts';
import type { Job, Workflow } from '../model.ts';
import { waitEdges, type WaitEdge } from './wait-edges.ts';
import { conditionLines, edgeRule, mermaidText } from './conditions.ts';
import { jobDeadlineLines, runDeadlineCaption } from './deadlines.ts';

export type GraphFormat = 'mermaid' | 'dot';

// A for_each job is a Map: its label says over what, and it is drawn as a stack (Mermaid's
// subroutine box, DOT's box3d).
const kindLabel = (job: Job): string =>
  job.kind.type.replace('_', ' ') + (job.forEach ? `, for each ${job.forEach.job}.${job.forEach.output}${job.forEach.maxConcurrent ? ` (≤${job.forEach.maxConcurrent} at a time)` : ''}${tolerance(job)}` : '');

/** `, tolerates 2 failed` / `, tolerates 10% failed`: a for_each job with tolerated_failures. */
const tolerance = (job: Job): string => {
  const t = job.forEach?.toleratedFailures;
  return t ? `, tolerates ${'count' in t ? t.count : `${t.percent}%`} failed` : '';
};

/** Mermaid ids allow no ':' */
const mermaidId = (node: string): string => node.replace(/:/g, '_');
const edgeLabel = (e: WaitEdge, deadline: string): string => (e.offset === undefined ? deadline : `${e.offset}${e.past ? ' (earlier run)' : ''}, ${deadline}`);

export function renderGraph(workflow: Workflow, format: GraphFormat): string {
  return format === 'mermaid' ? mermaid(workflow) : dot(workflow);
}

function mermaid(workflow: Workflow): string {
  const caption = runDeadlineCaption(workflow);
  // The run's deadline as the diagram's title (Mermaid's front matter).
  const lines = [...(caption ? ['---', `title: ${JSON.stringify(caption)}`, '---'] : []), 'flowchart LR'];
  for (const job of workflow.jobs) {
    // A for_each job is a stacked box: a Map of runs.
    const [open, close] = job.forEach ? ['[[', ']]'] : ['[', ']'];
    lines.push(`  ${job.name}${open}"${job.name}<br/><small>${[kindLabel(job), ...jobDeadlineLines(job), ...conditionLines(job)].map(mermaidText).join('<br/>')}</small>"${close}`);
  }
  const waits = waitEdges(workflow);
  const markers = [...new Map(waits.filter((w) => !w.past).map((w) => [w.from, w])).values()];
  // A marker of the other partition is drawn as a stack (several markers); a past wait as a thick dotted edge from its job.
  for (const m of markers) lines.push(m.detail === '24 hourly markers' ? `  ${mermaidId(m.from)}[["${m.label}<br/><small>${m.detail}</small>"]]` : `  ${mermaidId(m.from)}[/"${m.label} ${m.detail}"/]`);
  for (const job of workflow.jobs) for (const need of job.needs) lines.push(edgeRule(job) ? `  ${need} -. "${edgeRule(job)}" .-> ${job.name}` : `  ${need} --> ${job.name}`);
  for (const m of waits) lines.push(m.past ? `  ${m.from} -.->|"${edgeLabel(m, formatDuration(m.timeoutSeconds))}"| ${m.job}` : `  ${mermaidId(m.from)} -. "${edgeLabel(m, formatDuration(m.timeoutSeconds))}" .-> ${m.job}`);
  const conditional = workflow.jobs.filter((j) => j.when).map((j) => j.name);
  if (conditional.length > 0) lines.push(`  classDef conditional stroke-dasharray: 3 3`, `  class ${conditional.join(',')} conditional`);
  if (markers.length > 0) lines.push(`  classDef marker stroke-dasharray: 5 5`, `  class ${markers.map((m) => mermaidId(m.from)).join(',')} marker`);
  return `${lines.join('\n')}\n`;
}

function dot(workflow: Workflow): string {
  const q = (s: string): string => JSON.stringify(s);
  const caption = runDeadlineCaption(workflow);
  const lines = [`digraph ${q(workflow.name)} {`, '  rankdir=LR;', ...(caption ? [`  label=${q(caption)}; labelloc=t;`] : []), '  node [shape=box, style=rounded, fontname="Helvetica"];'];
  for (const job of workflow.jobs) lines.push(`  ${q(job.name)} [${job.forEach ? 'shape=box3d, ' : ''}label=${q([job.name, kindLabel(job), ...jobDeadlineLines(job), ...conditionLines(job)].join('\n'))}${job.when ? ', style="rounded,dashed"' : ''}];`);
  const waits = waitEdges(workflow);
  const markers = [...new Map(waits.filter((w) => !w.past).map((w) => [w.from, w])).values()];
  for (const m of markers) lines.push(`  ${q(m.from)} [shape=note, style=dashed, ${m.detail === 'marker' ? '' : 'peripheries=2, '}label=${q(`${m.label}\n(${m.detail})`)}];`);
  for (const job of workflow.jobs) for (const need of job.needs) lines.push(`  ${q(need)} -> ${q(job.name)}${edgeRule(job) ? ` [style=dotted, label=${q(edgeRule(job)!)}]` : ''};`);
  // An earlier run's marker: dotted, and not a rank constraint (a job may wait for its own past).
  for (const m of waits) lines.push(`  ${q(m.from)} -> ${q(m.job)} [${m.past ? 'style=dotted, constraint=false' : 'style=dashed'}, label=${q(edgeLabel(m, `waits ≤ ${formatDuration(m.timeoutSeconds)}`))}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

// The job graph as Mermaid (renders in GitHub READMEs) or Graphviz DOT. Jobs are boxes with
// their kind; external markers are drawn as dashed notes with dashed edges and their deadline.
import { formatDuration } from '../check/values.ts';
import type { Job, Workflow } from '../model.ts';
import { conditionLines, edgeRule, mermaidText } from './conditions.ts';

export type GraphFormat = 'mermaid' | 'dot';

const kindLabel = (job: Job): string => job.kind.type.replace('_', ' ');

function externalMarkers(workflow: Workflow): { marker: string; job: string; timeout: number }[] {
  return workflow.jobs.flatMap((j) => j.waitsFor.map((w) => ({ marker: w.marker, job: j.name, timeout: w.timeoutSeconds })));
}

export function renderGraph(workflow: Workflow, format: GraphFormat): string {
  return format === 'mermaid' ? mermaid(workflow) : dot(workflow);
}

function mermaid(workflow: Workflow): string {
  const lines = ['flowchart LR'];
  for (const job of workflow.jobs) lines.push(`  ${job.name}["${job.name}<br/><small>${[kindLabel(job), ...conditionLines(job)].map(mermaidText).join('<br/>')}</small>"]`);
  const markers = [...new Set(externalMarkers(workflow).map((m) => m.marker))];
  for (const marker of markers) lines.push(`  marker_${marker}[/"${marker} marker"/]`);
  for (const job of workflow.jobs) for (const need of job.needs) lines.push(edgeRule(job) ? `  ${need} -. "${edgeRule(job)}" .-> ${job.name}` : `  ${need} --> ${job.name}`);
  for (const m of externalMarkers(workflow)) lines.push(`  marker_${m.marker} -. "${formatDuration(m.timeout)}" .-> ${m.job}`);
  const conditional = workflow.jobs.filter((j) => j.when).map((j) => j.name);
  if (conditional.length > 0) lines.push(`  classDef conditional stroke-dasharray: 3 3`, `  class ${conditional.join(',')} conditional`);
  if (markers.length > 0) lines.push(`  classDef marker stroke-dasharray: 5 5`, `  class ${markers.map((m) => `marker_${m}`).join(',')} marker`);
  return `${lines.join('\n')}\n`;
}

function dot(workflow: Workflow): string {
  const q = (s: string): string => JSON.stringify(s);
  const lines = [`digraph ${q(workflow.name)} {`, '  rankdir=LR;', '  node [shape=box, style=rounded, fontname="Helvetica"];'];
  for (const job of workflow.jobs) lines.push(`  ${q(job.name)} [label=${q([job.name, kindLabel(job), ...conditionLines(job)].join('\n'))}${job.when ? ', style="rounded,dashed"' : ''}];`);
  const markers = [...new Set(externalMarkers(workflow).map((m) => m.marker))];
  for (const marker of markers) lines.push(`  ${q(`marker:${marker}`)} [shape=note, style=dashed, label=${q(`${marker}\n(marker)`)}];`);
  for (const job of workflow.jobs) for (const need of job.needs) lines.push(`  ${q(need)} -> ${q(job.name)}${edgeRule(job) ? ` [style=dotted, label=${q(edgeRule(job)!)}]` : ''};`);
  for (const m of externalMarkers(workflow)) lines.push(`  ${q(`marker:${m.marker}`)} -> ${q(m.job)} [style=dashed, label=${q(`waits ≤ ${formatDuration(m.timeout)}`)}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

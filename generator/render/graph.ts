// The job graph as Mermaid (renders in GitHub READMEs) or Graphviz DOT. Jobs are boxes with
// their kind; external markers are drawn as dashed notes with dashed edges and their deadline.
import { formatDuration } from '../check/values.ts';
import type { Job, Workflow } from '../model.ts';

export type GraphFormat = 'mermaid' | 'dot';

// A for_each job is a Map: its label says over what, and it is drawn as a stack (Mermaid's
// subroutine box, DOT's box3d).
const kindLabel = (job: Job): string =>
  job.kind.type.replace('_', ' ') + (job.forEach ? `, for each ${job.forEach.job}.${job.forEach.output}${job.forEach.maxConcurrent ? ` (≤${job.forEach.maxConcurrent} at a time)` : ''}` : '');

function externalMarkers(workflow: Workflow): { marker: string; job: string; timeout: number }[] {
  return workflow.jobs.flatMap((j) => j.waitsFor.map((w) => ({ marker: w.marker, job: j.name, timeout: w.timeoutSeconds })));
}

export function renderGraph(workflow: Workflow, format: GraphFormat): string {
  return format === 'mermaid' ? mermaid(workflow) : dot(workflow);
}

function mermaid(workflow: Workflow): string {
  const lines = ['flowchart LR'];
  for (const job of workflow.jobs) {
    const [open, close] = job.forEach ? ['[[', ']]'] : ['[', ']'];
    lines.push(`  ${job.name}${open}"${job.name}<br/><small>${kindLabel(job)}</small>"${close}`);
  }
  const markers = [...new Set(externalMarkers(workflow).map((m) => m.marker))];
  for (const marker of markers) lines.push(`  marker_${marker}[/"${marker} marker"/]`);
  for (const job of workflow.jobs) for (const need of job.needs) lines.push(`  ${need} --> ${job.name}`);
  for (const m of externalMarkers(workflow)) lines.push(`  marker_${m.marker} -. "${formatDuration(m.timeout)}" .-> ${m.job}`);
  if (markers.length > 0) lines.push(`  classDef marker stroke-dasharray: 5 5`, `  class ${markers.map((m) => `marker_${m}`).join(',')} marker`);
  return `${lines.join('\n')}\n`;
}

function dot(workflow: Workflow): string {
  const q = (s: string): string => JSON.stringify(s);
  const lines = [`digraph ${q(workflow.name)} {`, '  rankdir=LR;', '  node [shape=box, style=rounded, fontname="Helvetica"];'];
  for (const job of workflow.jobs) lines.push(`  ${q(job.name)} [${job.forEach ? 'shape=box3d, ' : ''}label=${q(`${job.name}\n${kindLabel(job)}`)}];`);
  const markers = [...new Set(externalMarkers(workflow).map((m) => m.marker))];
  for (const marker of markers) lines.push(`  ${q(`marker:${marker}`)} [shape=note, style=dashed, label=${q(`${marker}\n(marker)`)}];`);
  for (const job of workflow.jobs) for (const need of job.needs) lines.push(`  ${q(need)} -> ${q(job.name)};`);
  for (const m of externalMarkers(workflow)) lines.push(`  ${q(`marker:${m.marker}`)} -> ${q(m.job)} [style=dashed, label=${q(`waits ≤ ${formatDuration(m.timeout)}`)}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

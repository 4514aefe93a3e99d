// `stepgraph graph <workflow> --format mermaid|dot|svg [--json]`: print the job graph. SVG is
// drawn by stepgraph itself (render/svg.ts), so no Graphviz is needed.
import { parseArgs } from 'node:util';
import { compilePaths } from '../../compile.ts';
import { hasErrors } from '../../diagnostics.ts';
import type { Workflow } from '../../model.ts';
import { renderGraph } from '../../render/graph.ts';
import { renderSvgGraph } from '../../render/svg.ts';
import { ExitCode, UserError } from '../../errors.ts';
import { requirePaths } from '../inputs.ts';
import { printJson } from '../json.ts';
import { printDiagnostics } from '../../terminal/report.ts';

export const usage = 'stepgraph graph <workflow file or name> [--format mermaid|dot|svg] [--json]';

const FORMATS = ['mermaid', 'dot', 'svg'] as const;
type Format = (typeof FORMATS)[number];

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: 'string', short: 'f', default: 'mermaid' }, json: { type: 'boolean', default: false } },
  });
  const format = values.format as Format;
  if (!FORMATS.includes(format)) {
    throw new UserError(`unknown format '${values.format}'; use ${FORMATS.join(', ')} (svg is drawn by stepgraph; for Graphviz's own layout: --format dot | dot -Tsvg)`);
  }
  if (positionals.length !== 1) throw new UserError('give exactly one workflow file or name');
  const result = compilePaths(requirePaths(positionals, 'workflow file or name'));
  if (result.sweeps.length > 0) throw new UserError(`${positionals[0]} is a sweep, not a job graph; 'stepgraph sweep launch --param-file ${result.sweeps[0].sweep.file} --dry-run' shows its plan`);
  if (hasErrors(result.diagnostics) || result.compiled.length === 0) {
    printDiagnostics(result.diagnostics, result.lineMaps, values.json);
    return ExitCode.user;
  }
  const { workflow } = result.compiled[0];
  if (values.json) printJson(graphJson(workflow));
  else process.stdout.write(format === 'svg' ? renderSvgGraph(workflow) : renderGraph(workflow, format));
  return ExitCode.ok;
}

function graphJson(workflow: Workflow): unknown {
  return {
    workflow: workflow.name,
    jobs: workflow.jobs.map((j) => ({ name: j.name, kind: j.kind.type, needs: j.needs, waitsFor: j.waitsFor.map((w) => ({ marker: w.marker, timeoutSeconds: w.timeoutSeconds, ...(w.dates?.offset && { date: w.dates.offset.text }), ...(w.dates?.partition && { partition: w.dates.partition }), ...(w.dates?.since !== undefined && { since: w.dates.since }) })) })),
  };
}

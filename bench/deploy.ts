// Part 4 of the benchmark: the deploy's limits on synthesized stacks, per size: policy characters
// of the largest role, template bytes, resources, state machines and synth time, beside the
// figures measured on main before grants and templates were shaped for size (issue 11's table).
import { compileTexts } from '../generator/compile.ts';
import { measureTemplate, overLimits, type StackFigures } from './deploy-measure.ts';
import { synthTemplate } from './deploy-synth.ts';
import { randomDag, workflowOf } from './graphs.ts';
import { workflowYaml } from './workflow-yaml.ts';

export interface DeployRecord {
  workflow: string;
  jobs: number;
  /** The workflow's stack (what `cdk deploy stepgraph-<name>` names). */
  figures: StackFigures;
  /** Its nested stacks, when it has any (past MACHINES_PER_STACK state machines). */
  nested: StackFigures[];
  synthMs: number;
  over: string[];
  /** Measured on main before this work (`npx cdk synth`), where there is such a figure. */
  before?: { rolePolicyChars: number; templateBytes: number; stateMachines: number };
}

/** The "Measured on main today" table of issue 11. */
const BEFORE: Record<string, DeployRecord['before']> = {
  'fan-62': { rolePolicyChars: 21_466, templateBytes: 149_385, stateMachines: 1 },
  'dag-120': { rolePolicyChars: 52_196, templateBytes: 476_294, stateMachines: 11 },
  'dag-1000': { rolePolicyChars: 325_600, templateBytes: 3_275_307, stateMachines: 80 },
};

/** The generated workflows: one fan-out and fan-in of 62 jobs, random DAGs with 12-hour timeouts. */
export function deployWorkflows(sizes: readonly number[]): { name: string; yaml: string }[] {
  const out: { name: string; yaml: string }[] = [];
  for (const size of sizes) {
    if (size === 62) {
      const fan = Array.from({ length: 62 }, (_, i) => (i === 0 ? [] : i === 61 ? Array.from({ length: 60 }, (_, k) => k + 1) : [0]));
      out.push({ name: 'fan-62', yaml: workflowYaml(workflowOf(fan, 1, { name: 'fan-62' })) });
    } else out.push({ name: `dag-${size}`, yaml: workflowYaml(randomDag(size, 7, { name: `dag-${size}`, timeoutSeconds: 12 * 3600 })) });
  }
  return out;
}

export function measureDeploys(sizes: readonly number[]): DeployRecord[] {
  return deployWorkflows(sizes).map(({ name, yaml }) => {
    const result = compileTexts([{ file: `${name}.yaml`, text: yaml }]);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new Error(`${name}: ${errors.map((d) => d.message).join('; ')}`);
    const compiled = result.compiled[0];
    const t0 = performance.now();
    const { template, nested } = synthTemplate(compiled);
    const synthMs = performance.now() - t0;
    const figures = measureTemplate(template);
    const nestedFigures = nested.map(measureTemplate);
    const over = [...overLimits(figures), ...nestedFigures.flatMap((f, i) => overLimits(f).map((o) => `nested ${i + 1}: ${o}`))];
    return { workflow: name, jobs: compiled.workflow.jobs.length, figures, nested: nestedFigures, synthMs, over, ...(BEFORE[name] && { before: BEFORE[name] }) };
  });
}

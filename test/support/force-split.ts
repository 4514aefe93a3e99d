// A small workflow split into parts as if it were too big for one state machine: the compiler
// splits only past Step Functions' limits (emit/fit.ts), which takes thousands of jobs. Here every
// job costs the same and each definition holds about `jobsPerMachine` of them, so the same
// splitting (plan/split.ts) and the same emission (emit/asl.ts with its parts) make a main machine
// and children out of a few jobs, to run on the local engine and compare with the whole graph.
import type { CompiledDefinition, CompiledWorkflow } from '../../generator/compile.ts';
import { partMachineName } from '../../generator/contract/run-names.ts';
import { emitWorkflow, jobContext, type Definition } from '../../generator/emit/asl.ts';
import { deployedText, measureDefinition } from '../../generator/emit/limits.ts';
import { partId } from '../../generator/emit/parts.ts';
import { splitPlan, type Split } from '../../generator/plan/split.ts';

const JOB = { bytes: 2, events: 2 };
const TASK = { bytes: 1, events: 1 };
const NONE = { bytes: 0, events: 0 };

/** The split of `compiled`'s plan with room for about `jobsPerMachine` jobs per definition. */
function forcedSplit(compiled: CompiledWorkflow, jobsPerMachine: number): Split {
  const room = { bytes: JOB.bytes * jobsPerMachine, events: JOB.events * jobsPerMachine };
  return splitPlan(compiled.plan.root, { job: () => JOB, parallel: () => NONE, partTask: TASK, overhead: NONE }, room);
}

/** `compiled` with its definitions replaced by a main machine and its parts (unchanged when nothing was split). */
export function forceSplit(compiled: CompiledWorkflow, jobsPerMachine: number): CompiledWorkflow {
  const { workflow, plan } = compiled;
  const split = forcedSplit(compiled, jobsPerMachine);
  if (split.parts.length === 0) return compiled;
  const ctx = jobContext(workflow, plan);
  const definitions = [
    definitionOf('main', workflow.name, emitWorkflow(workflow, plan, { root: split.root, parts: split.parts }, ctx)),
    ...split.parts.map((part) => definitionOf(partId(part.n), partMachineName(workflow.name, part.n), emitWorkflow(workflow, plan, { root: part.root, parts: split.parts, child: part }, ctx))),
  ];
  return { ...compiled, definitions };
}

function definitionOf(id: string, name: string, definition: Definition): CompiledDefinition {
  const deployed = deployedText(definition);
  return { id, name, definition, text: `${JSON.stringify(definition, null, 2)}\n`, deployed, measurement: measureDefinition(definition, {}, deployed) };
}

// Every kind whose job is one Task, in the order the README and the schema list them. Adding a
// kind: write its module beside this file and add it here.
import { dataPipeline } from './data-pipeline.ts';
import type { AnyKindModule } from './kind.ts';
import { lambda } from './lambda.ts';
import { sagemakerPipeline } from './sagemaker-pipeline.ts';
import { stateMachine } from './state-machine.ts';
import { task } from './task.ts';

export const TASK_KINDS: readonly AnyKindModule[] = [lambda, stateMachine, dataPipeline, sagemakerPipeline, task];

/** The kinds that can run a sweep's parameter sets (besides EC2 instances, the sweep's own). */
export const SWEEP_RUNNER_KINDS: readonly AnyKindModule[] = TASK_KINDS.filter((k) => k.sweepRunner !== undefined);

/** The module of a sweep's runner kind. */
export function runnerKind(runner: { type: string }): AnyKindModule {
  const module = SWEEP_RUNNER_KINDS.find((k) => k.type === runner.type);
  if (!module) throw new Error(`internal: '${runner.type}' is not a sweep runner kind`);
  return module;
}

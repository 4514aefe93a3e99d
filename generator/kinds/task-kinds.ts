// Every kind whose job is one Task, in the order the README and the schema list them. Adding a
// kind: write its module beside this file and add it here (the model's kind type follows).
import { athena } from './athena.ts';
import { batch } from './batch.ts';
import { dataPipeline } from './data-pipeline.ts';
import { ecs } from './ecs.ts';
import { emrServerless } from './emr-serverless.ts';
import { glue } from './glue.ts';
import type { AnyKindModule } from './kind.ts';
import { lambda } from './lambda.ts';
import { sagemakerPipeline } from './sagemaker-pipeline.ts';
import { stateMachine } from './state-machine.ts';
import { task } from './task.ts';

// `as const`: the model's JobKind is derived from this list (registry.ts), so adding a kind here is
// all its type needs.
export const TASK_KINDS = [lambda, stateMachine, glue, batch, ecs, emrServerless, athena, sagemakerPipeline, dataPipeline, task] as const satisfies readonly AnyKindModule[];

/** The kinds that can run a sweep's parameter sets (besides EC2 instances, the sweep's own). */
export const SWEEP_RUNNER_KINDS: readonly AnyKindModule[] = TASK_KINDS.filter((k: AnyKindModule) => k.sweepRunner !== undefined);

/** The module of a sweep's runner kind. */
export function runnerKind(runner: { type: string }): AnyKindModule {
  const module = SWEEP_RUNNER_KINDS.find((k) => k.type === runner.type);
  if (!module) throw new Error(`internal: '${runner.type}' is not a sweep runner kind`);
  return module;
}

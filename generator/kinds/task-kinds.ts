// Every kind whose job is one Task, in the order the README and the schema list them. Adding a
// kind: write its module beside this file and add it here (the model's kind type follows).
import { batch } from './batch.ts';
import { dataPipeline } from './data-pipeline.ts';
import { ecs } from './ecs.ts';
import type { AnyKindModule, KindModule } from './kind.ts';
import { lambda } from './lambda.ts';
import { stateMachine } from './state-machine.ts';
import { task } from './task.ts';

export const TASK_KINDS = [lambda, stateMachine, dataPipeline, task, batch, ecs] as const satisfies readonly AnyKindModule[];

/** What a module reads: `KindModule<K>` -> `K`. */
type ReadBy<M> = M extends KindModule<infer K> ? K : never;

/** A Task kind as the model holds it: whatever one of TASK_KINDS reads. */
export type TaskJobKind = ReadBy<(typeof TASK_KINDS)[number]>;

/** The kinds that can run a sweep's parameter sets (besides EC2 instances, the sweep's own). */
export const SWEEP_RUNNER_KINDS: readonly AnyKindModule[] = TASK_KINDS.filter((k: AnyKindModule) => k.sweepRunner !== undefined);

/** The module of a sweep's runner kind. */
export function runnerKind(runner: { type: string }): AnyKindModule {
  const module = SWEEP_RUNNER_KINDS.find((k) => k.type === runner.type);
  if (!module) throw new Error(`internal: '${runner.type}' is not a sweep runner kind`);
  return module;
}

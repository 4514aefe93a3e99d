// The registry of job kinds: the one list the checker, the renderer, the manifest, infra, the local
// engine, the JSON Schema and the README's kind table are derived from.
import type { DataPipelineKind } from './data-pipeline.ts';
import type { AnyKindModule, KindModule } from './kind.ts';
import type { LambdaKind } from './lambda.ts';
import type { SageMakerPipelineKind } from './sagemaker-pipeline.ts';
import type { StateMachineKind } from './state-machine.ts';
import { sweep, type SweepJobKind } from './sweep.ts';
import type { TaskKind } from './task.ts';
import { TASK_KINDS } from './task-kinds.ts';

/** A job's kind as the model holds it: the module's type and what it read. */
export type JobKind = LambdaKind | StateMachineKind | DataPipelineKind | SageMakerPipelineKind | TaskKind | SweepJobKind;

export const KINDS: readonly AnyKindModule[] = [...TASK_KINDS, sweep];

/** The YAML keys of the kinds, in registry order. */
export const KIND_TYPES: readonly string[] = KINDS.map((k) => k.type);

const byType = new Map(KINDS.map((k) => [k.type, k]));

/** The module of a kind the model holds (the checker only builds registered kinds). */
export function kindOf<K extends { type: string }>(kind: K): KindModule<K> {
  const module = byType.get(kind.type);
  if (!module) throw new Error(`internal: job kind '${kind.type}' is not registered in generator/kinds/registry.ts`);
  return module;
}

/** Kinds that write their own `.done` marker (the job does not get a marker-writing state). */
export const writesOwnMarker = (job: { kind: JobKind }): boolean => kindOf(job.kind).writesOwnMarker === true;

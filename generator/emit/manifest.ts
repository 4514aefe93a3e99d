// The manifest: everything a compiled workflow touches, so infra can grant exactly that.
import { stackName, type Workflow } from '../model.ts';
import type { Plan } from '../plan/plan.ts';
import type { Manifest, ManifestStateMachine } from './manifest-types.ts';

export type { Manifest } from './manifest-types.ts';

const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort();

export function emitManifest(workflow: Workflow, _plan: Plan, stateMachines: ManifestStateMachine[], definitionTexts: readonly string[]): Manifest {
  const kinds = workflow.jobs.map((j) => j.kind);
  const placeholders = sortedUnique(definitionTexts.flatMap((text) => [...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1])));
  const prefix = workflow.markers.prefix;
  return {
    workflow: workflow.name,
    stackName: stackName(workflow.name),
    partition: workflow.partition,
    stateMachines,
    substitutions: placeholders,
    lambdaFunctions: sortedUnique(kinds.flatMap((k) => (k.type === 'lambda' ? [k.function] : []))),
    dataPipelines: sortedUnique(kinds.flatMap((k) => (k.type === 'data_pipeline' ? [k.pipeline] : []))),
    stateMachineArns: sortedUnique(kinds.flatMap((k) => (k.type === 'state_machine' ? [k.arn] : []))),
    taskResources: workflow.jobs.flatMap((j) => (j.kind.type === 'task' ? [{ job: j.name, resource: j.kind.resource }] : [])),
    markers: {
      ...(workflow.markers.bucket !== undefined && { bucket: workflow.markers.bucket }),
      prefix,
      writes: workflow.jobs.map((j) => `${prefix}${j.name}__*.done`),
      runsPrefix: `${prefix}_runs/`,
    },
    externalMarkers: workflow.jobs.flatMap((j) =>
      j.waitsFor.map((w) => ({
        job: j.name,
        marker: w.marker,
        ...(w.bucket !== undefined && { bucket: w.bucket }),
        keyPattern: `${w.prefix}${w.marker}__*.done`,
        timeoutSeconds: w.timeoutSeconds,
      })),
    ),
    triggers: workflow.triggers,
    ...(workflow.schedule && { schedule: workflow.schedule }),
    alerts: workflow.alerts,
    jobs: workflow.jobs.map((j) => ({
      name: j.name,
      kind: j.kind.type,
      needs: j.needs,
      ...(j.estimateSeconds !== undefined && { estimateSeconds: j.estimateSeconds }),
      timeoutSeconds: j.timeoutSeconds,
    })),
  };
}

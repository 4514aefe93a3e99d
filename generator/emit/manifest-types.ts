// What a compiled state machine touches. infra grants exactly this and no more; the CLI and
// the handlers read names and keys from it instead of re-deriving them.
import type { Partition, Schedule, Trigger } from '../model.ts';

export interface ManifestStateMachine {
  /** Logical name within the workflow: 'main', or 'part-<n>' for children of a split graph. */
  id: string;
  /** The deployed state machine's name. */
  name: string;
  /** File name of the definition, beside the manifest. */
  definitionFile: string;
}

export interface Manifest {
  workflow: string;
  stackName: string;
  partition: Partition;
  /** The main state machine first, then children (graphs split for size). */
  stateMachines: ManifestStateMachine[];
  /** Placeholder names (`${Name}` in the ASL) the deployer must substitute. */
  substitutions: string[];
  lambdaFunctions: string[];
  dataPipelines: string[];
  /** Child state machines the workflow's jobs start (state_machine jobs). */
  stateMachineArns: string[];
  /** Escape-hatch Task resources, each with the job that uses it. */
  taskResources: { job: string; resource: string }[];
  markers: {
    /** undefined: the stack creates the bucket (`${MarkerBucket}` in the ASL). */
    bucket?: string;
    prefix: string;
    /** Marker keys this workflow writes, as `<prefix><job>__*.done`. */
    writes: string[];
    /** Run-scoped synchronisation prefix: `<prefix>_runs/`. */
    runsPrefix: string;
  };
  externalMarkers: { job: string; marker: string; bucket?: string; keyPattern: string; timeoutSeconds: number }[];
  triggers: Trigger[];
  schedule?: Schedule;
  alerts: { snsTopic?: string; slackWebhookSecret?: string };
  jobs: { name: string; kind: string; needs: string[]; estimateSeconds?: number; timeoutSeconds: number }[];
}

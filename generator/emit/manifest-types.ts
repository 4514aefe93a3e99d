// What a compiled state machine touches. infra grants exactly this and no more; the CLI and
// the handlers read names and keys from it instead of re-deriving them.
import type { Partition, Schedule, Trigger } from '../model.ts';
import type { SweepManifest } from '../sweep/manifest.ts';
import type { KindAccess, ReleaseEvents } from '../kinds/kind.ts';
import type { DeadlinePlan } from '../contract/deadlines.ts';

/** One kind's declaration of what it touches, and the jobs that declare exactly that. */
export interface ManifestJobAccess extends KindAccess {
  jobs: string[];
  kind: string;
}

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
  /**
   * What the jobs touch, as their kinds' modules declare it (generator/kinds/: `access`), one entry
   * per distinct declaration; a sweep job's is its runner kind's. infra grants exactly these,
   * whatever the kind.
   */
  access: ManifestJobAccess[];
  /** Jobs whose Task is a callback of the activator (data_pipeline): the stack creates it. */
  activated: string[];
  markers: {
    /** undefined: the stack creates the bucket (`${MarkerBucket}` in the ASL). */
    bucket?: string;
    prefix: string;
    /** Marker keys the state machines write (`J done`), as `<prefix><job>__*.done`; a kind that writes its own (a data pipeline) is not among them. */
    writes: string[];
    /** Marker keys the state machines read for outputs (`J reads X`, emit/marker-reads.ts): other buckets' given apart. */
    reads?: { bucket?: string; keyPattern: string }[];
  };
  /** What the workflow's waits wait for (generator/contract/waits.ts): what its router must hear of. */
  waits: ManifestWaits;
  externalMarkers: { job: string; marker: string; bucket?: string; keyPattern: string; timeoutSeconds: number }[];
  triggers: Trigger[];
  schedule?: Schedule;
  alerts: { snsTopic?: string; slackWebhookSecret?: string };
  /** The run's and the jobs' deadlines with what the deadline handler needs to judge them (emit/deadline-plan.ts). */
  deadlines?: DeadlinePlan;
  jobs: { name: string; kind: string; needs: string[]; estimateSeconds?: number; timeoutSeconds: number }[];
  /** Present when the workflow has sweep jobs: what each one's Map touches beyond the lists above. */
  sweeps?: ManifestSweepJob[];
  /** Present when for_each jobs run as Distributed Maps: where each runs its child executions. */
  forEachMaps?: { job: string; machine: string; label: string }[];
  /** Present when jobs take pool slots (contract/pools.ts): the shared pool table's partitions the router may touch. */
  pools?: { name: string; slots: number; jobs: string[] }[];
}

interface ManifestWaits {
  /**
   * Marker keys waits register on (`<prefix><marker>__*.done`): other producers' markers and data
   * pipelines' own; bucket undefined: the workflow's marker bucket. Their "Object Created" events
   * must reach the router.
   */
  markers: { bucket?: string; keyPattern: string }[];
  /** In-run synchronisation: some jobs signal others of the same run. */
  signals: boolean;
  /** The jobs that signal (others of the run wait for them): `J signals` invokes the router. */
  signalled: string[];
  /** Other events that release callback kinds' Tasks (they must reach the router). */
  events: ReleaseEvents[];
  /** Regions whose EC2 instance terminations release sweep items. */
  instanceRegions: string[];
  /** Present when a signal can say its job failed (trigger rules behind in-run waits): the router fails those waits (SendTaskFailure). */
  signalFailures?: true;
  /** The longest a run can take (worst case, seconds). */
  runSeconds: number;
  /**
   * The machines whose waits the router releases (SendTaskSuccess/Failure): every definition's, and
   * the child executions of each Distributed Map whose items wait (`<machine>/<label>`).
   */
  machines: string[];
}

/**
 * A sweep job's part of its sweep manifest (generator/sweep/manifest.ts). Its runner's functions,
 * state machines and Task resources are merged into the workflow's lists; this keeps the rest.
 */
export interface ManifestSweepJob {
  job: string;
  /** The sweep's name: the `stepgraph:sweep` tag of the instances it launches. */
  sweep: string;
  mode: SweepManifest['mode'];
  runner: SweepManifest['runner'];
  /** EC2 runner: actions, regions (cross-region: through `${SweepEc2FunctionArn}`), instance profiles, AMI parameters. */
  ec2?: NonNullable<SweepManifest['ec2']>;
  /**
   * Distributed: the items file the Map reads at every run (the stack uploads it; undefined
   * bucket: the workflow's marker bucket) and the prefix its ResultWriter writes under.
   */
  items?: { bucket?: string; key: string; resultsPrefix: string };
  /** Distributed: the definition (deployed name) that holds the job's Map, and the Map's Label. */
  map?: { machine: string; label: string };
}

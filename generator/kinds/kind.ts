// What a job kind is: one module per kind (generator/kinds/<kind>.ts), found through the registry
// (registry.ts). A module keeps together everything the kind means, in the spirit of aws-cdk's one
// class per task integration: how its YAML is read and checked, the Task it renders (for a
// workflow job and, where it can, for a sweep's parameter sets), what it touches (the grants infra
// gives), how the local engine serves it, its JSON Schema fragment and its README row. Nothing
// else in stepgraph tests a kind's name: a kind nobody registered has no grant to forget.
import type { Entry, Reader } from '../check/reader.ts';
import type { Partition } from '../model.ts';
import type { DataReference } from './data-templates.ts';

export type State = Record<string, unknown>;

export interface ReadContext {
  job: string;
  partition: Partition;
  /** Collects the data templates (`{inputs.<job>.<name>}`, `{item}`, `{index}`) met in the job's values, with their places. */
  references?: DataReference[];
}

/** What a rendered job Task starts from (fields its Payload or Input may use). */
interface TaskContext {
  workflow: string;
  job: string;
  /** The workflow's marker bucket (a placeholder when the stack creates it). */
  bucket: string;
  markerPrefix: string;
  /** The job's timeout: a callback Task's wait lasts this long. */
  timeoutSeconds: number;
  /** The job's own `params` (passed on as data). */
  params: Record<string, unknown>;
  /** The run's state holds upstream outputs (`$.outputs`): the payload hands them on as `inputs`. */
  inputs?: boolean;
  /** The job runs once per element of a list (`for_each`): `$.item` and `$.index` are its element. */
  item?: boolean;
}

interface RenderedTask {
  Resource: string;
  Parameters?: State;
}

/**
 * An IAM resource in the manifest, which is JSON and knows no account: an ARN in which
 * `${Partition}`, `${Region}` and `${Account}` stand for the stack's own and `${MarkerBucket}` for
 * the workflow's marker bucket (infra substitutes exactly these; nothing else is interpreted).
 */
type ArnTemplate = string;

export interface KindGrant {
  actions: string[];
  resources: ArnTemplate[];
  /** Required when a resource contains '*': why nothing narrower exists (it becomes the cdk-nag acknowledgement). */
  wildcardReason?: string;
  conditions?: Record<string, Record<string, string | string[]>>;
}

interface AccessContext {
  job: string;
  markerPrefix: string;
}

/** What a job of this kind touches, as the manifest lists it for infra. */
export interface KindAccess {
  /** Granted to the state machine's role. */
  grants: KindGrant[];
  /** Granted to the activator (callback kinds: the function that starts the work and registers the wait). */
  activatorGrants?: KindGrant[];
  /**
   * Granted to the router: what it reads to see whether this kind's wait is over when no event
   * came (the backstop) or to describe the end an event announced.
   */
  routerGrants?: KindGrant[];
  /** Set when a grant could not be scoped (shown at synth). */
  warning?: string;
}

/** An EventBridge pattern whose events release this kind's waits (the router must hear of them). */
export interface ReleaseEvents {
  source: string[];
  'detail-type': string[];
  detail?: Record<string, unknown>;
}

/**
 * How the local engine (simulate, run --local) serves the job's Task: `work` runs the job's work
 * (its local command, or its simulated duration) and answers with `output`, shaped as the real
 * service's answer; `activation` is a callback kind: the activator starts the work and the event
 * of its end releases the Task (local/handlers.ts plays both sides by the contract); `states`: the
 * kind renders states of its own, each served by its own local implementation (a sweep's items).
 */
type LocalService<K> =
  | {
      mode: 'work';
      output(kind: K, job: string): unknown;
      /**
       * Where a local command's result (the JSON it wrote to STEPGRAPH_RESULT) sits in the service's
       * answer, so that the job's output paths, written against the AWS result, read it there: a
       * Lambda's return value is its `Payload`. `answer` is `output`'s (kinds/local-result.ts).
       */
      result(value: unknown, answer: unknown): unknown;
    }
  /**
   * `endReportsFailure`: the event of the work's end says whether it failed (a SageMaker execution's
   * status), so a simulated failure is the work's own; without it the work's only visible failure
   * is its activation's (a data pipeline that fails just never writes its marker).
   */
  | { mode: 'activation'; endReportsFailure?: boolean }
  | { mode: 'states' };

/** A README row: what the kind runs and when the job is done. */
interface KindDoc {
  /** The YAML spelling, e.g. `glue: <job>` or `glue: { job, arguments }`. */
  spelling: string;
  runs: string;
  done: string;
}

export interface KindModule<K extends { type: string } = { type: string }> {
  /** The YAML key, also the model's `kind.type`. */
  type: K['type'];
  doc: KindDoc;
  /** The JSON Schema of the key's value (workflow.schema.json: definitions.job.properties.<type>). */
  schema: Record<string, unknown>;
  read(r: Reader, entry: Entry, ctx: ReadContext): K | undefined;
  /** The job's Task. Absent for a kind that renders states of its own (a sweep). */
  task?(kind: K, ctx: TaskContext): RenderedTask;
  access(kind: K, ctx: AccessContext): KindAccess;
  local: LocalService<K>;
  /** The kind writes the job's `.done` marker itself (no `J done` state). */
  writesOwnMarker?: boolean;
  /** The longest one run can take, when the platform limits it: Lambda's 15 minutes (`what`: "a Lambda function runs"). */
  maxRun?: { seconds: number; what: string };
  /** Events that release a callback kind's Task (the stack routes them to the router). */
  releaseEvents?: ReleaseEvents[];
  /** Kinds that can run a sweep's parameter sets: the Task of one item, whose payload is given. */
  sweepRunner?: (kind: K, item: State) => RenderedTask;
}

/**
 * A module of any kind, as the registry lists them. Each is only ever called with a kind it read
 * itself (registry.ts: kindOf), which the type system cannot follow through a list.
 */
export type AnyKindModule = KindModule<any>;

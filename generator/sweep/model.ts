// The resolved sweep: every parameter set merged (defaults, then the entry or matrix combination),
// `{param}`/`{index}` substituted, durations in seconds. Plan and emit never look at YAML.
import type { RetryPolicy } from '../model.ts';
import type { Span } from '../diagnostics.ts';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** What runs one parameter set. EC2 is spawn's (and the default); the others are as for workflow jobs. */
export type SweepRunner =
  | { type: 'ec2' }
  | { type: 'lambda'; function: string }
  | { type: 'state_machine'; arn: string }
  | { type: 'task'; resource: string; parameters: Record<string, unknown> };

export interface SweepItem {
  /** Position in the sweep: params first (file order), then the matrix combinations. */
  index: number;
  /** The entry's `name` (substituted), or `<sweep>-<index>`. */
  name: string;
  /** Every field of the parameter set, defaults merged in, `command` and `name` substituted. */
  fields: Record<string, Json>;
  /** `ttl` and `idle_timeout` in seconds (the fields keep the text as written). */
  ttlSeconds?: number;
  idleSeconds?: number;
  /** Where the parameter set was written (its `params` entry, or the `matrix` key), for diagnostics. */
  span: Span;
}

export type ToleratedFailures = { count: number } | { percent: number };

export interface Sweep {
  file: string;
  /** Also the state machine's name; the stack is `stepgraph-<name>`. */
  name: string;
  description?: string;
  runner: SweepRunner;
  /** 0: no limit (spawn launches everything at once). */
  maxConcurrent: number;
  /** 0: launch as soon as a slot is free. */
  launchDelaySeconds: number;
  toleratedFailures: ToleratedFailures;
  /** Retries of a lambda / state_machine / task runner's Task. */
  retry: RetryPolicy;
  /** Where a distributed sweep's items and results live; undefined bucket: the stack creates one. */
  markers: { bucket?: string; prefix: string };
  items: SweepItem[];
}

/** The fields spawn documents, with the type each must have. Other fields are custom parameters. */
export const KNOWN_FIELDS = {
  name: 'string',
  instance_type: 'string',
  region: 'string',
  ami: 'string',
  key_name: 'string',
  iam_role: 'string',
  ttl: 'duration',
  idle_timeout: 'duration',
  spot: 'boolean',
  user_data: 'string',
  command: 'string',
  // stepgraph additions, for accounts without a default VPC.
  subnet_id: 'string',
  security_group_ids: 'string list',
} as const;

export type KnownField = keyof typeof KNOWN_FIELDS;

export const isKnownField = (key: string): key is KnownField => Object.prototype.hasOwnProperty.call(KNOWN_FIELDS, key);

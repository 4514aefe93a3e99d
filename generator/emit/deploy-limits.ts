// The deploy's limits, measured on what the compiler emits: the stack (CloudFormation template
// size and resources), the state machine role's policy (IAM), the marker router's environment
// (Lambda), the rules' event patterns and inputs (EventBridge), and the names AWS derives from the
// workflow's. SG4003 from 80% of a limit, SG4004 past it, SG4009 for a name too long; each with
// the figure. infra shapes the stack so these figures hold (patterns instead of one grant per job,
// definitions as S3 assets past an inline budget, one log group); test/scale and the benchmark
// check them on synthesized templates.
import type { Diagnostic } from '../diagnostics.ts';
import { Codes } from '../messages.ts';
import type { Workflow } from '../model.ts';
import { markerKey, markerKeyPattern } from '../contract/markers.ts';
import { replayName } from '../contract/run-names.ts';
import { fmt, WARN_FRACTION } from './limits.ts';
import type { Manifest } from './manifest-types.ts';

export const DEPLOY_LIMITS = {
  /** CloudFormation: a template uploaded through S3 (as cdk deploy does), in bytes. */
  templateBytes: 1_000_000,
  /** CloudFormation: resources in one stack. */
  resources: 500,
  /** IAM: all inline policies of one role, characters without whitespace. */
  rolePolicyChars: 10_240,
  /** Lambda: all environment variables of a function, keys and values, in bytes. */
  lambdaEnvironmentBytes: 4096,
  /** EventBridge: one rule's event pattern, in characters (default quota). */
  eventPatternChars: 2048,
  /** EventBridge: a target's Input or InputTemplate, in characters. */
  targetInputChars: 8192,
  /** S3: an object key, in UTF-8 bytes. */
  s3KeyBytes: 1024,
} as const;

export const NAME_LIMITS = {
  /** Step Functions: state machine names and execution names. */
  stateMachine: 80,
  execution: 80,
  /** CloudFormation: stack names. */
  stack: 128,
  /** CloudWatch Logs: log group names. */
  logGroup: 512,
  /** Tag values (the stack's `stepgraph:workflow` tag). */
  tagValue: 256,
} as const;

/** Definitions up to this size may be inline in the template (infra/state-machine.ts); larger ones are S3 assets. */
export const INLINE_LIMIT = 100_000;
/**
 * Characters of definitions one stack keeps inline, in all; the rest are S3 assets. Inline, a
 * definition is JSON-escaped once more, so this takes at most about 600 KB of the 1 MB template.
 */
const INLINE_BUDGET = 300_000;
/**
 * Beyond this many state machines a workflow's stack keeps its child machines in nested stacks
 * of PARTS_PER_STACK each (infra/part-stacks.ts): `cdk deploy stepgraph-<name>` still deploys the
 * whole workflow, and no stack nears 500 resources or 200 outputs and parameters.
 */
const MACHINES_PER_STACK = 350;
export const PARTS_PER_STACK = 150;

/** Nested stacks a workflow of `machines` state machines needs (0: one stack holds them). */
export const nestedStacks = (machines: number): number => (machines <= MACHINES_PER_STACK ? 0 : Math.ceil((machines - 1) / PARTS_PER_STACK));

/** Resources per statement of a role policy beyond which infra collapses names sharing a prefix. */
export const MAX_RESOURCES_PER_STATEMENT = 24;

/** Which definitions (by index, in order) stay inline: each within INLINE_LIMIT, all within INLINE_BUDGET. */
export function inlineDefinitions(deployed: readonly string[]): boolean[] {
  let left = INLINE_BUDGET;
  return deployed.map((text) => {
    const inline = text.length <= INLINE_LIMIT && text.length <= left;
    if (inline) left -= text.length;
    return inline;
  });
}

// Estimates of what the stack adds around the definitions (measured on synthesized stacks).
/** Resources besides the state machines: role, policies, log group, bucket, triggers, alerts, handlers. */
const FIXED_RESOURCES = 45;
/** Template bytes of one state machine resource besides an inline definition. */
const MACHINE_BYTES = 1200;
/** Template bytes besides the state machines (handlers, triggers, policies, bucket). */
const FIXED_TEMPLATE_BYTES = 40_000;
/** Policy characters besides resource lists: statement scaffolding, logging and tracing grants. */
const FIXED_POLICY_CHARS = 2500;
/** An ARN around a name, with account, region and partition. */
const ARN_CHARS = 60;
/** The longest replay number a name is checked for. */
const REPLAY_DIGITS = 4;

export interface DeployFigures {
  templateBytes: number;
  resources: number;
  rolePolicyChars: number;
  lambdaEnvironmentBytes: number;
  eventPatternChars: number;
  targetInputChars: number;
  s3KeyBytes: number;
}

/** The deploy figures of a compiled workflow (estimates where the stack adds to what is emitted). */
export function deployFigures(workflow: Workflow, manifest: Manifest, deployed: readonly string[]): DeployFigures {
  const inline = inlineDefinitions(deployed);
  const inlineBytes = deployed.reduce((sum, text, i) => sum + (inline[i] ? JSON.stringify(text).length : 0), 0);
  const capped = (names: readonly string[]): number =>
    [...new Set(names)]
      .map((n) => n.length + ARN_CHARS)
      .sort((a, b) => b - a)
      .slice(0, MAX_RESOURCES_PER_STATEMENT)
      .reduce((a, b) => a + b, 0);
  const markerSets = manifest.triggers.flatMap((t) => (t.type === 'on_markers' ? [t.markers] : []));
  const markers = [...new Set(markerSets.flat())];
  const prefix = manifest.markers.prefix;
  const events = manifest.triggers.flatMap((t) => (t.type === 'event' ? [t] : []));
  const markerPattern = markers.length > 0 ? JSON.stringify({ source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: ['x'.repeat(63)] }, object: { key: markers.map((m) => ({ wildcard: markerKeyPattern(prefix, m) })) } } }).length : 0;
  const datekey = manifest.partition === 'hourly' ? 10 : 8;
  const keys = [
    ...workflow.jobs.map((j) => markerKey(prefix, j.name, '0'.repeat(datekey))),
    ...workflow.jobs.flatMap((j) => j.waitsFor.map((w) => markerKey(w.prefix, w.marker, '0'.repeat(datekey)))),
  ];
  return {
    // Nested, the parent holds the main machine and one resource per nested stack.
    templateBytes: FIXED_TEMPLATE_BYTES + MACHINE_BYTES * (nestedStacks(deployed.length) > 0 ? Math.max(1 + nestedStacks(deployed.length), PARTS_PER_STACK) : deployed.length) + inlineBytes,
    resources: FIXED_RESOURCES + (nestedStacks(deployed.length) > 0 ? 1 + nestedStacks(deployed.length) : deployed.length),
    rolePolicyChars:
      FIXED_POLICY_CHARS +
      kindPolicyChars(manifest) +
      capped(manifest.externalMarkers.map((m) => `${m.bucket ?? ''}/${m.keyPattern}`)),
    lambdaEnvironmentBytes:
      markerSets.length > 0
        ? ['WORKFLOW', manifest.workflow, 'STATE_MACHINE_ARN', 'x'.repeat(140), 'MARKER_BUCKET', 'x'.repeat(63), 'MARKER_PREFIX', prefix, 'PARTITION', manifest.partition, 'MARKER_TRIGGERS', JSON.stringify(markerSets)].reduce((n, s) => n + Buffer.byteLength(s), 0)
        : 0,
    eventPatternChars: Math.max(markerPattern, ...events.map((e) => JSON.stringify(e.pattern).length)),
    targetInputChars: Math.max(0, ...events.map((e) => JSON.stringify({ date: '<date>', params: e.params }).length)),
    s3KeyBytes: Math.max(0, ...keys.map((k) => Buffer.byteLength(k))),
  };
}

/**
 * The kinds' grants (manifest `access`) as infra merges them: one statement per set of actions,
 * each with at most MAX_RESOURCES_PER_STATEMENT resources before grant-patterns.ts collapses them.
 * An ARN template is about as long as the ARN it resolves to (`${Region}` for `eu-west-1`).
 */
function kindPolicyChars(manifest: Manifest): number {
  const byActions = new Map<string, Set<string>>();
  for (const grant of manifest.access.flatMap((a) => a.grants)) {
    const key = [...grant.actions].sort().join(',');
    const resources = byActions.get(key) ?? new Set<string>();
    grant.resources.forEach((r) => resources.add(r));
    byActions.set(key, resources);
  }
  let chars = 0;
  for (const [actions, resources] of byActions) {
    chars += actions.length + 40;
    chars += [...resources].map((r) => r.length + 8).sort((a, b) => b - a).slice(0, MAX_RESOURCES_PER_STATEMENT).reduce((a, b) => a + b, 0);
  }
  return chars;
}

const WHAT: Record<keyof DeployFigures, { what: string; unit: string; hint: string }> = {
  templateBytes: { what: "the stack's template", unit: 'bytes', hint: 'split the workflow into several workflows (one stack each), linked by on_markers triggers' },
  resources: { what: "the stack's resources", unit: 'resources', hint: 'split the workflow into several workflows (one stack each), linked by on_markers triggers' },
  rolePolicyChars: { what: "the state machine role's policy", unit: 'characters', hint: 'fewer distinct functions, child state machines or task resources, or names that share prefixes (they are granted as patterns)' },
  lambdaEnvironmentBytes: { what: "the marker router's environment", unit: 'bytes', hint: 'fewer or shorter on_markers triggers' },
  eventPatternChars: { what: 'an event rule pattern', unit: 'characters', hint: 'fewer on_markers markers or a smaller event pattern (EventBridge can raise this quota to 4,096 on request)' },
  targetInputChars: { what: "an event trigger's input", unit: 'characters', hint: "fewer or shorter 'params'" },
  s3KeyBytes: { what: 'the longest marker key', unit: 'bytes', hint: 'a shorter marker prefix or job name' },
};

/** SG4003 / SG4004 for each figure near or past its limit, SG4009 for derived names too long. */
export function deployDiagnostics(workflow: Workflow, manifest: Manifest, deployed: readonly string[]): Diagnostic[] {
  const at = { file: workflow.file, start: 0, end: 0 };
  const out: Diagnostic[] = [];
  const figures = deployFigures(workflow, manifest, deployed);
  for (const key of Object.keys(figures) as (keyof DeployFigures)[]) {
    const value = figures[key];
    const limit = DEPLOY_LIMITS[key];
    if (value < WARN_FRACTION * limit) continue;
    const { what, unit, hint } = WHAT[key];
    const over = value > limit;
    out.push({
      ...at,
      severity: over ? 'error' : 'warning',
      code: over ? Codes.deployOverLimit : Codes.deployNearLimit,
      message: `${what} is about ${fmt(value)} ${unit} (${Math.round((100 * value) / limit)}% of the ${fmt(limit)}-${unit.replace(/s$/, '')} limit)`,
      hint,
    });
  }
  for (const n of derivedNames(manifest)) {
    if (n.name.length <= n.limit) continue;
    out.push({ ...at, severity: 'error', code: Codes.nameTooLong, message: `${n.what} '${n.name}' is ${n.name.length} characters; AWS allows ${n.limit}`, hint: 'shorten the workflow name' });
  }
  return out;
}

/** The names AWS derives from the workflow's, at their longest. */
function derivedNames(manifest: Manifest): { what: string; name: string; limit: number }[] {
  const date = manifest.partition === 'hourly' ? '2019-03-12T05' : '2019-03-12';
  return [
    ...manifest.stateMachines.map((m) => ({ what: 'state machine name', name: m.name, limit: NAME_LIMITS.stateMachine })),
    { what: 'replay execution name', name: replayName(manifest.workflow, date, 10 ** REPLAY_DIGITS - 1), limit: NAME_LIMITS.execution },
    { what: 'stack name', name: manifest.stackName, limit: NAME_LIMITS.stack },
    { what: 'log group name', name: `/aws/vendedlogs/states/${manifest.stackName}`, limit: NAME_LIMITS.logGroup },
    { what: "the stack's stepgraph:workflow tag", name: manifest.workflow, limit: NAME_LIMITS.tagValue },
  ];
}

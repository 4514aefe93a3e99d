// The states of one sweep item (a Map iteration). Every iteration ends in a record:
// {index, name, status, ..., reason, failedIndex}. On an inline Map a failed item's record is
// its output (the Map never fails for one item; the sweep counts failures after it); on a
// Distributed Map the record becomes the cause of a Fail state, so the Map's own
// ToleratedFailureCount/Percentage count it.
import { TERMINATION_WAIT_SECONDS, type SweepMode, type SweepPlan } from '../sweep/plan.ts';
import { EXIT_STATUS_TAG, SLOT_ORDER, intrinsicTemplate } from '../sweep/userdata.ts';
import { paramTagKey } from '../sweep/ec2.ts';
import type { State, States } from './job.ts';
import { stateName } from './names.ts';
import { callbackWait } from './waits.ts';
import { runnerKind } from '../kinds/task-kinds.ts';
import { placeholder, SWEEP_EC2_FUNCTION as SWEEP_EC2_FUNCTION_NAME } from '../contract/placeholders.ts';

const SWEEP_ITEM_FAILED = 'stepgraph.SweepItemFailed';
/** The function a sweep that spans regions calls EC2 through (Step Functions calls AWS in its own region only). */
const SWEEP_EC2_FUNCTION = placeholder(SWEEP_EC2_FUNCTION_NAME);

export const itemNames = (p: string) => ({
  start: stateName(`${p} start`),
  delay: stateName(`${p} launch delay`),
  shape: stateName(`${p} launch shape?`),
  launch: (shape: number, shapes: number) => stateName(shapes > 1 ? `${p} launch (${shape + 1})` : `${p} launch`),
  /** The callback wait for the instance's end (its deadline: the item's ttl + grace). */
  wait: stateName(`${p} wait`),
  terminate: stateName(`${p} terminate`),
  /** The callback wait for an instance stepgraph terminated past its ttl. */
  terminated: stateName(`${p} terminated`),
  exitStatus: stateName(`${p} exit status`),
  outcome: stateName(`${p} outcome?`),
  zero: stateName(`${p} exit status zero?`),
  endReason: stateName(`${p} end reason`),
  succeeded: stateName(`${p} succeeded`),
  completed: stateName(`${p} completed`),
  failedExit: stateName(`${p} failed (exit status)`),
  failedTtl: stateName(`${p} failed (ttl)`),
  failedSilent: stateName(`${p} failed (no exit status)`),
  launchFailed: stateName(`${p} launch failed`),
  lost: stateName(`${p} lost`),
  run: stateName(`${p} run`),
  runShape: stateName(`${p} run timeout?`),
  runWith: (shape: number, shapes: number) => stateName(shapes > 1 ? `${p} run (${shape + 1})` : `${p} run`),
  runFailed: stateName(`${p} run failed`),
  failureCause: stateName(`${p} failure cause`),
  itemFailed: stateName(`${p} item failed`),
});

/** The iteration's states in the order they run; the first one is the start. */
export function itemStates(plan: SweepPlan, p: string, mode: SweepMode): { startAt: string; states: States } {
  const n = itemNames(p);
  const states: States = {};
  const ec2 = plan.ec2;
  states[n.start] = {
    Type: 'Pass',
    Parameters: {
      'sweep.$': '$.sweep',
      'execution.$': '$.execution',
      'item.$': '$.item',
      'startedAt.$': '$$.State.EnteredTime',
      ...(ec2 && { ttl: { exceeded: false } }),
    },
    Next: plan.launchDelaySeconds > 0 ? n.delay : ec2 ? firstLaunch(plan, n) : firstRun(plan, n),
  };
  if (plan.launchDelaySeconds > 0) states[n.delay] = { Type: 'Wait', SecondsPath: '$.item.delay', Next: ec2 ? firstLaunch(plan, n) : firstRun(plan, n) };
  if (ec2) Object.assign(states, ec2States(plan, n));
  else Object.assign(states, runnerStates(plan, n));
  if (mode === 'distributed') {
    states[n.failureCause] = { Type: 'Pass', Parameters: { 'cause.$': 'States.JsonToString($)' }, Next: n.itemFailed };
    states[n.itemFailed] = { Type: 'Fail', Error: SWEEP_ITEM_FAILED, CausePath: '$.cause' };
  }
  // Records of failures lead to the Fail state on a Distributed Map; everything else ends the iteration.
  const failures = new Set([n.failedExit, n.failedTtl, n.failedSilent, n.launchFailed, n.lost, n.runFailed]);
  for (const [name, state] of Object.entries(states)) {
    if (state.Type !== 'Pass' || state.Next !== undefined || name === n.failureCause) continue;
    states[name] = mode === 'distributed' && failures.has(name) ? { ...state, Next: n.failureCause } : { ...state, End: true };
  }
  return { startAt: n.start, states };
}

type Names = ReturnType<typeof itemNames>;

const firstLaunch = (plan: SweepPlan, n: Names): string => (plan.ec2!.shapes.length > 1 ? n.shape : n.launch(0, 1));
const firstRun = (plan: SweepPlan, n: Names): string => (plan.runner!.timeouts.length > 1 ? n.runShape : n.run);

/** A record: what `status` shows and what the tally counts. */
function record(status: 'SUCCEEDED' | 'FAILED', fields: State): State {
  return {
    Type: 'Pass',
    Parameters: {
      'index.$': '$.item.index',
      'name.$': '$.item.name',
      status,
      ...fields,
      'startedAt.$': '$.startedAt',
      'endedAt.$': '$$.State.EnteredTime',
      ...(status === 'FAILED' ? { 'failedIndex.$': '$.item.index' } : { failedIndex: -1 }),
    },
  };
}

// Reads are retried generously (throttling, eventual consistency right after a launch); a launch
// is retried once, which is safe because its ClientToken makes a repeated call one instance.
const READ_RETRY = [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 5, MaxAttempts: 5, BackoffRate: 2 }];
const LAUNCH_RETRY = [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 10, MaxAttempts: 1, BackoffRate: 2 }];

/** Items of different shapes (launch fields, timeouts) go to the state of their shape; shape 0 is the default. */
function shapeChoice(count: number, stateOf: (shape: number) => string): State {
  return {
    Type: 'Choice',
    Choices: Array.from({ length: count - 1 }, (_, i) => ({ Variable: '$.item.shape', NumericEquals: i + 1, Next: stateOf(i + 1) })),
    Default: stateOf(0),
  };
}

/**
 * An EC2 item: launch, then one callback wait for the instance's end, released by EC2's
 * "terminated" state-change event through the router (contract/waits.ts: an instance subject).
 * The wait's deadline is the item's own (TimeoutSecondsPath): past it (States.Timeout) the item
 * terminates the instance and waits, briefly, for that termination the same way. Nothing polls.
 */
function ec2States(plan: SweepPlan, n: Names): States {
  const ec2 = plan.ec2!;
  const call = ec2Call(ec2.crossRegion);
  const states: States = {};
  const shapes = ec2.shapes;
  if (shapes.length > 1) states[n.shape] = shapeChoice(shapes.length, (i) => n.launch(i, shapes.length));
  shapes.forEach((shape, i) => {
    states[n.launch(i, shapes.length)] = {
      ...call('runInstances', launchParameters(plan, shape), { 'id.$': '$.Instances[0].InstanceId', 'launchedAt.$': '$.Instances[0].LaunchTime' }),
      ResultPath: '$.instance',
      Retry: LAUNCH_RETRY,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: n.launchFailed }],
      Next: n.wait,
    };
  });
  const lost = { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: n.lost };
  const instanceIds = { 'InstanceIds.$': 'States.Array($.instance.id)' };
  const subject = { kind: 'instance', ...subjectRegion(plan), 'instanceId.$': '$.instance.id' };
  states[n.wait] = {
    Comment: 'Released when EC2 reports the instance terminated (the router hears the state-change event); past the item\'s deadline (ttl + grace) stepgraph terminates it',
    ...callbackWait(n.wait, subject, { path: '$.item.deadline' }),
    Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: n.terminate }, lost],
    Next: n.exitStatus,
  };
  states[n.terminate] = { ...call('terminateInstances', instanceIds, { exceeded: true }), ResultPath: '$.ttl', Retry: READ_RETRY, Catch: [lost], Next: n.terminated };
  states[n.terminated] = {
    Comment: 'Released when EC2 reports the instance it was asked to terminate terminated',
    ...callbackWait(n.terminated, subject, { seconds: TERMINATION_WAIT_SECONDS }),
    Catch: [lost],
    Next: n.exitStatus,
  };
  states[n.exitStatus] = {
    ...call('describeTags', { Filters: [{ Name: 'resource-id', 'Values.$': 'States.Array($.instance.id)' }, { Name: 'key', Values: [EXIT_STATUS_TAG] }] }, { 'tags.$': '$.Tags' }),
    ResultPath: '$.exit',
    Retry: READ_RETRY,
    Catch: [lost],
    Next: n.outcome,
  };
  states[n.outcome] = {
    Type: 'Choice',
    Choices: [
      { Variable: '$.exit.tags[0].Value', IsPresent: true, Next: n.zero },
      { Variable: '$.ttl.exceeded', BooleanEquals: true, Next: n.failedTtl },
      { Variable: '$.item.reportsExit', BooleanEquals: true, Next: n.endReason },
    ],
    Default: n.completed,
  };
  states[n.zero] = { Type: 'Choice', Choices: [{ Variable: '$.exit.tags[0].Value', StringEquals: '0', Next: n.succeeded }], Default: n.failedExit };
  // Only an instance that should have reported and did not: EC2's own word on why it ended (a spot interruption, say).
  states[n.endReason] = {
    ...call('describeInstances', instanceIds, { 'reason.$': '$.Reservations[0].Instances[0].StateTransitionReason' }),
    ResultPath: '$.observed',
    Retry: READ_RETRY,
    Catch: [lost],
    Next: n.failedSilent,
  };
  const instance = { 'instanceId.$': '$.instance.id', 'launchedAt.$': '$.instance.launchedAt', state: 'terminated' };
  states[n.succeeded] = record('SUCCEEDED', { ...instance, 'exitStatus.$': '$.exit.tags[0].Value', reason: null });
  states[n.completed] = record('SUCCEEDED', { ...instance, exitStatus: null, reason: null });
  states[n.failedExit] = record('FAILED', { ...instance, 'exitStatus.$': '$.exit.tags[0].Value', 'reason.$': "States.Format('the command exited with status {}', $.exit.tags[0].Value)" });
  states[n.failedTtl] = record('FAILED', { ...instance, exitStatus: null, 'reason.$': "States.Format('it outlived its ttl and stepgraph terminated it ({} seconds after its launch)', $.item.deadline)" });
  states[n.failedSilent] = record('FAILED', { ...instance, exitStatus: null, 'reason.$': "States.Format('the instance ended without recording an exit status ({})', $.observed.reason)" });
  states[n.launchFailed] = record('FAILED', { instanceId: null, launchedAt: null, state: null, exitStatus: null, 'reason.$': "States.Format('launch failed: {}: {}', $.error.Error, $.error.Cause)" });
  states[n.lost] = record('FAILED', { 'instanceId.$': '$.instance.id', 'launchedAt.$': '$.instance.launchedAt', state: null, exitStatus: null, 'reason.$': "States.Format('lost track of the instance: {}: {}', $.error.Error, $.error.Cause)" });
  return states;
}

/**
 * The region of an item's instance subject: the item's own when the sweep spans regions, the one
 * region all items name, or (items that name none run where the stack is) the region of the
 * execution itself, read from its ARN (`arn:aws:states:<region>:...`).
 */
function subjectRegion(plan: SweepPlan): Record<string, string> {
  const ec2 = plan.ec2!;
  if (ec2.crossRegion) return { 'region.$': '$.item.region' };
  if (ec2.regions.length === 1) return { region: ec2.regions[0] };
  return { 'region.$': EXECUTION_REGION };
}

/** The execution's region, from its ARN. */
export const EXECUTION_REGION = "States.ArrayGetItem(States.StringSplit($$.Execution.Id, ':'), 3)";

/** The RunInstances request of one launch shape: constants here, per-item values from the item. */
function launchParameters(plan: SweepPlan, shape: readonly string[]): State {
  const ec2 = plan.ec2!;
  const fromItem = (field: string): State => ({ [`${field}.$`]: `$.item.launch.${field}` });
  const args = SLOT_ORDER.map((slot) => ({ ENV: '$.item.env', EXECUTION: '$.execution', USER_DATA: '$.item.userData', COMMAND: '$.item.command' })[slot]);
  return {
    ...fromItem('ImageId'),
    ...fromItem('InstanceType'),
    ...Object.assign({}, ...shape.map(fromItem)),
    MinCount: 1,
    MaxCount: 1,
    InstanceInitiatedShutdownBehavior: 'terminate',
    MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
    // One instance per attempt of this state: the same token through the state's own Retry (its
    // entry time stays), a new one when a redrive re-enters it or a resume runs the item again.
    // A SHA-1 in hex is 40 characters; EC2 takes 64.
    'ClientToken.$': "States.Hash(States.Format('{}/{}/{}', $.execution, $.item.index, $$.State.EnteredTime), 'SHA-1')",
    'UserData.$': `States.Base64Encode(States.Format('${intrinsicTemplate()}', ${args.join(', ')}))`,
    TagSpecifications: [
      {
        ResourceType: 'instance',
        Tags: [
          { Key: 'Name', 'Value.$': '$.item.name' },
          { Key: 'stepgraph:sweep', 'Value.$': '$.sweep' },
          { Key: 'stepgraph:execution', 'Value.$': '$.execution' },
          { Key: 'stepgraph:index', 'Value.$': "States.Format('{}', $.item.index)" },
          ...ec2.paramTags.map((key, i) => ({ Key: paramTagKey(key), 'Value.$': `$.item.tags[${i}]` })),
        ],
      },
    ],
  };
}

/**
 * An EC2 API call: a direct AWS SDK integration, or, when the sweep spans regions, the same call
 * through the cross-region function (input {region, action, input}, output the API's response).
 */
function ec2Call(crossRegion: boolean) {
  return (action: string, parameters: State, selector: State): State => {
    if (!crossRegion) return { Type: 'Task', Resource: `arn:aws:states:::aws-sdk:ec2:${action}`, Parameters: parameters, ResultSelector: selector };
    const viaPayload = Object.fromEntries(
      Object.entries(selector).map(([k, v]) => [k, typeof v === 'string' && k.endsWith('.$') ? v.replace(/^\$/, '$.Payload') : v]),
    );
    return {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: SWEEP_EC2_FUNCTION, Payload: { 'region.$': '$.item.region', action, input: parameters } },
      ResultSelector: viaPayload,
    };
  };
}

/** Runner kinds (lambda, state_machine, task, ...): one Task per item, as the kind's module renders it. */
function runnerStates(plan: SweepPlan, n: Names): States {
  const runner = plan.sweep.runner;
  const payload = { 'sweep.$': '$.sweep', 'execution.$': '$.execution', 'index.$': '$.item.index', 'name.$': '$.item.name', 'params.$': '$.item.params' };
  if (runner.type === 'ec2') throw new Error(`internal: sweep '${plan.sweep.name}' runs on EC2, not a runner kind`);
  const target: State = { ...runnerKind(runner).sweepRunner!(runner, payload) };
  const retry = plan.sweep.retry;
  const timeouts = plan.runner!.timeouts;
  const states: States = {};
  if (timeouts.length > 1) states[n.runShape] = shapeChoice(timeouts.length, (i) => n.runWith(i, timeouts.length));
  timeouts.forEach((timeout, i) => {
    states[n.runWith(i, timeouts.length)] = {
      Type: 'Task',
      ...target,
      ...(timeout !== undefined && { TimeoutSeconds: timeout }),
      ResultPath: null,
      ...(retry.attempts > 0 && { Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: retry.intervalSeconds, BackoffRate: retry.backoff, MaxAttempts: retry.attempts }] }),
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: n.runFailed }],
      Next: n.succeeded,
    };
  });
  return {
    ...states,
    [n.succeeded]: record('SUCCEEDED', { reason: null }),
    [n.runFailed]: record('FAILED', { 'reason.$': "States.Format('{}: {}', $.error.Error, $.error.Cause)" }),
  };
}

// Sweeps under the reactive runtime (generator/contract/waits.ts): no emitted sweep polls (no
// state-graph cycle, no Wait but the launch delay), an EC2 item's end is one callback wait on its
// instance released by the router, its ttl is that wait's deadline, a relaunch gets a new
// ClientToken, the manifest says which regions' EC2 events the router must hear, and the local
// EC2 model tells the local engine of every termination.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXECUTION_REGION } from '../../generator/emit/sweep-item.ts';
import { compileSweepFile, type CompiledSweep } from '../../generator/sweep/compile.ts';
import { FakeEc2, InstanceEvents, LOCAL_REGION, localDefinition } from '../../generator/sweep/local.ts';
import { LocalInstanceWaits } from '../../generator/sweep/local-waits.ts';
import { STACK_REGION } from '../../generator/sweep/manifest.ts';
import { NO_TTL_DEADLINE_SECONDS, TERMINATION_WAIT_SECONDS } from '../../generator/sweep/plan.ts';
import { compiled, ec2Sweep } from './support.ts';

type State = Record<string, unknown> & { Type: string };
type States = Record<string, State>;

const files = [
  ...readdirSync('workflows/sweeps').map((f) => join('workflows/sweeps', f)),
  ...readdirSync('test/fixtures').filter((d) => d.startsWith('sweep-') && existsSync(join('test/fixtures', d, 'input.yaml'))).map((d) => join('test/fixtures', d, 'input.yaml')),
].sort();

/** Every state graph of a definition: the machine's and each Map's item processor. */
function graphs(states: States): States[] {
  const out = [states];
  for (const s of Object.values(states)) {
    const processor = s.ItemProcessor as { States: States } | undefined;
    if (processor) out.push(...graphs(processor.States));
    for (const b of (s.Branches as { States: States }[] | undefined) ?? []) out.push(...graphs(b.States));
  }
  return out;
}

const successors = (s: State): string[] => [
  ...(typeof s.Next === 'string' ? [s.Next] : []),
  ...(typeof s.Default === 'string' ? [s.Default] : []),
  ...((s.Choices as { Next: string }[] | undefined) ?? []).map((c) => c.Next),
  ...((s.Catch as { Next: string }[] | undefined) ?? []).map((c) => c.Next),
];

/** A cycle in the state graph, as the names on it; undefined when there is none. */
function cycle(states: States): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'open') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'open');
    path.push(name);
    for (const next of successors(states[name])) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(states)) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}

const processorOf = (c: CompiledSweep): States => (c.definition.States[c.sweep.name] as unknown as { ItemProcessor: { States: States } }).ItemProcessor.States;

describe.each(files)('%s', (file) => {
  const c = compileSweepFile(file).compiled!;

  it('never polls: no state-graph cycle, no Wait state but the launch delay, no Retry that looks for something', () => {
    for (const states of graphs(c.definition.States as unknown as States)) {
      expect(cycle(states)).toBeUndefined();
      for (const [name, s] of Object.entries(states)) {
        if (s.Type === 'Wait') expect(name).toBe(`${c.sweep.name} launch delay`);
        const retried = ((s.Retry as { ErrorEquals: string[] }[] | undefined) ?? []).flatMap((r) => r.ErrorEquals);
        expect(retried).not.toContain('S3.NoSuchKeyException');
        // The one DescribeInstances left reads why a silent instance ended, once, after its end.
        if (String(s.Resource).endsWith(':ec2:describeInstances')) expect(name).toBe(`${c.sweep.name} end reason`);
      }
    }
  });

  it('fails where it fails: no Catch on the Map into a Fail state', () => {
    expect(c.definition.States[c.sweep.name]).not.toHaveProperty('Catch');
  });
});

describe('an EC2 item waits for its instance with one callback', () => {
  const c = compiled(ec2Sweep(3, { max_concurrent: 2 }, { region: 'eu-west-1' }));
  const states = processorOf(c);

  it("registers its task token for the instance with the router, its deadline the item's own (ttl + grace)", () => {
    expect(states['demo wait']).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: '${RouterFunctionArn}',
        Payload: { action: 'wait', subject: { kind: 'instance', region: 'eu-west-1', 'instanceId.$': '$.instance.id' }, 'token.$': '$$.Task.Token', state: 'demo wait', 'timeoutSeconds.$': '$.item.deadline' },
      },
      TimeoutSecondsPath: '$.item.deadline',
      Next: 'demo exit status',
    });
    expect(c.plan.items.map((i) => i.deadline)).toEqual([900, 900, 900]);
    expect(states['demo launch'].Next).toBe('demo wait');
  });

  it('past its deadline terminates the instance, waits briefly for that termination the same way, then records the ttl failure', () => {
    expect(states['demo wait'].Catch).toEqual([
      { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'demo terminate' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'demo lost' },
    ]);
    expect(states['demo terminate'].Next).toBe('demo terminated');
    expect(states['demo terminated']).toMatchObject({ Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', TimeoutSeconds: TERMINATION_WAIT_SECONDS, Next: 'demo exit status' });
    expect(TERMINATION_WAIT_SECONDS).toBe(600);
    expect((states['demo outcome?'].Choices as { Next: string }[]).map((ch) => ch.Next)).toContain('demo failed (ttl)');
  });

  it('gives an item without a ttl a deadline too, within what Step Functions accepts', () => {
    const forever = compiled({ name: 'forever', defaults: { instance_type: 't3.micro' }, params: [{ x: 1 }] });
    expect(forever.plan.items[0].deadline).toBe(NO_TTL_DEADLINE_SECONDS);
    expect(NO_TTL_DEADLINE_SECONDS).toBeLessThanOrEqual(99_999_999);
  });

  it('launches with a ClientToken that a Retry of the launch keeps and a redrive or a new run changes', () => {
    const token = (states['demo launch'].Parameters as Record<string, string>)['ClientToken.$'];
    expect(token).toBe("States.Hash(States.Format('{}/{}/{}', $.execution, $.item.index, $$.State.EnteredTime), 'SHA-1')");
    // SHA-1 in hex: 40 characters, of the 64 EC2 takes.
    expect(createHash('sha1').update(`demo-20260101-000000/2/${new Date().toISOString()}`).digest('hex')).toHaveLength(40);
  });

  it('names the region of its instance: the item\'s own across regions, the execution\'s when items name none', () => {
    const multi = compileSweepFile('workflows/sweeps/multi-region.json').compiled!;
    expect((processorOf(multi)['multi-region wait'].Parameters as { Payload: { subject: object } }).Payload.subject).toEqual({ kind: 'instance', 'region.$': '$.item.region', 'instanceId.$': '$.instance.id' });
    expect(multi.plan.items.every((i) => typeof i.region === 'string')).toBe(true);
    const here = compiled(ec2Sweep(2));
    expect((processorOf(here)['demo wait'].Parameters as { Payload: { subject: object } }).Payload.subject).toEqual({ kind: 'instance', 'region.$': EXECUTION_REGION, 'instanceId.$': '$.instance.id' });
  });
});

describe('the sweep manifest', () => {
  it('lists the regions whose instance terminations release items, and the router placeholder', () => {
    expect(compiled(ec2Sweep(2, {}, { region: 'eu-west-1' })).manifest).toMatchObject({ substitutions: ['RouterFunctionArn'], waits: { instanceRegions: ['eu-west-1'] } });
    const sweep = compiled(ec2Sweep(2)).manifest;
    expect(sweep.waits).toEqual({ instanceRegions: [STACK_REGION], machines: [sweep.sweep] });
    expect(compiled({ name: 'fns', lambda: 'f', params: [{ a: 1 }] }).manifest).toMatchObject({ substitutions: [], waits: { instanceRegions: [] } });
  });
});

describe('the local EC2 model', () => {
  const launch = (ec2: FakeEc2, index: number, token?: string, region?: string) =>
    (ec2.runInstances({ UserData: '', ...(token && { ClientToken: token }), TagSpecifications: [{ Tags: [{ Key: 'stepgraph:index', Value: String(index) }] }] }, region) as { Instances: { InstanceId: string }[] }).Instances[0].InstanceId;

  it('tells its listeners once when an instance ends on the clock or is terminated, and answers the probe', async () => {
    const events = new InstanceEvents();
    const heard: string[] = [];
    events.onTerminated((region, id) => heard.push(`${region}/${id}`));
    const ec2 = new FakeEc2((i) => ({ runSeconds: i === 0 ? 0 : 3600 }), { events });
    const a = launch(ec2, 0);
    const b = launch(ec2, 1, undefined, 'eu-west-1');
    expect(events.satisfied({ region: LOCAL_REGION, instanceId: a })).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(heard).toEqual([`${LOCAL_REGION}/${a}`]);
    expect(ec2.satisfied({ region: LOCAL_REGION, instanceId: a })).toBe(true);
    ec2.terminateInstances({ InstanceIds: [b] });
    ec2.terminateInstances({ InstanceIds: [b] });
    expect(heard).toEqual([`${LOCAL_REGION}/${a}`, `eu-west-1/${b}`]);
    expect(events.satisfied({ region: 'eu-west-1', instanceId: b })).toBe(true);
    expect(events.satisfied({ region: LOCAL_REGION, instanceId: b })).toBe(false);
  });

  it('keeps EC2\'s idempotency: the same ClientToken is the same instance, a new one (a relaunch) a new instance', () => {
    const ec2 = new FakeEc2(() => ({ runSeconds: 3600 }));
    const first = launch(ec2, 4, 'token-1');
    expect(launch(ec2, 4, 'token-1')).toBe(first);
    expect(launch(ec2, 4, 'token-2')).not.toBe(first);
    expect(ec2.launchesByIndex.get(4)).toBe(2);
    for (const id of ec2.instances.keys()) ec2.terminateInstances({ InstanceIds: [id] });
  });

  it('releases a wait registered after the instance ended at once, and one registered before when it ends (race-free by the contract)', async () => {
    const ec2 = new FakeEc2(() => ({ runSeconds: 3600 }));
    const waits = new LocalInstanceWaits(ec2.events);
    const wait = (instanceId: string, state: string) =>
      waits.handler({ FunctionName: '${RouterFunctionArn}', Payload: { action: 'wait', subject: { kind: 'instance', region: LOCAL_REGION, instanceId }, token: `t-${instanceId}-${state}`, execution: 'arn:x', state, timeoutSeconds: 60 } });
    const early = launch(ec2, 0);
    const before = wait(early, 'demo wait');
    expect(waits.store.size).toBe(1);
    ec2.terminateInstances({ InstanceIds: [early] });
    await expect(before).resolves.toEqual({ StatusCode: 200 });
    const late = launch(ec2, 1);
    ec2.terminateInstances({ InstanceIds: [late] });
    await expect(wait(late, 'demo terminated')).resolves.toEqual({ StatusCode: 200 });
    expect(waits.store.size).toBe(0);
  });

  it('fails a wait past its deadline with States.Timeout and forgets its waiter', async () => {
    const ec2 = new FakeEc2(() => ({ runSeconds: 3600 }));
    const waits = new LocalInstanceWaits(ec2.events);
    const id = launch(ec2, 0);
    const pending = waits.handler({ Payload: { action: 'wait', subject: { kind: 'instance', region: LOCAL_REGION, instanceId: id }, token: 't', execution: 'arn:x', state: 'demo wait', timeoutSeconds: 0.001 } });
    await expect(pending).rejects.toMatchObject({ name: 'States.Timeout' });
    expect(waits.store.size).toBe(0);
    ec2.terminateInstances({ InstanceIds: [id] });
  });

  it('runs the definition the engine can time: the item wait keeps its deadline in its request, not a TimeoutSecondsPath', () => {
    const c = compiled(ec2Sweep(2));
    const wait = (localDefinition(c.plan).States.demo as unknown as { ItemProcessor: { States: States } }).ItemProcessor.States['demo wait'];
    expect(wait).not.toHaveProperty('TimeoutSecondsPath');
    expect((wait.Parameters as { Payload: Record<string, unknown> }).Payload['timeoutSeconds.$']).toBe('$.item.deadline');
  });
});

// Subjects that end either way (a pipeline execution): the contract records the outcome before it
// reads the waiters, releases them with success or failure, and a registration or the backstop
// that finds the outcome (recorded, or asked of the service) releases the same way.
import { describe, expect, it } from 'vitest';
import { MemoryWaiterStore } from '../../generator/contract/memory-waiter-store.ts';
import { backstop, registerWait, settle, type SubjectOutcome, type WaitDeps, type WaitRequest } from '../../generator/contract/waits.ts';

const ARN = 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/p/execution/abc';
const subject = { kind: 'pipeline_execution' as const, arn: ARN };
const FAILED: SubjectOutcome = { ok: false, error: 'SageMaker.PipelineExecutionFailed', cause: 'step Train failed' };

function harness(described?: SubjectOutcome) {
  const calls: string[] = [];
  const store = new MemoryWaiterStore();
  const logged = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? (...args: unknown[]) => (calls.push(String(name)), value.apply(target, args)) : value;
    },
  });
  const deps: WaitDeps = {
    store: logged,
    probe: { satisfied: async () => false, outcome: async () => (calls.push('describe'), described) },
    releaser: {
      release: async (token) => (calls.push(`success ${token}`), 'released'),
      fail: async (token, error, cause) => (calls.push(`failure ${token} ${error} ${cause}`), 'released'),
    },
    now: () => 1_000_000,
  };
  return { calls, store, deps };
}

const waitOn = (token: string, state = token): WaitRequest => ({ action: 'wait', subject, token, execution: 'arn:aws:states:eu-west-1:1:execution:w:w-2019-03-12', state, timeoutSeconds: 3600 });

describe('settled subjects', () => {
  it('an end is recorded before the waiters are read, then each waiter gets it', async () => {
    const { calls, deps } = harness();
    await registerWait(waitOn('t1'), deps);
    await registerWait(waitOn('t2'), deps);
    calls.length = 0;

    expect(await settle(subject, FAILED, deps)).toBe(2);

    expect(calls.slice(0, 2)).toEqual(['settle', 'waitersOf']);
    expect(calls.filter((c) => c.startsWith('failure'))).toEqual(['failure t1 SageMaker.PipelineExecutionFailed step Train failed', 'failure t2 SageMaker.PipelineExecutionFailed step Train failed']);
    expect(calls.some((c) => c.startsWith('success'))).toBe(false);
  });

  it('a waiter registering after the end finds the record first, and the service is not asked', async () => {
    const { calls, deps, store } = harness();
    await settle(subject, { ok: true }, deps);
    calls.length = 0;

    expect(await registerWait(waitOn('late'), deps)).toBe('released');

    expect(calls).toEqual(['put', 'settled', 'success late', 'delete']);
    expect(store.size).toBe(0);
  });

  it('without a record, registration asks the service: running stays registered, ended is released', async () => {
    const running = harness(undefined);
    expect(await registerWait(waitOn('t'), running.deps)).toBe('registered');
    expect(running.calls).toEqual(['put', 'settled', 'describe']);

    const failed = harness(FAILED);
    expect(await registerWait(waitOn('t'), failed.deps)).toBe('released');
    expect(failed.calls).toContain('failure t SageMaker.PipelineExecutionFailed step Train failed');
  });

  it('the backstop fails a waiter whose execution failed without an event', async () => {
    const { calls, deps, store } = harness(undefined);
    await registerWait(waitOn('t'), deps);
    deps.probe.outcome = async () => FAILED;

    expect(await backstop(deps)).toEqual({ released: 1, expired: 0, open: 0 });
    expect(calls).toContain('failure t SageMaker.PipelineExecutionFailed step Train failed');
    expect(store.size).toBe(0);
  });

  it('a releaser that cannot fail a task is an internal error, never a silent success', async () => {
    const { deps } = harness();
    await registerWait(waitOn('t'), deps);
    delete deps.releaser.fail;
    await expect(settle(subject, FAILED, deps)).rejects.toThrow('cannot fail a task');
  });
});

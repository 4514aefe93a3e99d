// A job of the run that ended failed (its failure handed on to a run_if job, or not run because a
// need failed) signals failure: the waits for it fail with stepgraph.NeedFailed, whether they were
// registered before the signal or after it, so a trigger rule behind an in-run wait sees it.
import { describe, expect, it } from 'vitest';
import { MemoryWaiterStore } from '../../generator/contract/memory-waiter-store.ts';
import { NEED_FAILED, parseRouterRequest, registerWait, signal, type WaitDeps, type WaitRequest } from '../../generator/contract/waits.ts';

const RUN = 'arn:aws:states:eu-west-1:1:execution:w:w-2019-03-12';

function harness() {
  const calls: string[] = [];
  const deps: WaitDeps = {
    store: new MemoryWaiterStore(),
    probe: { satisfied: async () => false },
    releaser: {
      release: async (token) => (calls.push(`success ${token}`), 'released'),
      fail: async (token, error) => (calls.push(`failure ${token} ${error}`), 'released'),
    },
    now: () => 1_000_000,
  };
  return { calls, deps };
}

const waitFor = (job: string, token: string): WaitRequest => ({ action: 'wait', subject: { kind: 'signal', run: RUN, job }, token, execution: RUN, state: `k waits for ${job}`, timeoutSeconds: 3600 });

describe('a failed signal', () => {
  it('fails the waits registered before it and after it; a plain signal releases', async () => {
    const { calls, deps } = harness();
    await registerWait(waitFor('u', 'early'), deps);
    expect(await signal({ action: 'signal', run: RUN, job: 'u', keepSeconds: 60, failed: true }, deps)).toBe(1);
    expect(await registerWait(waitFor('u', 'late'), deps)).toBe('released');
    await registerWait(waitFor('v', 'other'), deps);
    await signal({ action: 'signal', run: RUN, job: 'v', keepSeconds: 60 }, deps);
    expect(calls).toEqual([`failure early ${NEED_FAILED}`, `failure late ${NEED_FAILED}`, 'success other']);
  });

  it('is read from the router payload only when failed is exactly true', () => {
    expect(parseRouterRequest({ action: 'signal', run: RUN, job: 'u', keepSeconds: 5, failed: true })).toEqual({ action: 'signal', run: RUN, job: 'u', keepSeconds: 5, failed: true });
    expect(parseRouterRequest({ action: 'signal', run: RUN, job: 'u', keepSeconds: 5, failed: 'yes' })).toEqual({ action: 'signal', run: RUN, job: 'u', keepSeconds: 5 });
  });
});

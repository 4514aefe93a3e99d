// The router's part, in memory, for a sweep run on the embedded engine (`simulate <sweep>`, the
// sweep's local tests): each callback wait of an item registers through the contract's own
// registerWait, the in-memory EC2's terminations come in as subject events, and a release
// resolves the waiting Task. The logic is generator/contract/waits.ts; only the ports are here.
// (Inside a workflow, the local engine's own router serves these waits; see sweep/local.ts.)
import { MemoryWaiterStore } from '../contract/memory-waiter-store.ts';
import { parseRouterRequest, registerWait, subjectEvent, subjectId, waiterId, type Releaser, type SubjectProbe, type WaitDeps } from '../contract/waits.ts';

type Handler = (input: unknown) => Promise<unknown>;

/** What releases instance waits: whether an instance has terminated, and news when one does. */
export interface InstanceSource {
  satisfied(subject: { region: string; instanceId: string }): boolean;
  onTerminated(listener: (region: string, instanceId: string) => void): void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

const timedOut = (state: string, seconds: number): Error =>
  Object.assign(new Error(`the wait '${state}' was not released within its ${seconds}s deadline`), { name: 'States.Timeout' });

/**
 * Serves the item's wait states: `handler` is the Task's local implementation (its input is the
 * Task's Parameters, `{FunctionName, Payload: WaitRequest}`). The wait's own deadline is enforced
 * here from the request's timeoutSeconds, on whatever clock runs, as States.Timeout.
 */
export class LocalInstanceWaits {
  readonly store = new MemoryWaiterStore();
  private readonly pending = new Map<string, { resolve: () => void; timer?: ReturnType<typeof setTimeout> }>();
  readonly deps: WaitDeps;

  constructor(instances: InstanceSource) {
    const probe: SubjectProbe = { satisfied: async (s) => s.kind === 'instance' && instances.satisfied(s) };
    const releaser: Releaser = {
      release: async (token) => {
        const waiting = this.pending.get(token);
        if (!waiting) return 'gone';
        this.pending.delete(token);
        if (waiting.timer) clearTimeout(waiting.timer);
        waiting.resolve();
        return 'released';
      },
    };
    this.deps = { store: this.store, probe, releaser, now: () => Date.now() };
    instances.onTerminated((region, instanceId) => void subjectEvent({ kind: 'instance', region, instanceId }, this.deps));
  }

  readonly handler: Handler = async (input) => {
    const request = parseRouterRequest((input as { Payload?: unknown }).Payload);
    if (request?.action !== 'wait') throw Object.assign(new Error('a wait Task sent no wait request'), { name: 'States.Runtime' });
    const released = new Promise<void>((resolve, reject) => {
      // Node fires a timer longer than 2^31-1 ms at once: such a deadline (24.8 days and more) is none here.
      const ms = request.timeoutSeconds * 1000;
      const timer =
        ms <= MAX_TIMER_MS
          ? setTimeout(() => {
              this.pending.delete(request.token);
              void this.store.delete(subjectId(request.subject), waiterId(request));
              reject(timedOut(request.state, request.timeoutSeconds));
            }, ms)
          : undefined;
      this.pending.set(request.token, { resolve, timer });
    });
    await registerWait(request, this.deps);
    await released;
    return { StatusCode: 200 };
  };
}

/** `$$.Task.Token` for the engine's context: a new token at every read (one per Task entered). */
export function taskTokens(): { readonly Token: string } {
  let next = 0;
  return {
    get Token() {
      return `local-task-token-${++next}`;
    },
  };
}

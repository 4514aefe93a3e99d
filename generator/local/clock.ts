// The virtual clock of `simulate`. The engine measures Wait states, retry pauses and Task
// timeouts with setTimeout and reads Date; both are faked here, and virtual time jumps to the
// next timer whenever all work is waiting on one, so hours of a nightly chain pass in
// milliseconds. Between two jumps the driver lets every promise chain settle (a setImmediate
// runs only after the microtask queue is empty) and waits for tracked I/O, such as a marker
// store on disk, so time never jumps while something could still react at the current instant.
import FakeTimers from '@sinonjs/fake-timers';

export interface VirtualClock {
  /** Keeps time still until `work` settles (for I/O that is not a timer or a promise chain). */
  track<T>(work: Promise<T>): Promise<T>;
}

/** Turns of the event loop without a timer before a run counts as stalled (work may itself yield a turn). */
const STALL_TURNS = 100;

const FAKED = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] as const;

// The clock is process-wide (it replaces globals), so simulations run one after another.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `body` on a virtual clock that starts at `startMs` (epoch milliseconds) and returns what
 * it returns. The fakes are installed only while `body` runs and removed even when it throws.
 */
export function withVirtualClock<T>(startMs: number, body: (clock: VirtualClock) => Promise<T>): Promise<T> {
  const run = queue.then(() => drive(startMs, body));
  queue = run.catch(() => undefined);
  return run;
}

async function drive<T>(startMs: number, body: (clock: VirtualClock) => Promise<T>): Promise<T> {
  const fake = FakeTimers.withGlobal(globalThis).install({ toFake: [...FAKED], now: startMs });
  // The engine's JSONPath library returns every scalar by throwing an Error (its "NewError"), and
  // capturing a stack for each was most of a large sweep's simulation: while the clock runs,
  // errors carry no stack (the simulation reports states' errors by name and message).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let busy = 0;
  const clock: VirtualClock = {
    track: (work) => {
      busy++;
      return work.finally(() => busy--);
    },
  };
  try {
    let settled = false;
    const result = body(clock);
    result.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let idle = 0; ; ) {
      do await nextTurn();
      while (busy > 0);
      if (settled) break;
      if (fake.countTimers() > 0) {
        idle = 0;
        fake.next();
      } else if (++idle > STALL_TURNS) {
        throw new Error('the simulation stalled: nothing runs and no timer is pending');
      }
    }
    return await result;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    fake.uninstall();
  }
}

/** setImmediate is not faked: it fires after every pending promise reaction has run. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A pause on whatever clock is installed: virtual under simulate, real otherwise. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

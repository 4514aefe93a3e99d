// The embedded engine behaves as Step Functions does where the emitted definitions depend on it
// (each case fails on aws-local-stepfunctions without the corrections in engine.ts).
import { describe, expect, it } from 'vitest';
import { sleep, withVirtualClock } from '../../generator/local/clock.ts';
import { StateMachine, type EventLog, type ExecutionKind, type JsonValue, type RunOptions } from '../../generator/local/engine.ts';

const pass = (next?: string) => ({ Type: 'Pass', ...(next ? { Next: next } : { End: true }) });
const task = (next?: string) => ({ Type: 'Task', Resource: 'arn:aws:lambda:eu-west-1:123456789012:function:f', ...(next ? { Next: next } : { End: true }) });

async function run(definition: object, input: JsonValue, options: RunOptions = {}): Promise<JsonValue> {
  return new StateMachine(definition as never).run(input, options).result;
}

describe('the embedded engine', () => {
  it('has Promise.withResolvers on Node 20', () => {
    expect(typeof (Promise as unknown as { withResolvers: unknown }).withResolvers).toBe('function');
  });

  it("reads escapes in intrinsic string literals and keeps the data's backslashes", async () => {
    const definition = {
      StartAt: 'Format',
      States: { Format: { Type: 'Pass', Parameters: { 'text.$': "States.Format('it\\'s \\{{}\\} {}', $.path, States.Base64Decode('XA=='))" }, End: true } },
    };
    expect(await run(definition, { path: 'C:\\data' })).toEqual({ text: "it's {C:\\data} \\" });
  });

  it('matches a type test with false when the test fails (IsPresent: false on a missing path)', async () => {
    const definition = {
      StartAt: 'Guard',
      States: {
        Guard: {
          Type: 'Choice',
          Choices: [
            { And: [{ Variable: '$.select', IsPresent: true }, { Variable: '$.select.a', IsPresent: false }], Next: 'Skipped' },
            { Variable: '$.n', IsString: false, Next: 'NotString' },
          ],
          Default: 'Runs',
        },
        Skipped: { Type: 'Pass', Result: 'skipped', End: true },
        NotString: { Type: 'Pass', Result: 'not a string', End: true },
        Runs: { Type: 'Pass', Result: 'runs', End: true },
      },
    };
    expect(await run(definition, { select: { b: true }, n: 'x' })).toBe('skipped');
    expect(await run(definition, { select: { a: true }, n: 'x' })).toBe('runs');
    expect(await run(definition, { n: 1 })).toBe('not a string');
  });

  it('starts every branch of a Parallel at once, however many', async () => {
    const branches = Array.from({ length: 60 }, (_, i) => ({ StartAt: `b${i}`, States: { [`b${i}`]: task() } }));
    let running = 0;
    let peak = 0;
    const handlers = Object.fromEntries(
      branches.map((_, i) => [
        `b${i}`,
        async () => {
          peak = Math.max(peak, ++running);
          await new Promise((r) => setTimeout(r, 20));
          running--;
          return i;
        },
      ]),
    );
    const out = await run({ StartAt: 'P', States: { P: { Type: 'Parallel', Branches: branches, End: true } } }, {}, { overrides: { taskResourceLocalHandlers: handlers } });
    expect(out).toHaveLength(60);
    expect(peak).toBe(60);
  });

  it('does not time a Task out unless the state sets TimeoutSeconds', async () => {
    const definition = { StartAt: 'Long', States: { Long: task() } };
    const handlers = { Long: async () => (await sleep(3 * 3600 * 1000), 'done') };
    const out = await withVirtualClock(0, () => run(definition, {}, { overrides: { taskResourceLocalHandlers: handlers } }));
    expect(out).toBe('done');
    const timed = { StartAt: 'Long', States: { Long: { ...task(), TimeoutSeconds: 60 } } };
    await expect(withVirtualClock(0, () => run(timed, {}, { overrides: { taskResourceLocalHandlers: handlers } }))).rejects.toThrow('States.Timeout');
  });

  it("hands every execution's events to the sink once, nested branches included", async () => {
    const inner = { StartAt: 'P2', States: { P2: { Type: 'Parallel', Branches: [{ StartAt: 'x1', States: { x1: pass('x2'), x2: pass() } }, { StartAt: 'y1', States: { y1: pass() } }], End: true } } };
    const definition = { StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [inner, { StartAt: 'z', States: { z: pass() } }], End: true } } };
    const events: [EventLog, ExecutionKind][] = [];
    const execution = new StateMachine(definition as never).run({}, { stepgraphSink: { sink: (e, k) => void events.push([e, k]), iterations: new WeakSet() } } as RunOptions);
    for await (const _ of execution.eventLogs);
    await execution.result;
    await new Promise((r) => setImmediate(r));
    const of = (type: string): string[] => events.filter(([e]) => e.type === type).map(([e]) => e.state!.name).sort();
    // The engine's own root log loses the last of these; the sink has them all, each once.
    expect(of('StateEntered')).toEqual(['P', 'P2', 'x1', 'x2', 'y1', 'z']);
    expect(of('StateExited')).toEqual(['P', 'P2', 'x1', 'x2', 'y1', 'z']);
    expect(events.filter(([e]) => e.type === 'ExecutionStarted').map(([, k]) => k).sort()).toEqual(['branch', 'branch', 'branch', 'branch', 'root']);
  });
});

// `stepgraph simulate <sweep file>`: the sweep's own definition on the embedded engine and the
// virtual clock of generator/local/clock.ts. Wait states, callback waits and retries take virtual
// time; instances "run" in the in-memory EC2 for their duration and their end releases the item's
// wait; a lambda / state machine / task item takes its duration too. Reports the makespan, the peak of runs alive at once against
// max_concurrent, and each item's outcome.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ExitCode, ReportedError, UserError } from '../errors.ts';
import { printDiagnostics } from '../terminal/report.ts';
import { hasErrors } from '../diagnostics.ts';
import { withVirtualClock } from '../local/clock.ts';
import { StateMachine } from '../local/engine.ts';
import { formatDuration } from '../check/values.ts';
import { table } from '../terminal/format.ts';
import { compileSweepFile, type CompiledSweep } from './compile.ts';
import { isSweepSource, readSweepSource } from './source.ts';
import { defaultItemSeconds, FakeEc2, localDefinition, localRunOptions } from './local.ts';

export interface SimulationOptions {
  /** How long an item runs; default: its ttl without a command (spawn's "until ttl"), else the smaller of its ttl and 30m, else 10m. */
  itemSeconds?: number;
  /** Items whose command fails (exit status 1; a lambda-like runner throws). */
  fail?: ReadonlySet<number>;
}

interface SimulatedItem {
  index: number;
  name: string;
  /** UNKNOWN: the sweep failed without a result for this item. */
  status: 'SUCCEEDED' | 'FAILED' | 'UNKNOWN';
  /** Seconds from the sweep's start. */
  startSeconds?: number;
  endSeconds?: number;
  reason?: string | null;
}

export interface SweepSimulation {
  sweep: string;
  mode: string;
  status: 'SUCCEEDED' | 'FAILED';
  error?: string;
  cause?: string;
  makespanSeconds: number;
  peakConcurrency: number;
  maxConcurrent: number;
  /** Items launched more than once (always empty unless something is wrong). */
  relaunched: number[];
  items: SimulatedItem[];
}

const START = Date.UTC(2026, 0, 1);


export function simulateSweep(c: CompiledSweep, options: SimulationOptions = {}): Promise<SweepSimulation> {
  const { plan, sweep } = c;
  const seconds = (index: number) => options.itemSeconds ?? defaultItemSeconds(sweep.items[index]);
  const failing = options.fail ?? new Set<number>();
  return withVirtualClock(START, async () => {
    const ec2 = new FakeEc2((index) => ({ runSeconds: seconds(index), exitStatus: failing.has(index) ? 1 : 0 }));
    // Non-EC2 runners: each call takes the item's time on the virtual clock.
    const alive: { index: number; start: number; end?: number }[] = [];
    const run = async (input: unknown) => {
      const index = (input as { Payload?: { index: number }; Input?: { index: number } }).Payload?.index ?? (input as { Input?: { index: number } }).Input?.index ?? 0;
      const span: { index: number; start: number; end?: number } = { index, start: Date.now() };
      alive.push(span);
      await new Promise((resolve) => setTimeout(resolve, seconds(index) * 1000));
      span.end = Date.now();
      if (failing.has(index)) throw Object.assign(new Error(`item ${index} failed (simulated)`), { name: 'SimulatedFailure' });
      return { Payload: {} };
    };
    // Delays, retries and waits take virtual time: only the Tasks are overridden. An instance's
    // end releases its item's wait through the contract's release path (local-waits.ts).
    const { overrides, context } = localRunOptions(plan, ec2, `${sweep.name}-simulation`, run);
    const machine = new StateMachine(localDefinition(plan) as never, { validationOptions: { noValidate: true } });
    let status: SweepSimulation['status'] = 'SUCCEEDED';
    let error: string | undefined;
    let cause: string | undefined;
    let records: { index: number; name: string; status: 'SUCCEEDED' | 'FAILED'; reason: string | null }[] = [];
    try {
      const out = (await machine.run({} as never, { overrides: { taskResourceLocalHandlers: overrides.taskResourceLocalHandlers }, context } as never).result) as unknown as { sweep: { results: typeof records } };
      records = out.sweep.results;
    } catch (e) {
      status = 'FAILED';
      const c2 = (e as { cause?: { name?: string; message?: string } }).cause;
      error = c2?.name;
      cause = c2?.message;
    }
    const end = Date.now();
    const spans = plan.ec2 ? [...ec2.instances.values()].map((i) => ({ index: i.index, start: i.launchedAt, end: i.endedAt ?? end })) : alive.map((a) => ({ ...a, end: a.end ?? end }));
    const byIndex = new Map(spans.map((s) => [s.index, s]));
    const recordOf = new Map(records.map((r) => [r.index, r]));
    return {
      sweep: sweep.name,
      mode: plan.mode === 'distributed' ? 'distributed (run inline locally)' : 'inline',
      status,
      ...(error && { error }),
      ...(cause && { cause }),
      makespanSeconds: Math.round((end - START) / 1000),
      peakConcurrency: peak(spans),
      maxConcurrent: plan.maxConcurrent,
      relaunched: [...ec2.launchesByIndex].filter(([, n]) => n > 1).map(([i]) => i),
      items: sweep.items.map((item) => {
        const span = byIndex.get(item.index);
        const r = recordOf.get(item.index);
        return {
          index: item.index,
          name: item.name,
          // No record: the item's own simulated outcome when the sweep finished; when it failed, not known
          // (a failed sweep never reports an item it has no result for as succeeded).
          status: r?.status ?? (failing.has(item.index) ? 'FAILED' : status === 'SUCCEEDED' ? 'SUCCEEDED' : 'UNKNOWN'),
          ...(span && { startSeconds: Math.round((span.start - START) / 1000), endSeconds: Math.round((span.end - START) / 1000) }),
          ...(r && { reason: r.reason }),
        };
      }),
    };
  });
}

/** Most spans open at one instant (an end and a start at the same instant do not overlap). */
function peak(spans: readonly { start: number; end: number }[]): number {
  const events = spans.flatMap((s) => [[s.start, 1], [s.end, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, delta] of events) most = Math.max(most, (open += delta));
  return most;
}

function renderSimulation(s: SweepSimulation): string {
  const lines = [
    `Simulated sweep ${s.sweep}: ${s.items.length} runs, ${s.mode} Map, ${s.maxConcurrent === 0 ? 'no concurrency limit' : `at most ${s.maxConcurrent} at a time`}`,
    `Outcome:     ${s.status}${s.error ? ` (${s.error}: ${s.cause})` : ''}`,
    `Makespan:    ${formatDuration(s.makespanSeconds) || '0s'} (virtual time)`,
    `Peak alive:  ${s.peakConcurrency}${s.maxConcurrent > 0 ? ` of ${s.maxConcurrent} allowed` : ''}`,
    '',
    ...table(['INDEX', 'NAME', 'START', 'END', 'STATUS', 'REASON'], s.items.map((i) => [String(i.index), i.name, at(i.startSeconds), at(i.endSeconds), i.status, i.reason ?? ''])),
  ];
  return lines.join('\n');
}

const at = (seconds: number | undefined): string => (seconds === undefined ? '-' : `+${formatDuration(seconds) || '0s'}`);

/** Whether a command's file argument is a sweep file (JSON or YAML with params or matrix, no jobs). */
export function isSweepFile(path: string): boolean {
  if (!existsSync(path) || !statSync(path).isFile()) return false;
  return isSweepSource(readSweepSource(path, readFileSync(path, 'utf8')).source);
}

/** `simulate <sweep file>`: --fail takes item indexes; exit 0 when the simulated sweep succeeds, 3 when it fails. */
export async function simulateSweepFile(path: string, options: { json: boolean; fail: readonly string[] }): Promise<number> {
  const result = compileSweepFile(path);
  printDiagnostics(result.diagnostics, () => result.lines, false);
  if (!result.compiled || hasErrors(result.diagnostics)) throw new ReportedError();
  const count = result.compiled.sweep.items.length;
  const fail = new Set(
    options.fail.map((text) => {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 0 || n >= count) throw new UserError(`--fail '${text}': a sweep's items are failed by index, 0 to ${count - 1}`);
      return n;
    }),
  );
  const simulation = await simulateSweep(result.compiled, { fail });
  console.log(options.json ? JSON.stringify(simulation, null, 2) : renderSimulation(simulation));
  return simulation.status === 'SUCCEEDED' ? ExitCode.ok : ExitCode.runFailed;
}

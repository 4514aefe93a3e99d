// A job's `local: { command }` run in a shell for `run --local`: `{name}` templates filled in
// from the run (date parts, job, params) as shell words (data, never code), the same values in
// the environment, every output line passed on as it comes, a non-zero exit a failure. The shell and whatever it starts form one
// process group, so a timeout or Ctrl-C stops all of it.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { shellWord } from '../shell.ts';
import { statesError } from './handlers.ts';

export interface CommandRun {
  command: string;
  /** Template values: `{date}` in the command becomes values.date. */
  values: Record<string, string>;
  env: Record<string, string>;
  timeoutSeconds?: number;
  signal: AbortSignal;
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  /** The command's process group (its shell's pid) once started, and once it has exited (run-record.ts). */
  onGroup?: { started(pgid: number): void; ended(pgid: number): void };
}

/**
 * Replaces `{name}` (`{inputs.<job>.<name>}` too) for the names in `values` only, so `${HOME}` or
 * awk's `{print $1}` stay as they are. A value goes in as one shell word (shell.ts): `--param 'mode=$(touch x)'` is data, not code.
 */
export function fillTemplate(command: string, values: Readonly<Record<string, string>>): string {
  return command.replace(/\{([A-Za-z0-9_.]+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? shellWord(values[name]) : whole));
}

/** Resolves when the command exits 0; rejects with a States error otherwise. */
export function runCommand(run: CommandRun): Promise<void> {
  return new Promise((resolve, reject) => {
    if (run.signal.aborted) return reject(statesError('stepgraph.Aborted', 'the run was stopped'));
    const child = spawn(fillTemplate(run.command, run.values), {
      shell: true,
      env: { ...process.env, ...run.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    const pgid = child.pid;
    if (pgid !== undefined) run.onGroup?.started(pgid);
    let stopped: string | undefined;
    const stop = (why: string): void => {
      if (stopped || child.exitCode !== null) return;
      stopped = why;
      kill(child.pid, 'SIGTERM');
      setTimeout(() => kill(child.pid, 'SIGKILL'), 5000).unref();
    };
    const timer = run.timeoutSeconds ? setTimeout(() => stop(`timed out after ${run.timeoutSeconds}s`), run.timeoutSeconds * 1000) : undefined;
    const onAbort = (): void => stop('stopped');
    run.signal.addEventListener('abort', onAbort, { once: true });
    let open = 2;
    const closed = (): void => {
      if (--open === 0) settle();
    };
    for (const stream of ['stdout', 'stderr'] as const) {
      const lines = createInterface({ input: child[stream], crlfDelay: Infinity });
      lines.on('line', (line) => run.onLine(line, stream));
      lines.on('close', closed);
    }
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let spawnError: Error | undefined;
    child.on('error', (error) => {
      spawnError = error;
      settle();
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      settle();
    });
    let settled = false;
    // Settle once the exit is known and both output streams are drained (or spawning failed).
    function settle(): void {
      if (settled || (!spawnError && (!exit || open > 0))) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (pgid !== undefined) run.onGroup?.ended(pgid);
      run.signal.removeEventListener('abort', onAbort);
      if (spawnError) reject(statesError('stepgraph.CommandFailed', `could not start the command: ${spawnError.message}`));
      else if (stopped) reject(statesError(stopped.startsWith('timed out') ? 'States.Timeout' : 'stepgraph.Aborted', `the command was ${stopped}`));
      else if (exit!.code === 0) resolve();
      else reject(statesError('stepgraph.CommandFailed', exit!.code !== null ? `the command exited with status ${exit!.code}` : `the command was killed by ${exit!.signal}`));
    }
  });
}

function kill(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    // A negative pid is the process group: the shell and what it started.
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
  } catch {
    // Already gone.
  }
}

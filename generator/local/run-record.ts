// What a `run --local` has running, on disk, so the next run of the same workflow and date can
// tell whether a previous one is still at work. A catchable signal stops the commands with the
// run (cli/commands/run.ts); SIGKILL cannot be caught, and a job command runs in a process group
// of its own, so it outlives stepgraph, finishes its side effects and writes no marker. The
// record names stepgraph's pid and each running command's process group; a run that finds a
// record whose processes are alive refuses to start (or stops them, with --kill-stale), and one
// whose processes are gone is removed: those jobs simply run again (README: re-runnable jobs).
//
// One file per workflow and date, `<markers>/.runs/<workflow>__<datekey>.json` (a bucket name
// never starts with a dot), created exclusively, rewritten by rename, removed when the run ends.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';

interface RecordedCommand {
  job: string;
  /** The process group of the command's shell (its pid: it leads the group). */
  pgid: number;
  command: string;
}

export interface RunRecordData {
  /** stepgraph's own process. */
  pid: number;
  workflow: string;
  date: string;
  startedAt: string;
  commands: RecordedCommand[];
}

/** A previous run's processes still alive: its stepgraph process and/or command groups. */
interface LiveRun {
  record: RunRecordData;
  stepgraphAlive: boolean;
  commands: RecordedCommand[];
}

const RUNS_FOLDER = '.runs';

export const recordPath = (markersRoot: string, workflow: string, datekey: string): string => join(markersRoot, RUNS_FOLDER, `${workflow}__${datekey}.json`);

/** Whether a process (pid > 0) or a process group (pid < 0) has a live member. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The record left at `path` and which of its processes live; undefined when there is none. */
function inspect(path: string): { record: RunRecordData; live?: LiveRun } | undefined {
  let record: RunRecordData;
  try {
    record = JSON.parse(readFileSync(path, 'utf8')) as RunRecordData;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Unreadable or half-written (a crash between write and rename cannot leave one; a hand edit can).
    return { record: { pid: 0, workflow: '', date: '', startedAt: '', commands: [] } };
  }
  const commands = (Array.isArray(record.commands) ? record.commands : []).filter((c) => Number.isInteger(c.pgid) && c.pgid > 1 && alive(-c.pgid));
  const stepgraphAlive = Number.isInteger(record.pid) && record.pid > 1 && record.pid !== process.pid && alive(record.pid);
  return { record, ...((stepgraphAlive || commands.length > 0) && { live: { record, stepgraphAlive, commands } }) };
}

/** The message for a previous run found alive: what runs, and how to stop it. */
function describeLive(live: LiveRun): { message: string; hint: string } {
  const { record } = live;
  const what = [
    ...(live.stepgraphAlive ? [`stepgraph itself (pid ${record.pid})`] : []),
    ...live.commands.map((c) => `job '${c.job}' (process group ${c.pgid}: ${c.command})`),
  ];
  const groups = live.commands.map((c) => `-${c.pgid}`);
  const pids = [...(live.stepgraphAlive ? [String(record.pid)] : []), ...groups];
  return {
    message: `a previous run --local of ${record.workflow} for ${record.date} (started ${record.startedAt}) is still running: ${what.join('; ')}`,
    hint: `wait for it, stop it (kill -TERM -- ${pids.join(' ')}), or run again with --kill-stale to stop it first`,
  };
}

/** Stops a previous run's processes: SIGTERM, then SIGKILL for what is left after `graceMs`. */
async function stopLive(live: LiveRun, graceMs = 5000): Promise<void> {
  const targets = [...(live.stepgraphAlive ? [live.record.pid] : []), ...live.commands.map((c) => -c.pgid)];
  for (const t of targets) signal(t, 'SIGTERM');
  for (let waited = 0; waited < graceMs && targets.some(alive); waited += 50) await new Promise((r) => setTimeout(r, 50));
  for (const t of targets) if (alive(t)) signal(t, 'SIGKILL');
  for (let waited = 0; waited < graceMs && targets.some(alive); waited += 50) await new Promise((r) => setTimeout(r, 50));
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already.
  }
}

/** This run's record: created exclusively at the start, kept current, removed at the end. */
export class RunRecord {
  private readonly data: RunRecordData;
  private closed = false;

  private constructor(
    readonly path: string,
    data: RunRecordData,
  ) {
    this.data = data;
  }

  /**
   * Creates the record, or throws RunRecordTaken when another record exists (inspect it, clear
   * it with `clear`, and try again). The exclusive create keeps two runs from both starting.
   */
  static create(path: string, data: Omit<RunRecordData, 'commands' | 'pid'>): RunRecord {
    mkdirSync(join(path, '..'), { recursive: true });
    const full: RunRecordData = { pid: process.pid, ...data, commands: [] };
    try {
      writeFileSync(path, `${JSON.stringify(full)}\n`, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new RunRecordTaken(path);
      throw error;
    }
    return new RunRecord(path, full);
  }

  started(job: string, pgid: number, command: string): void {
    this.data.commands.push({ job, pgid, command });
    this.save();
  }

  ended(pgid: number): void {
    this.data.commands = this.data.commands.filter((c) => c.pgid !== pgid);
    this.save();
  }

  /** The run is over and its commands stopped: nothing is left to find. */
  close(): void {
    this.closed = true;
    rmSync(this.path, { force: true });
  }

  private save(): void {
    if (this.closed) return;
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(this.data)}\n`);
    renameSync(temp, this.path);
  }
}

class RunRecordTaken extends Error {
  constructor(readonly path: string) {
    super(`a run record exists at ${path}`);
    this.name = 'RunRecordTaken';
  }
}

/** Removes a record whose processes are all gone. */
const clear = (path: string): void => rmSync(path, { force: true });

/**
 * This run's record, after dealing with a previous one: alive, the run is refused (exit 1, naming
 * the processes and how to stop them) unless `killStale`, which stops them first; gone, the old
 * record is removed with a note (its unfinished jobs run again).
 */
export async function claimRun(path: string, data: Omit<RunRecordData, 'commands' | 'pid'>, options: { killStale: boolean; note: (line: string) => void }): Promise<RunRecord> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return RunRecord.create(path, data);
    } catch (error) {
      if (!(error instanceof RunRecordTaken)) throw error;
    }
    const found = inspect(path);
    if (!found) continue;
    if (found.live) {
      const { message, hint } = describeLive(found.live);
      if (!options.killStale) throw new UserError(`${message}\n  hint: ${hint}`);
      options.note(`--kill-stale: stopping ${message.replace(/^a previous run/, 'the previous run')}`);
      await stopLive(found.live);
      const left = inspect(path)?.live;
      if (left) throw new UserError(`${describeLive(left).message}; it did not stop\n  hint: stop it by hand (kill -KILL), then run again`);
    } else {
      options.note(`a previous run --local of ${found.record.workflow || data.workflow} for ${found.record.date || data.date} ended without finishing (stopped by SIGKILL?) and left nothing running: its unfinished jobs run again`);
    }
    clear(path);
  }
  throw new UserError(`another run --local of ${data.workflow} for ${data.date} keeps starting at the same time (${path})`);
}

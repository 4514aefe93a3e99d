// A deployed schedule's starts, replayed event by event: each fire time (the start handler at a
// scheduled start), each run's end (the start handler's drain of an `overlap: queue` schedule),
// a pause and a resume (`schedule resume`, with or without catch-up). Every choice is the
// contract's (contract/schedule-decisions.ts), fed what the deployed code would read at that
// moment: the running executions, the executions that exist, the schedule's state and start.
// What a run does in between (how long it takes) is the caller's: `simulate --schedule` runs each
// one on the engine, a test gives fixed durations.
import type { Partition } from '../contract/dates.ts';
import { runDateAt } from '../contract/dates.ts';
import { fireTimes, type Overlap } from '../contract/fire-times.ts';
import { runName } from '../contract/run-names.ts';
import { MAX_CATCH_UP_RUNS, missedBeforeFire } from '../contract/pause-record.ts';
import { catchUpSplit, decideAtFire, newestRunDate, oldestQueuedDate, queueWindow, resumeNeedsBusy, runsOfFireTimes } from '../contract/schedule-decisions.ts';

export interface ScheduleSetup {
  workflow: string;
  partition: Partition;
  expression: string;
  /** The schedule's time zone, which is also the workflow's clock for run dates. */
  timezone: string;
  overlap?: Overlap;
  catchUp: boolean;
  /** The schedule's start (its StartDate, else its creation): a rate counts from it, a drain reads fire times after it. */
  since: number;
  /** The schedule's EndDate, if it has one: it fires no more after it. */
  end?: number;
}

/** What became of one fire time. */
export interface FireRecord {
  at: number;
  date: string;
  run: string;
  /** At the fire: started, its run existed already, skipped or queued behind `running`, or missed (paused). */
  outcome: 'started' | 'duplicate' | 'skipped' | 'queued' | 'missed';
  /** The runs running at the fire (skipped, queued) or at the resume (held). */
  running?: string[];
  /** A missed fire time, at the resume: caught up (started), held (queued or skipped as the overlap says), or not caught up. */
  resume?: 'caught-up' | 'queued' | 'skipped' | 'not-caught-up' | 'outside';
  /** When its run started later: by a queue's drain, or by the resume's catch-up. */
  startedAt?: number;
  /** Resumed outside stepgraph after a stepgraph pause: the fire that caught it up (resume says how). */
  caughtUpAtFire?: number;
  startedBy?: 'queue' | 'catch-up';
}

export interface RunRecord {
  run: string;
  date: string;
  start: number;
  end?: number;
  by: 'schedule' | 'queue' | 'catch-up';
}

/** One decision, as the deployed code would log it: what the property test compares with the handlers. */
export type Decision =
  | { event: 'fire'; at: number; date: string; outcome: 'started' | 'duplicate' | 'skipped' | 'queued' }
  | { event: 'end'; at: number; run: string; outcome: 'started' | 'duplicate' | 'paused' | 'busy' | 'idle'; date?: string }
  | { event: 'resume'; at: number; started: string[]; held: string[] }
  /** The first fire after a resume made outside stepgraph caught up the pause `schedule pause` recorded. */
  | { event: 'catch-up'; at: number; started: string[]; held: string[] };

/** A resume catches up at most this many runs (ops/schedule.ts refuses more). */
const MAX_CATCH_UP_FIRES = 366 * 24 + 1;

export class ScheduleDriver {
  readonly fires: FireRecord[] = [];
  readonly runs: RunRecord[] = [];
  readonly decisions: Decision[] = [];
  private paused: number | undefined;
  /** The pause instant `schedule pause` recorded in the schedule's input (with catch_up), until a catch-up clears it. */
  private record: number | undefined;
  private since: number;

  /** `start` launches the run of a date at the current instant; its end is reported back with `ended`. */
  constructor(
    private readonly setup: ScheduleSetup,
    private readonly start: (run: RunRecord) => void,
  ) {
    this.since = setup.since;
  }

  dateOf = (t: number): string => runDateAt(new Date(t), this.setup.partition, this.setup.timezone).text;

  /** The schedule's fire times in [from, to]. */
  fireTimesIn(from: number, to: number): number[] {
    return fireTimes(this.setup.expression, this.setup.timezone, { after: from - 1, until: to, limit: 100_000, anchor: this.setup.since });
  }

  /** The scheduler fires at `at` (a paused schedule does not: the fire time is missed). */
  fire(at: number): void {
    const date = this.dateOf(at);
    const run = runName(this.setup.workflow, date);
    if (this.paused !== undefined) {
      this.fires.push({ at, date, run, outcome: 'missed' });
      return;
    }
    if (this.record !== undefined) this.catchUpAtFire(at);
    // allow lists nothing: the handler starts without looking.
    const others = this.setup.overlap === 'skip' || this.setup.overlap === 'queue' ? this.running().filter((r) => r !== run) : [];
    const decision = decideAtFire(this.setup.overlap, others);
    if (decision !== 'start') {
      this.fires.push({ at, date, run, outcome: decision, running: others });
      this.decisions.push({ event: 'fire', at, date, outcome: decision });
      return;
    }
    const started = this.startRun(date, at, 'schedule');
    this.fires.push({ at, date, run, outcome: started ? 'started' : 'duplicate' });
    this.decisions.push({ event: 'fire', at, date, outcome: started ? 'started' : 'duplicate' });
  }

  /** A run ended; under `overlap: queue` its end event reaches the start handler, which drains the queue. */
  ended(run: string, at: number): void {
    const record = this.runs.find((r) => r.run === run && r.end === undefined);
    if (record) record.end = at;
    if (this.setup.overlap !== 'queue') return;
    const outcome = this.drain(at);
    this.decisions.push({ event: 'end', at, run, ...outcome });
  }

  /** `schedule pause`: with catch_up, it records its instant in the schedule's input (contract/pause-record.ts). */
  pause(at: number): void {
    if (this.paused !== undefined) return;
    this.paused = at;
    if (this.setup.catchUp) this.record = at;
  }

  /**
   * The start handler at the first fire after a resume made outside stepgraph: the fire carries
   * the pause record; the runs missed between the pause and this fire start as `schedule resume`
   * would start them, and the record is cleared (handlers/schedule-catch-up.ts).
   */
  private catchUpAtFire(at: number): void {
    const pausedAt = this.record!;
    this.record = undefined;
    const started: string[] = [];
    const held: string[] = [];
    const runs = missedBeforeFire(this.setup.expression, this.setup.timezone, pausedAt, at, this.since, this.dateOf, MAX_CATCH_UP_RUNS * 24 + 1);
    if (runs.length <= MAX_CATCH_UP_RUNS) {
      const missed = runs.filter((m) => !this.exists(runName(this.setup.workflow, m.date)));
      const busy = resumeNeedsBusy(this.setup.overlap, missed.length) && this.running().length > 0;
      const split = catchUpSplit(missed, this.setup.overlap, busy);
      const running = this.running();
      for (const m of split.held) {
        held.push(runName(this.setup.workflow, m.date));
        for (const f of this.missedOf(m.date)) Object.assign(f, { resume: this.setup.overlap === 'queue' ? 'queued' : 'skipped', caughtUpAtFire: at, running: busy ? running : [runName(this.setup.workflow, split.start[0]?.date ?? '')] });
      }
      for (const m of split.start) {
        for (const f of this.missedOf(m.date)) Object.assign(f, { resume: 'caught-up', caughtUpAtFire: at });
        if (this.startRun(m.date, at, 'catch-up')) started.push(runName(this.setup.workflow, m.date));
      }
    }
    this.decisions.push({ event: 'catch-up', at, started, held });
  }

  /**
   * `schedule resume`: with catch_up, the missed runs start first (as the overlap allows); then the
   * schedule is enabled. `outside`: enabled elsewhere (the AWS console), which catches nothing up
   * itself and leaves the schedule's start date as it was; with catch_up, the pause's record makes
   * the next fire catch up (catchUpAtFire).
   */
  resume(at: number, outside = false): void {
    const pausedAt = this.paused;
    if (pausedAt === undefined) return;
    const started: string[] = [];
    const held: string[] = [];
    if (outside) {
      // Nothing is decided here: what follows is the start handler's, at the next fire or run end.
    } else if (this.setup.catchUp) {
      // `schedule resume` catches up itself and clears the record.
      this.record = undefined;
      const times = fireTimes(this.setup.expression, this.setup.timezone, { after: pausedAt, until: at, limit: MAX_CATCH_UP_FIRES, anchor: this.since });
      const missed = runsOfFireTimes(times, this.dateOf).filter((m) => !this.exists(runName(this.setup.workflow, m.date)));
      const busy = resumeNeedsBusy(this.setup.overlap, missed.length) && this.running().length > 0;
      const split = catchUpSplit(missed, this.setup.overlap, busy);
      const running = this.running();
      for (const m of split.held) {
        held.push(runName(this.setup.workflow, m.date));
        for (const f of this.missedOf(m.date)) Object.assign(f, { resume: this.setup.overlap === 'queue' ? 'queued' : 'skipped', running: busy ? running : [runName(this.setup.workflow, split.start[0]?.date ?? '')] });
      }
      for (const m of split.start) {
        this.startRun(m.date, at, 'catch-up');
        started.push(runName(this.setup.workflow, m.date));
        for (const f of this.missedOf(m.date)) f.resume = 'caught-up';
      }
    } else if (this.setup.overlap === 'queue') {
      // The resume moves the schedule's start date to now: a drain reads no fire time before it.
      this.since = Math.floor(at / 1000) * 1000;
    }
    for (const f of this.fires) if (f.outcome === 'missed' && f.resume === undefined && f.at > pausedAt && f.at <= at) f.resume = outside ? 'outside' : 'not-caught-up';
    this.paused = undefined;
    this.decisions.push({ event: 'resume', at, started, held });
  }

  private drain(at: number): Omit<Extract<Decision, { event: 'end' }>, 'event' | 'at' | 'run'> {
    if (this.paused !== undefined) return { outcome: 'paused' };
    if (this.running().length > 0) return { outcome: 'busy' };
    const newest = newestRunDate(this.runs.map((r) => r.run), this.setup.workflow);
    const date = oldestQueuedDate(this.setup.expression, this.setup.timezone, queueWindow(at, this.since, this.setup.end), this.dateOf, newest);
    if (date === undefined) return { outcome: 'idle' };
    return { outcome: this.startRun(date, at, 'queue') ? 'started' : 'duplicate', date };
  }

  /** Starts the run of `date` unless a run of that name exists (Step Functions' names make it a duplicate). */
  private startRun(date: string, at: number, by: RunRecord['by']): boolean {
    const run = runName(this.setup.workflow, date);
    if (this.exists(run)) return false;
    const record: RunRecord = { run, date, start: at, by };
    this.runs.push(record);
    if (by !== 'schedule') {
      for (const f of this.fires) if (f.date === date && f.startedAt === undefined && (f.outcome === 'queued' || f.outcome === 'missed')) Object.assign(f, { startedAt: at, startedBy: by });
    }
    this.start(record);
    return true;
  }

  private running(): string[] {
    return this.runs.filter((r) => r.end === undefined).map((r) => r.run);
  }

  private exists(run: string): boolean {
    return this.runs.some((r) => r.run === run);
  }

  private missedOf(date: string): FireRecord[] {
    return this.fires.filter((f) => f.outcome === 'missed' && f.date === date);
  }
}

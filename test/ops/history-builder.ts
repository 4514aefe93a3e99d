// Writes execution histories the way Step Functions does (ids in order, each event pointing at the
// one that caused it, a minute apart), and serves them from a mocked GetExecutionHistory one page
// of at most `maxResults` events at a time, as the real API pages.
import { ExecutionDoesNotExist, GetExecutionHistoryCommand, type GetExecutionHistoryCommandInput, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { SFNClient } from '@aws-sdk/client-sfn';

const START = Date.UTC(2019, 2, 13, 2, 0);
export const minute = (n: number): Date => new Date(START + n * 60_000);

export class History {
  readonly events: HistoryEvent[] = [];

  /** `clock` is shared by the histories of one run, so their events interleave in time. */
  constructor(private readonly clock: { minute: number } = { minute: 0 }) {}

  add(type: string, details: Partial<HistoryEvent> = {}, previous?: number): number {
    const id = this.events.length + 1;
    const previousEventId = previous ?? (id > 1 ? id - 1 : 0);
    this.events.push({ id, previousEventId, type: type as HistoryEvent['type'], timestamp: minute(this.clock.minute++), ...details });
    return id;
  }
  enter(name: string, type = 'Task', input?: unknown): number {
    return this.add(`${type}StateEntered`, { stateEnteredEventDetails: { name, ...(input !== undefined && { input: JSON.stringify(input) }) } });
  }
  exit(name: string, type = 'Task'): number {
    return this.add(`${type}StateExited`, { stateExitedEventDetails: { name } });
  }
  pass(name: string, type = 'Pass'): void {
    this.enter(name, type);
    this.exit(name, type);
  }
  /** A Task state that succeeds at its first attempt. */
  task(name: string): void {
    this.enter(name);
    this.add('TaskScheduled');
    this.add('TaskStarted');
    this.add('TaskSucceeded');
    this.exit(name);
  }
  /** What a job's states record when it runs and succeeds: guard, Task, marker. */
  job(name: string): void {
    this.pass(`${name} selected?`, 'Choice');
    this.task(name);
    this.task(`${name} done`);
  }

  // The events of one attempt of a Task, after `after` (default: the event before): Step Functions
  // links each to the one that caused it, so interleaved Parallel branches stay apart.

  /** TaskScheduled (with the state's TimeoutSeconds) and TaskStarted; returns the last id. */
  scheduled(after?: number, timeoutInSeconds?: number): number {
    const scheduled = this.add('TaskScheduled', { taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: '{}', ...(timeoutInSeconds !== undefined && { timeoutInSeconds }) } }, after);
    return this.add('TaskStarted', {}, scheduled);
  }
  /** A callback Task handed its token over (the router or the activator answered). */
  submitted(after?: number): number {
    return this.add('TaskSubmitted', { taskSubmittedEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output: '{}' } }, after);
  }
  failed(error: string, cause: string | undefined, after?: number): number {
    return this.add('TaskFailed', { taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error, ...(cause !== undefined && { cause }) } }, after);
  }
  timedOut(after?: number): number {
    return this.add('TaskTimedOut', { taskTimedOutEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', error: 'States.Timeout' } }, after);
  }
  succeeded(after?: number): number {
    return this.add('TaskSucceeded', { taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: '{}' } }, after);
  }

  /** A job's Task whose every attempt fails (no Catch: it fails in its own state); returns the last id. */
  failingTask(name: string, attempts: number, error: string, cause: (attempt: number) => string, after?: number): number {
    let last = this.add('TaskStateEntered', { stateEnteredEventDetails: { name } }, after);
    for (let i = 1; i <= attempts; i++) last = this.failed(error, cause(i), this.scheduled(last));
    return last;
  }
  /** A wait (a callback Task) released by the router: its job goes on. */
  releasedWait(name: string, timeoutInSeconds: number): void {
    this.enter(name);
    this.scheduled(undefined, timeoutInSeconds);
    this.submitted();
    this.succeeded();
    this.exit(name);
  }
  /** A wait past its deadline: States.Timeout in the wait state; returns the last id. */
  timedOutWait(name: string, timeoutInSeconds: number, after?: number): number {
    const entered = this.add('TaskStateEntered', { stateEnteredEventDetails: { name } }, after);
    return this.timedOut(this.submitted(this.scheduled(entered, timeoutInSeconds)));
  }
  /** The run fails with the error of the state that failed it (no Fail state in between). */
  runFailed(error: string, cause?: string, after?: number): number {
    return this.add('ExecutionFailed', { executionFailedEventDetails: { error, ...(cause !== undefined && { cause }) } }, after);
  }
  redriven(count = 1): number {
    return this.add('ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount: count } });
  }
}

/** Serves each execution's history by its ARN, paged. */
export function serveHistories(sfn: AwsClientStub<SFNClient>, histories: ReadonlyMap<string, readonly HistoryEvent[]>): void {
  sfn.on(GetExecutionHistoryCommand).callsFake((input: GetExecutionHistoryCommandInput) => {
    const events = histories.get(input.executionArn!);
    if (!events) throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${input.executionArn}'`, $metadata: {} });
    const from = Number(input.nextToken ?? 0);
    const to = from + (input.maxResults ?? 1000);
    return { events: events.slice(from, to), ...(to < events.length && { nextToken: String(to) }) };
  });
}

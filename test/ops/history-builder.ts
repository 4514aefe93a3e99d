// Writes execution histories the way Step Functions does (ids in order, each event pointing at the
// one that caused it, a minute apart), and serves them from a mocked GetExecutionHistory one page
// of at most `maxResults` events at a time, as the real API pages.
import { ExecutionDoesNotExist, GetExecutionHistoryCommand, type GetExecutionHistoryCommandInput, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { SFNClient } from '@aws-sdk/client-sfn';

export const START = Date.UTC(2019, 2, 13, 2, 0);
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

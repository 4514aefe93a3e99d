// The text of a failure alert: what broke, why, what did not run, where to look, how to redo it.
import type { Failure } from './failure.ts';

export interface AlertFacts {
  workflow: string;
  status: string;
  /** The run date, when the execution input had one. */
  date?: string;
  executionArn: string;
  region: string;
  failure: Failure;
  /** Jobs downstream of the failed and cancelled ones: they did not run. */
  notRun: string[];
  /** Where a replay starts: the failed and cancelled jobs, or every root job when none is known. */
  replayFrom: string[];
}

export interface AlertMessage {
  subject: string;
  text: string;
  replayCommand: string;
  consoleUrl: string;
}

const CAUSE_LIMIT = 1500;

/**
 * Names listed in one line of an alert. SNS takes at most 262,144 bytes per message; a graph of
 * thousands of jobs would pass that listing everything downstream of an early failure.
 */
const LISTED_JOBS = 100;

const listed = (names: readonly string[]): string =>
  names.length <= LISTED_JOBS ? names.join(', ') : `${names.slice(0, LISTED_JOBS).join(', ')} and ${names.length - LISTED_JOBS} more (see the execution)`;

const consoleUrl = (region: string, executionArn: string): string =>
  `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;

function replayCommand(workflow: string, date: string | undefined, from: readonly string[]): string {
  return ['npx stepgraph replay', workflow, '--date', date ?? '<date>', ...from.flatMap((j) => ['--from', j])].join(' ');
}

export function composeAlert(facts: AlertFacts): AlertMessage {
  const { workflow, status, date, failure } = facts;
  const where = failure.jobs.length > 0 ? ` at ${failure.jobs.join(', ')}` : '';
  const run = `${workflow}${date ? ` ${date}` : ''}`;
  const url = consoleUrl(facts.region, facts.executionArn);
  const replay = replayCommand(workflow, date, facts.replayFrom);
  const known = failure.jobs.length + failure.cancelled.length > 0;
  const lines = [`stepgraph: run ${run} ${status}${where}.`, ''];
  if (failure.jobs.length === 1) {
    // A wait that passed its deadline names what never came; another helper state is named as is.
    const where = failure.waitedFor
      ? ` (it waited for ${failure.waitedFor.kind} '${failure.waitedFor.name}' past the wait's deadline)`
      : failure.state && failure.state !== failure.jobs[0]
        ? ` (state '${failure.state}')`
        : '';
    lines.push(`Failed job: ${failure.jobs[0]}${where}`);
  } else if (failure.jobs.length > 1) lines.push(`Jobs that did not finish: ${listed(failure.jobs)}`);
  else if (!known && failure.state) lines.push(`Failed in state '${failure.state}', which is no job's: the whole run is replayed from its first jobs.`);
  else if (!known) lines.push('No job state was running or failed: the whole run is replayed from its first jobs.');
  if (failure.cancelled.length > 0) lines.push(`Stopped unfinished by the failure: ${listed(failure.cancelled)}`);
  const error = describe(failure.error, failure.cause);
  if (error) lines.push(`Error: ${error}`);
  const runError = describe(failure.runError, failure.runCause);
  if (runError) lines.push(`Run error: ${runError}`);
  lines.push(
    `Did not run: ${facts.notRun.length > 0 ? listed(facts.notRun) : '(no downstream jobs)'}`,
    '',
    `Execution: ${url}`,
    known ? `Replay the broken part (${failure.cancelled.length > 0 ? 'those jobs' : 'that job'} and everything downstream):` : 'Replay the run:',
    `  ${replay}`,
  );
  return { subject: subject(`stepgraph: ${run} ${status}${where}`), text: lines.join('\n'), replayCommand: replay, consoleUrl: url };
}

/** SNS subjects: ASCII, no line breaks, at most 100 characters. */
function subject(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length <= 100 ? clean : `${clean.slice(0, 97)}...`;
}

function describe(error: string | undefined, cause: string | undefined): string {
  return [error, clip(cause)].filter(Boolean).join(': ');
}

function clip(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text.length <= CAUSE_LIMIT ? text : `${text.slice(0, CAUSE_LIMIT)}... (${text.length - CAUSE_LIMIT} more characters in the console)`;
}

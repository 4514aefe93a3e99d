// The text of a deadline alert: which deadline is behind or missed, when the run is expected to
// be done, what is holding it up and the critical path left, and where to look. One line per
// verdict comes from the contract (describeVerdict), so simulate shows the same words.
import { describeVerdict, type DeadlineVerdict } from '../generator/contract/deadlines.ts';
import { parseRunDate } from '../generator/contract/dates.ts';

export interface DeadlineAlertFacts {
  workflow: string;
  executionArn: string;
  /** The execution's input (JSON), for the run date. */
  input?: string;
  /** The verdicts to alert on (behind or missed, new). */
  verdicts: DeadlineVerdict[];
  /** Every deadline's verdict, for context. */
  all: DeadlineVerdict[];
  timezone: string;
  /** Where the expected times' figures came from ("the last 10 runs"); absent: the estimates. */
  source?: string;
}

export function composeDeadlineAlert(facts: DeadlineAlertFacts): { subject: string; text: string } {
  const execution = facts.executionArn.slice(facts.executionArn.lastIndexOf(':') + 1);
  const date = runDate(facts.input) ?? execution;
  const missed = facts.verdicts.some((v) => v.status === 'missed');
  const region = facts.executionArn.split(':')[3] ?? '';
  const lines = [
    `stepgraph: run ${facts.workflow} ${date} ${missed ? 'missed a deadline' : 'is behind its deadline'} (times in ${facts.timezone}${facts.source ? `; durations from ${facts.source}, estimates where a job has none` : ''}).`,
    '',
    ...facts.verdicts.map((v) => describeVerdict(v, facts.timezone, facts.source)),
  ];
  const others = facts.all.filter((v) => !facts.verdicts.includes(v));
  if (others.length > 0) lines.push('', 'Other deadlines:', ...others.map((v) => `  ${describeVerdict(v, facts.timezone, facts.source)}`));
  lines.push('', `Execution: https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${facts.executionArn}`);
  const first = facts.verdicts[0];
  const what = first.target.owner === undefined ? 'run' : first.target.owner;
  return { subject: subject(`stepgraph: ${facts.workflow} ${date} ${what} ${first.status} deadline`), text: lines.join('\n') };
}

function runDate(input: string | undefined): string | undefined {
  try {
    const date = (JSON.parse(input ?? '{}') as { date?: unknown }).date;
    return typeof date === 'string' && parseRunDate(date) ? date : undefined;
  } catch {
    return undefined;
  }
}

/** SNS subjects: ASCII, no line breaks, at most 100 characters. */
function subject(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length <= 100 ? clean : `${clean.slice(0, 97)}...`;
}

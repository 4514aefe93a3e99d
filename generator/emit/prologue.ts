// The first states of a workflow's main state machine: its own check of the input, so that a
// run started by hand in the console with "2019-3-1" or "2019-02-30" fails before any job runs
// instead of writing a marker `sessions__201931.done`. Starts through stepgraph are checked
// before they start too (contract: run dates); this is the last line.
//
// ASL has no regular expressions, so the date is checked in three steps:
// 1. `Check input` (Choice): a string of the right outline (dashes, a `T` for hourly runs) with
//    no character a JSON number could hide behind ('.', 'e', 'E', '+', ' ').
// 2. `Read date` (Pass): the parts, each turned into a number with a leading '1' (so "03" reads
//    as 103 instead of being invalid JSON); a part that is not digits fails the run here.
// 3. `Check date` (Choice): the number of parts, each part's width and range, the month's length
//    and leap years (the year's last digits, matched as a string).
// `Prepare run` then sets `$.run = {datekey, yyyy, mm, dd, hh?, execution}` for every later state.
import type { Partition } from '../model.ts';
import type { State, States } from './job.ts';
import { names } from './names.ts';

const split = (path: string, at: string): string => `States.StringSplit(${path}, '${at}')`;
const item = (array: string, i: number): string => `States.ArrayGetItem(${array}, ${i})`;
/** "03" -> 103: the part with a leading 1, read as a JSON number. */
const asNumber = (part: string): string => `States.StringToJson(States.Format('1{}', ${part}))`;

const FORBIDDEN = ['*.*', '*e*', '*E*', '*+*', '* *', '-*', '*-', '*--*', 'T*', '*T', '*-T*', '*T-*'];

export function prologue(partition: Partition, first: string): States {
  const hourly = partition === 'hourly';
  const outline: State[] = [
    { Variable: '$.date', IsPresent: true },
    { Variable: '$.date', IsString: true },
    { Variable: '$.date', StringMatches: hourly ? '*-*-*T*' : '*-*-*' },
    ...(hourly ? [] : [{ Not: { Variable: '$.date', StringMatches: '*T*' } }]),
    ...FORBIDDEN.map((pattern) => ({ Not: { Variable: '$.date', StringMatches: pattern } })),
  ];
  const parts = split('$.date', '-');
  const day = split(item(parts, 2), 'T');
  return {
    [names.checkInput]: {
      Type: 'Choice',
      // Rules are tried in order: a malformed date first, then a missing `params`.
      Choices: [
        { Not: { And: outline }, Next: names.invalidInput },
        { Not: { Variable: '$.params', IsPresent: true }, Next: names.defaultParams },
      ],
      Default: names.readDate,
    },
    [names.invalidInput]: {
      Type: 'Fail',
      Error: 'stepgraph.InvalidInput',
      Cause: `the input needs "date": "${hourly ? 'YYYY-MM-DDTHH' : 'YYYY-MM-DD'}" (a real calendar date${hourly ? ' and hour' : ''}), and may have "params" and "select"`,
    },
    [names.defaultParams]: { Type: 'Pass', Result: {}, ResultPath: '$.params', Next: names.readDate },
    [names.readDate]: {
      Type: 'Pass',
      Parameters: {
        'parts.$': `States.ArrayLength(${parts})`,
        'dayParts.$': `States.ArrayLength(${day})`,
        'yyyy.$': item(parts, 0),
        'y.$': asNumber(item(parts, 0)),
        'm.$': asNumber(item(parts, 1)),
        'd.$': asNumber(item(day, 0)),
        ...(hourly && { 'h.$': asNumber(item(day, 1)) }),
      },
      ResultPath: '$.run',
      Next: names.checkDate,
    },
    [names.checkDate]: {
      Type: 'Choice',
      Choices: [{ And: dateRules(hourly), Next: names.prepareRun }],
      Default: names.invalidInput,
    },
    [names.prepareRun]: {
      Type: 'Pass',
      Parameters: { 'datekey.$': datekey(hourly), ...dateParts(hourly), 'execution.$': '$$.Execution.Name' },
      ResultPath: '$.run',
      Next: first,
    },
  };
}

/** The date's parts as written (`{yyyy}`, `{mm}`, ... in a kind's arguments: kinds/templates.ts). */
function dateParts(hourly: boolean): State {
  const parts = split('$.date', '-');
  const day = split(item(parts, 2), 'T');
  return { 'yyyy.$': item(parts, 0), 'mm.$': item(parts, 1), 'dd.$': item(day, 0), ...(hourly && { 'hh.$': item(day, 1) }) };
}

function datekey(hourly: boolean): string {
  const parts = split('$.date', '-');
  const day = split(item(parts, 2), 'T');
  return hourly
    ? `States.Format('{}{}{}{}', ${item(parts, 0)}, ${item(parts, 1)}, ${item(day, 0)}, ${item(day, 1)})`
    : `States.Format('{}{}{}', ${item(parts, 0)}, ${item(parts, 1)}, ${item(day, 0)})`;
}

const between = (path: string, low: number, high: number): State[] => [
  { Variable: path, NumericGreaterThanEquals: low },
  { Variable: path, NumericLessThanEquals: high },
];
const equals = (path: string, value: number): State => ({ Variable: path, NumericEquals: value });

/** Years 0001-9999, months 01-12, days within the month, hours 00-23 (each read as 1xx). */
function dateRules(hourly: boolean): State[] {
  const thirtyOneDays = [1, 3, 5, 7, 8, 10, 12].map((m) => equals('$.run.m', 100 + m));
  return [
    equals('$.run.parts', 3),
    equals('$.run.dayParts', hourly ? 2 : 1),
    ...between('$.run.y', 10001, 19999),
    ...between('$.run.m', 101, 112),
    ...between('$.run.d', 101, 131),
    ...(hourly ? between('$.run.h', 100, 123) : []),
    // The 29th of February only in leap years, the 30th never, the 31st only in long months.
    { Or: [{ Variable: '$.run.d', NumericLessThanEquals: 128 }, { Not: equals('$.run.m', 102) }, leapYear()] },
    { Not: { And: [equals('$.run.m', 102), { Variable: '$.run.d', NumericGreaterThanEquals: 130 }] } },
    { Or: [{ Variable: '$.run.d', NumericLessThanEquals: 130 }, ...thirtyOneDays] },
  ];
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Divisible by 4, and a century only when divisible by 400: matched on the year's digits. */
function leapYear(): State {
  const byFour = Array.from({ length: 25 }, (_, i) => pad2(i * 4));
  const year = '$.run.yyyy';
  return {
    Or: [
      ...byFour.filter((d) => d !== '00').map((d) => ({ Variable: year, StringMatches: `*${d}` })),
      { And: [{ Variable: year, StringMatches: '*00' }, { Or: byFour.map((d) => ({ Variable: year, StringMatches: `${d}*` })) }] },
    ],
  };
}

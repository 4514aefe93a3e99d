import { describe, expect, it } from 'vitest';
import { UserError } from '../../generator/errors.ts';
import { dateRange, parseRunDate, parseSince } from '../../generator/dates.ts';

describe('run dates', () => {
  it('reads a daily date and its marker key', () => {
    // WHEN
    const d = parseRunDate('2019-03-12', 'daily');
    // THEN
    expect(d).toStrictEqual({ yyyy: '2019', mm: '03', dd: '12', text: '2019-03-12', key: '20190312', time: Date.UTC(2019, 2, 12) });
  });

  it('reads an hourly date and its marker key', () => {
    expect(parseRunDate('2019-03-12T05', 'hourly').key).toBe('2019031205');
  });

  it.each([
    ['2019-02-29', 'daily', 'February 2019 has no day 29'],
    ['2019-13-01', 'daily', 'months run from 01 to 12'],
    ['2019-04-31', 'daily', 'April 2019 has no day 31'],
    ['2019-03-12T24', 'hourly', 'hours run from 00 to 23'],
    ['2019-03-00', 'daily', 'has no day 0'],
  ] as const)('refuses the impossible date %s', (text, partition, why) => {
    expect(() => parseRunDate(text, partition)).toThrow(UserError);
    expect(() => parseRunDate(text, partition)).toThrow(why);
  });

  it('accepts 29 February of a leap year', () => {
    expect(parseRunDate('2020-02-29', 'daily').key).toBe('20200229');
  });

  it('explains a date that does not fit the partition, with the fix', () => {
    expect(() => parseRunDate('2019-03-12T05', 'daily')).toThrow('partitioned daily; use 2019-03-12');
    expect(() => parseRunDate('2019-03-12', 'hourly')).toThrow('partitioned hourly; give an hour, e.g. 2019-03-12T00');
  });

  it('names the flag and the expected shape for text that is no date at all', () => {
    expect(() => parseRunDate('12/03/2019', 'daily', '--from')).toThrow("--from '12/03/2019' is not a date; a daily workflow takes YYYY-MM-DD");
  });
});

describe('date ranges', () => {
  it('lists every day of a range, both ends included, across a month end', () => {
    // GIVEN
    const from = parseRunDate('2019-02-27', 'daily');
    const to = parseRunDate('2019-03-02', 'daily');
    // WHEN / THEN
    expect(dateRange(from, to, 'daily').map((d) => d.text)).toStrictEqual(['2019-02-27', '2019-02-28', '2019-03-01', '2019-03-02']);
  });

  it('lists hours across midnight', () => {
    const from = parseRunDate('2019-03-12T22', 'hourly');
    const to = parseRunDate('2019-03-13T01', 'hourly');
    expect(dateRange(from, to, 'hourly').map((d) => d.key)).toStrictEqual(['2019031222', '2019031223', '2019031300', '2019031301']);
  });

  it('refuses --to before --from', () => {
    const from = parseRunDate('2019-03-12', 'daily');
    const to = parseRunDate('2019-03-01', 'daily');
    expect(() => dateRange(from, to, 'daily')).toThrow('--to 2019-03-01 is before --from 2019-03-12; swap them');
  });

  it('refuses a range beyond the limit', () => {
    const from = parseRunDate('2019-01-01', 'daily');
    const to = parseRunDate('2019-01-10', 'daily');
    expect(() => dateRange(from, to, 'daily', 5)).toThrow('is 10 runs; at most 5');
  });
});

describe('--since', () => {
  it('reads minutes, hours, days and weeks', () => {
    expect([parseSince('30m'), parseSince('12h'), parseSince('7d'), parseSince('2w')]).toStrictEqual([
      1_800_000, 43_200_000, 604_800_000, 1_209_600_000,
    ]);
  });

  it('refuses anything else', () => {
    expect(() => parseSince('7 days')).toThrow('use a number and a unit: 30m, 12h, 7d or 2w');
    expect(() => parseSince('0d')).toThrow(UserError);
  });
});

import { describe, expect, it } from 'vitest';
import { parseDatekey, parseRunDate, readRunDate, runDateAt, runDateOfTime } from '../../generator/contract/dates.ts';
import { anyMarkerPattern, markerKey, markerKeyPattern, parseMarkerKey } from '../../generator/contract/markers.ts';
import { runName } from '../../generator/contract/run-names.ts';

describe('run dates and marker keys (the runtime contract)', () => {
  it('round-trips daily and hourly dates through datekeys', () => {
    // GIVEN a daily and an hourly run date
    const daily = parseRunDate('2019-03-12')!;
    const hourly = parseRunDate('2019-03-12T05')!;

    // THEN their datekeys and names follow the contract
    expect((daily).key).toBe('20190312');
    expect((hourly).key).toBe('2019031205');
    expect((parseDatekey('2019031205', 'hourly')!).text).toBe('2019-03-12T05');
    expect(runName('player-analytics', '2019-03-12T05')).toBe('player-analytics-2019-03-12T05');
    expect(markerKey('done/', 'ingest_raw', '20190312')).toBe('done/ingest_raw__20190312.done');
  });

  it('rejects dates that are not on the calendar', () => {
    expect(parseRunDate('2019-02-29')).toBeUndefined();
    expect(parseRunDate('2020-02-29')).toBeDefined();
    expect(parseRunDate('2019-03-12T24')).toBeUndefined();
    expect(parseRunDate('2019-3-12')).toBeUndefined();
    expect(parseDatekey('20191301', 'daily')).toBeUndefined();
  });

  it('parses marker keys only when prefix, partition and suffix match', () => {
    expect(parseMarkerKey('done/ingest_raw__20190312.done', 'done/', 'daily')).toMatchObject({
      job: 'ingest_raw',
      date: { yyyy: '2019', mm: '03', dd: '12' },
    });
    expect(parseMarkerKey('done/ingest_raw__2019031205.done', 'done/', 'hourly')?.date.hh).toBe('05');
    for (const key of [
      'done/ingest_raw__2019031205.done', // hourly key, daily workflow
      'other/ingest_raw__20190312.done',
      'done/ingest_raw__20190312.txt',
      'done/ingest_raw_20190312.done',
      'done/__20190312.done',
      'done/nested/job__20190312.done',
      'done/ingest_raw__2019031.done',
    ]) {
      expect(parseMarkerKey(key, 'done/', 'daily'), key).toBeUndefined();
    }
  });

  it('takes the run date from the wall clock of the timezone', () => {
    // GIVEN 23:30 UTC on March 11th, which is 00:30 on March 12th in Belgrade (UTC+1)
    const instant = new Date('2019-03-11T23:30:00Z');

    // THEN the daily run date depends on the zone and the hourly one carries the local hour
    expect((runDateAt(instant, 'daily')).text).toBe('2019-03-11');
    expect((runDateAt(instant, 'daily', 'Europe/Belgrade')).text).toBe('2019-03-12');
    expect((runDateAt(instant, 'hourly', 'Europe/Belgrade')).text).toBe('2019-03-12T00');
    expect((runDateAt(new Date('2019-07-01T22:00:00Z'), 'hourly', 'Europe/Belgrade')).text).toBe('2019-07-02T00');
  });

  it('says why a text is not a run date of the partition', () => {
    expect(readRunDate('2019-03-12T05', 'daily')).toStrictEqual({ problem: 'hour-for-daily' });
    expect(readRunDate('2019-03-12', 'hourly')).toStrictEqual({ problem: 'day-for-hourly' });
    expect(readRunDate('12/03/2019')).toStrictEqual({ problem: 'outline' });
    expect(readRunDate('2019-02-29')).toStrictEqual({ problem: 'calendar', why: 'February 2019 has no day 29' });
    expect(readRunDate('2019-13-01')).toStrictEqual({ problem: 'calendar', why: 'months run from 01 to 12' });
    expect(readRunDate('2019-03-12T24')).toStrictEqual({ problem: 'calendar', why: 'hours run from 00 to 23' });
    expect(readRunDate('2000-02-29')).toMatchObject({ text: '2000-02-29', key: '20000229', time: Date.UTC(2000, 1, 29) });
    expect(readRunDate('1900-02-29')).toMatchObject({ problem: 'calendar' });
  });

  it('goes from a partition start back to the same run date', () => {
    for (const text of ['2019-03-12T05', '2020-02-29T23']) expect(runDateOfTime(parseRunDate(text)!.time, 'hourly').text).toBe(text);
    expect(runDateOfTime(parseRunDate('2019-12-31')!.time, 'daily')).toStrictEqual(parseRunDate('2019-12-31'));
  });

  it('writes marker key patterns with the datekey as the only wildcard', () => {
    expect(markerKeyPattern('done/', 'ingest_raw')).toBe('done/ingest_raw__*.done');
    expect(anyMarkerPattern('done/')).toBe('done/*__*.done');
  });
});

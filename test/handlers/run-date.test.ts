import { describe, expect, it } from 'vitest';
import {
  executionName,
  formatDate,
  formatDatekey,
  markerKey,
  parseDatekey,
  parseMarkerKey,
  parseRunDate,
  runDateAt,
} from '../../handlers/run-date.ts';

describe('run dates and marker keys', () => {
  it('round-trips daily and hourly dates through datekeys', () => {
    // GIVEN a daily and an hourly run date
    const daily = parseRunDate('2019-03-12')!;
    const hourly = parseRunDate('2019-03-12T05')!;

    // THEN their datekeys and names follow the contract
    expect(formatDatekey(daily)).toBe('20190312');
    expect(formatDatekey(hourly)).toBe('2019031205');
    expect(formatDate(parseDatekey('2019031205', 'hourly')!)).toBe('2019-03-12T05');
    expect(executionName('player-analytics', '2019-03-12T05')).toBe('player-analytics-2019-03-12T05');
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
    expect(parseMarkerKey('done/ingest_raw__20190312.done', 'done/', 'daily')).toEqual({
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
    expect(formatDate(runDateAt(instant, 'daily'))).toBe('2019-03-11');
    expect(formatDate(runDateAt(instant, 'daily', 'Europe/Belgrade'))).toBe('2019-03-12');
    expect(formatDate(runDateAt(instant, 'hourly', 'Europe/Belgrade'))).toBe('2019-03-12T00');
    expect(formatDate(runDateAt(new Date('2019-07-01T22:00:00Z'), 'hourly', 'Europe/Belgrade'))).toBe('2019-07-02T00');
  });
});

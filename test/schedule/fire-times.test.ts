import { describe, expect, it } from 'vitest';
import { fireTimes } from '../../generator/contract/fire-times.ts';

const iso = (ts: number[]): string[] => ts.map((t) => new Date(t).toISOString());
const at = (s: string): number => Date.parse(s);

describe('fireTimes', () => {
  it('reads a daily cron in its time zone, across the spring daylight-saving change', () => {
    // GIVEN 02:00 in Belgrade (UTC+1 in winter, UTC+2 from 2026-03-29)
    const times = fireTimes('cron(0 2 * * ? *)', 'Europe/Belgrade', { after: at('2026-03-27T00:00:00Z'), until: at('2026-03-30T12:00:00Z'), limit: 10 });
    // THEN 29 March has no 02:00 (clocks skip 02:00-03:00): that day does not fire
    expect(iso(times)).toStrictEqual(['2026-03-27T01:00:00.000Z', '2026-03-28T01:00:00.000Z', '2026-03-30T00:00:00.000Z']);
  });

  it('fires once in a repeated hour, at its first occurrence', () => {
    const times = fireTimes('cron(30 2 * * ? *)', 'Europe/Belgrade', { after: at('2026-10-24T12:00:00Z'), until: at('2026-10-26T12:00:00Z'), limit: 10 });
    expect(iso(times)).toStrictEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('honours the bounds: after is exclusive, until inclusive, and the limit', () => {
    const w = { after: at('2026-01-01T02:00:00Z'), until: at('2026-01-04T02:00:00Z'), limit: 10 };
    expect(iso(fireTimes('cron(0 2 * * ? *)', 'UTC', w))).toStrictEqual(['2026-01-02T02:00:00.000Z', '2026-01-03T02:00:00.000Z', '2026-01-04T02:00:00.000Z']);
    expect(fireTimes('cron(0 2 * * ? *)', 'UTC', { ...w, limit: 1 })).toHaveLength(1);
  });

  it('reads lists, ranges, steps, names, L, W and #', () => {
    const w = { after: at('2026-01-01T00:00:00Z'), until: at('2026-12-31T23:59:00Z'), limit: 20 };
    // the last day of each month, at 23:00, in the first quarter
    expect(iso(fireTimes('cron(0 23 L JAN-MAR ? 2026)', 'UTC', w))).toStrictEqual(['2026-01-31T23:00:00.000Z', '2026-02-28T23:00:00.000Z', '2026-03-31T23:00:00.000Z']);
    // the second Monday of January and February
    expect(iso(fireTimes('cron(15 6 ? 1,2 MON#2 *)', 'UTC', w))).toStrictEqual(['2026-01-12T06:15:00.000Z', '2026-02-09T06:15:00.000Z']);
    // the last Friday of May
    expect(iso(fireTimes('cron(0 9 ? 5 6L *)', 'UTC', w))).toStrictEqual(['2026-05-29T09:00:00.000Z']);
    // the weekday nearest the 1st of August 2026 (a Saturday): Monday the 3rd
    expect(iso(fireTimes('cron(0 9 1W 8 ? *)', 'UTC', w))).toStrictEqual(['2026-08-03T09:00:00.000Z']);
    // every 20 minutes between 10:00 and 10:59 on 1 June
    expect(iso(fireTimes('cron(0/20 10 1 6 ? 2026)', 'UTC', w))).toStrictEqual(['2026-06-01T10:00:00.000Z', '2026-06-01T10:20:00.000Z', '2026-06-01T10:40:00.000Z']);
  });

  it('ends with the cron years', () => {
    expect(fireTimes('cron(0 2 * * ? 2020)', 'UTC', { after: at('2026-01-01T00:00:00Z'), until: at('2199-01-01T00:00:00Z'), limit: 5 })).toStrictEqual([]);
  });

  it('counts rate intervals from the anchor', () => {
    const anchor = at('2026-01-01T00:10:00Z');
    const times = fireTimes('rate(6 hours)', 'UTC', { after: at('2026-01-02T00:00:00Z'), until: at('2026-01-02T23:59:00Z'), limit: 10, anchor });
    expect(iso(times)).toStrictEqual(['2026-01-02T00:10:00.000Z', '2026-01-02T06:10:00.000Z', '2026-01-02T12:10:00.000Z', '2026-01-02T18:10:00.000Z']);
    // without an anchor a rate has no known phase
    expect(fireTimes('rate(6 hours)', 'UTC', { after: 0, until: at('2026-01-02T00:00:00Z'), limit: 10 })).toStrictEqual([]);
  });

  it('fires an at() schedule once, on its time zone', () => {
    const w = { after: at('2026-01-01T00:00:00Z'), until: at('2027-01-01T00:00:00Z'), limit: 5 };
    expect(iso(fireTimes('at(2026-07-01T06:00:00)', 'America/New_York', w))).toStrictEqual(['2026-07-01T10:00:00.000Z']);
    expect(fireTimes('at(2025-07-01T06:00:00)', 'UTC', w)).toStrictEqual([]);
  });
});

// Date arithmetic of dated waits (generator/contract/marker-dates.ts), checked against an oracle
// that shares nothing with it: a calendar walked one day (or hour) at a time with its own month
// lengths and leap-year rule, instead of Date arithmetic on milliseconds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markerDates, markerDatesKeys, readOffset } from '../../generator/contract/marker-dates.ts';

interface Civil {
  y: number;
  m: number;
  d: number;
  h: number;
}
const isLeap = (y: number): boolean => y % 400 === 0 || (y % 4 === 0 && y % 100 !== 0);
const monthDays = (y: number, m: number): number => [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];

function dayBefore(c: Civil): Civil {
  if (c.d > 1) return { ...c, d: c.d - 1 };
  if (c.m > 1) return { ...c, m: c.m - 1, d: monthDays(c.y, c.m - 1) };
  return { ...c, y: c.y - 1, m: 12, d: 31 };
}
const hourBefore = (c: Civil): Civil => (c.h > 0 ? { ...c, h: c.h - 1 } : { ...dayBefore(c), h: 23 });
const two = (n: number): string => String(n).padStart(2, '0');
const dayKey = (c: Civil): string => `${String(c.y).padStart(4, '0')}${two(c.m)}${two(c.d)}`;
const hourKey = (c: Civil): string => `${dayKey(c)}${two(c.h)}`;

// Years around the leap-year rule's edges (1900 and 2100 are not leap years, 2000 is).
const civil = fc
  .record({ y: fc.oneof(fc.constantFrom(1900, 2000, 2019, 2020, 2100), fc.integer({ min: 1971, max: 2399 })), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }), h: fc.integer({ min: 0, max: 23 }) })
  .map((c) => ({ ...c, d: Math.min(c.d, monthDays(c.y, c.m)) }));
// Month ends and year ends on purpose: the days where a naive "day - 1" breaks.
const edgeDay = fc.record({ y: fc.constantFrom(1900, 2000, 2019, 2020, 2024, 2100), m: fc.integer({ min: 1, max: 12 }), h: fc.integer({ min: 0, max: 23 }) }).map((c) => ({ ...c, d: 1 }));
const anyDay = fc.oneof(civil, edgeDay);

describe('dated waits: date arithmetic', () => {
  it('-Nd of a daily run is the date N days before, across month ends and leap years', () => {
    fc.assert(
      fc.property(anyDay, fc.integer({ min: 1, max: 366 }), (run, n) => {
        let expected = run;
        for (let i = 0; i < n; i++) expected = dayBefore(expected);
        const dates = markerDates(dayKey(run), readOffsetHours(`-${n}d`), 'daily');
        expect(dates?.map((d) => d.key)).toEqual([dayKey(expected)]);
      }),
      { numRuns: 300 },
    );
  });

  it('-Nh of an hourly run is the hour N hours before, across day, month and year ends', () => {
    fc.assert(
      fc.property(anyDay, fc.integer({ min: 1, max: 24 * 40 }), (run, n) => {
        let expected = run;
        for (let i = 0; i < n; i++) expected = hourBefore(expected);
        expect(markerDates(hourKey(run), readOffsetHours(`-${n}h`), 'hourly')?.map((d) => d.key)).toEqual([hourKey(expected)]);
        // -Nd of an hourly run is the same hour N days before.
        if (n <= 40) {
          let day = run;
          for (let i = 0; i < n; i++) day = dayBefore(day);
          expect(markerDates(hourKey(run), readOffsetHours(`-${n}d`), 'hourly')?.map((d) => d.key)).toEqual([hourKey(day)]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a daily run waiting for hourly markers waits for the 24 hours of its (moved) date, in order', () => {
    fc.assert(
      fc.property(anyDay, fc.integer({ min: 0, max: 31 }), (run, n) => {
        let day = run;
        for (let i = 0; i < n; i++) day = dayBefore(day);
        const keys = markerDates(dayKey(run), -24 * n, 'hourly')!.map((d) => d.key);
        expect(keys).toEqual(Array.from({ length: 24 }, (_, h) => hourKey({ ...day, h })));
      }),
      { numRuns: 200 },
    );
  });

  it("an hourly run waiting for a daily marker waits for its hour's date, moved by the offset", () => {
    fc.assert(
      fc.property(anyDay, fc.integer({ min: 0, max: 72 }), (run, n) => {
        let at = run;
        for (let i = 0; i < n; i++) at = hourBefore(at);
        expect(markerDates(hourKey(run), -n, 'daily')!.map((d) => d.key)).toEqual([dayKey(at)]);
      }),
      { numRuns: 200 },
    );
  });

  it('since leaves out exactly the dates before it', () => {
    fc.assert(
      fc.property(anyDay, fc.integer({ min: 0, max: 23 }), (run, cut) => {
        const all = markerDatesKeys({ kind: 'marker_dates', bucket: 'b', prefix: 'done/', job: 'events', datekey: dayKey(run), partition: 'hourly' })!;
        const since = hourKey({ ...run, h: cut });
        const kept = markerDatesKeys({ kind: 'marker_dates', bucket: 'b', prefix: 'done/', job: 'events', datekey: dayKey(run), partition: 'hourly', since })!;
        expect(kept).toEqual(all.slice(cut));
      }),
      { numRuns: 100 },
    );
  });

  it('known edges', () => {
    const key = (datekey: string, offset: string, partition: 'daily' | 'hourly' = datekey.length === 8 ? 'daily' : 'hourly'): string[] | undefined =>
      markerDatesKeys({ kind: 'marker_dates', bucket: 'b', prefix: 'done/', job: 'x', datekey, partition, offset });
    expect(key('20200301', '-1d')).toEqual(['done/x__20200229.done']);
    expect(key('20190301', '-1d')).toEqual(['done/x__20190228.done']);
    expect(key('19000301', '-1d')).toEqual(['done/x__19000228.done']);
    expect(key('20000301', '-1d')).toEqual(['done/x__20000229.done']);
    expect(key('20190101', '-1d')).toEqual(['done/x__20181231.done']);
    expect(key('20190305', '-7d')).toEqual(['done/x__20190226.done']);
    expect(key('2019030100', '-1h')).toEqual(['done/x__2019022823.done']);
    expect(key('2019030100', '-1h', 'daily')).toEqual(['done/x__20190228.done']);
    // A datekey that is no run date reads as no subject at all.
    expect(key('20190229', '-1d')).toBeUndefined();
  });

  it('reads offsets and says why one is refused', () => {
    expect(readOffset('-1d')).toEqual({ hours: -24, unit: 'd', text: '-1d' });
    expect(readOffset('-7d')).toEqual({ hours: -168, unit: 'd', text: '-7d' });
    expect(readOffset('-1h')).toEqual({ hours: -1, unit: 'h', text: '-1h' });
    expect(readOffset('+1d')).toEqual({ problem: 'future' });
    expect(readOffset('1d')).toEqual({ problem: 'future' });
    expect(readOffset('-0d')).toEqual({ problem: 'zero' });
    expect(readOffset('-367d')).toEqual({ problem: 'too-far' });
    expect(readOffset('-1w')).toEqual({ problem: 'outline' });
    expect(readOffset('yesterday')).toEqual({ problem: 'outline' });
  });
});

function readOffsetHours(text: string): number {
  const offset = readOffset(text);
  if ('problem' in offset) throw new Error(`${text}: ${offset.problem}`);
  return offset.hours;
}

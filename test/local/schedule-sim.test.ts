// simulate --schedule: a schedule's starts over a window on the virtual clock, each run on the
// engine. One concrete case per overlap rule and per catch_up, and the CLI's flags.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { run as simulateCommand } from '../../generator/cli/commands/simulate.ts';
import { simulateSchedule, scheduleInstant } from '../../generator/local/schedule-sim.ts';
import { fireText } from '../../generator/local/schedule-report.ts';

const ZONE = 'Europe/Belgrade';
/** A nightly 02:00 run of one 30-hour job (so each run still runs at the next night's fire), deadline 06:00. */
function nightly(overlap: string, catchUp: boolean | undefined, extra = '') {
  const text = `name: nightly
schedule:
  cron: "0 2 * * ? *"
  timezone: ${ZONE}
  overlap: ${overlap}
${catchUp === undefined ? '' : `  catch_up: ${catchUp}\n`}deadline: "06:00"
${extra}jobs:
  load: { lambda: nightly-load, estimate: 30h, timeout: 2d }
`;
  const { compiled, diagnostics } = compileTexts([{ file: 'nightly.yaml', text }]);
  expect(diagnostics.filter((d) => d.severity === 'error')).toStrictEqual([]);
  return compiled[0];
}
const at = (local: string): number => scheduleInstant(local, ZONE, 'test');
const window = (paused?: [string, string]) => ({ from: at('2019-03-01'), to: at('2019-03-06T23:59'), ...(paused && { paused: { from: at(paused[0]), to: at(paused[1]) } }) });
/** Each fire time as `date outcome [resume] [started local time]`. */
const fates = (sim: Awaited<ReturnType<typeof simulateSchedule>>) =>
  sim.fires.map((f) => [f.date, f.outcome, f.resume ?? '', f.startedAt === undefined ? '' : new Date(f.startedAt).toISOString()].join(' ').trim());

afterEach(() => vi.restoreAllMocks());

describe('simulate --schedule', () => {
  it('skip: a fire while the previous run runs is skipped, naming the run', async () => {
    // GIVEN runs of 30 hours fired every 24 hours, overlap skip
    const sim = await simulateSchedule(nightly('skip', undefined), window());
    // THEN every other night is skipped behind the run still running, and no two runs overlap
    expect(fates(sim)).toStrictEqual(['2019-03-01 started', '2019-03-02 skipped', '2019-03-03 started', '2019-03-04 skipped', '2019-03-05 started', '2019-03-06 skipped']);
    expect(fireText(sim.fires[1], ZONE)).toBe('skipped: nightly-2019-03-01 still ran');
    expect(sim.runs.map((r) => [r.run, new Date(r.start).toISOString(), new Date(r.end!).toISOString()])).toStrictEqual([
      ['nightly-2019-03-01', '2019-03-01T01:00:00.000Z', '2019-03-02T07:00:00.000Z'],
      ['nightly-2019-03-03', '2019-03-03T01:00:00.000Z', '2019-03-04T07:00:00.000Z'],
      ['nightly-2019-03-05', '2019-03-05T01:00:00.000Z', '2019-03-06T07:00:00.000Z'],
    ]);
  });

  it('queue: held starts stack in fire order and each starts when the run before it ends', async () => {
    const sim = await simulateSchedule(nightly('queue', undefined), window());
    // 02:00 + 30h = 08:00 next day; then each queued run starts at the end of the one before
    expect(fates(sim)).toStrictEqual([
      '2019-03-01 started',
      '2019-03-02 queued  2019-03-02T07:00:00.000Z',
      '2019-03-03 queued  2019-03-03T13:00:00.000Z',
      '2019-03-04 queued  2019-03-04T19:00:00.000Z',
      '2019-03-05 queued  2019-03-06T01:00:00.000Z',
      '2019-03-06 queued  2019-03-07T07:00:00.000Z',
    ]);
    expect(sim.runs.every((r, i) => i === 0 || r.start === sim.runs[i - 1].end)).toBe(true);
    expect(sim.runs.map((r) => r.by)).toStrictEqual(['schedule', 'queue', 'queue', 'queue', 'queue', 'queue']);
    // deadlines count from each run's own start: the queued run of the 2nd starts at 08:00, after its 06:00
    const second = sim.runs[1].report.deadlines!;
    expect(second.start).toBe('2019-03-02T07:00:00.000Z');
    expect(second.deadlines.map((d) => [d.at, d.status])).toStrictEqual([['2019-03-03T05:00:00.000Z', 'missed']]);
    expect(second.alerts.length).toBeGreaterThan(0);
  });

  it('allow: runs overlap, each at its fire time', async () => {
    const sim = await simulateSchedule(nightly('allow', undefined), window());
    expect(sim.fires.every((f) => f.outcome === 'started')).toBe(true);
    expect(sim.runs).toHaveLength(6);
    // two at once from the second night on (30h runs every 24h)
    expect(sim.runs[1].start).toBeLessThan(sim.runs[0].end!);
  });

  it('catch_up true: the fire times missed while paused start at the resume, in order, as the overlap allows', async () => {
    // allow: every missed run starts at the resume
    const allow = await simulateSchedule(nightly('allow', true), window(['2019-03-02T12:00', '2019-03-04T12:00']));
    expect(fates(allow).slice(1, 4)).toStrictEqual([
      '2019-03-02 started',
      '2019-03-03 missed caught-up 2019-03-04T11:00:00.000Z',
      '2019-03-04 missed caught-up 2019-03-04T11:00:00.000Z',
    ]);
    expect(allow.runs.filter((r) => r.by === 'catch-up').map((r) => r.run)).toStrictEqual(['nightly-2019-03-03', 'nightly-2019-03-04']);
    // queue: the oldest starts at the resume, the next when it ends
    const queue = await simulateSchedule(nightly('queue', true), window(['2019-03-02T12:00', '2019-03-04T12:00']));
    const caught = queue.fires.filter((f) => f.outcome === 'missed');
    expect(caught.map((f) => [f.date, f.resume, f.startedBy])).toStrictEqual([
      ['2019-03-03', 'caught-up', 'catch-up'],
      ['2019-03-04', 'queued', 'queue'],
    ]);
    expect(caught[1].startedAt).toBe(queue.runs.find((r) => r.date === '2019-03-03')!.end);
    // skip: the oldest starts at the resume; the other missed one is skipped behind it
    const skip = await simulateSchedule(nightly('skip', true), window(['2019-03-02T12:00', '2019-03-04T12:00']));
    expect(skip.fires.filter((f) => f.outcome === 'missed').map((f) => [f.date, f.resume])).toStrictEqual([
      ['2019-03-03', 'caught-up'],
      ['2019-03-04', 'skipped'],
    ]);
    expect(fireText(skip.fires.find((f) => f.date === '2019-03-04')!, ZONE)).toContain('skipped at the resume: nightly-2019-03-03 ran');
  });

  it('catch_up false: the missed fire times are reported missed and nothing starts at the resume', async () => {
    const sim = await simulateSchedule(nightly('queue', false), window(['2019-03-02T12:00', '2019-03-04T12:00']));
    const missed = sim.fires.filter((f) => f.outcome === 'missed');
    expect(missed.map((f) => [f.date, f.resume, f.startedAt])).toStrictEqual([
      ['2019-03-03', 'not-caught-up', undefined],
      ['2019-03-04', 'not-caught-up', undefined],
    ]);
    expect(sim.runs.some((r) => r.by === 'catch-up' || r.date === '2019-03-03' || r.date === '2019-03-04')).toBe(false);
    expect(fireText(missed[0], ZONE)).toBe('missed while paused; not run (catch_up is not true)');
  });

  it('resumed outside stepgraph: nothing is caught up at the resume; under queue, a run still running then drains the queue, missed dates included', async () => {
    const outside = (paused: [string, string]) => ({ ...window(paused), paused: { from: at(paused[0]), to: at(paused[1]), outside: true } });
    // GIVEN the 2nd's run running until the 3rd 14:00, and a resume in the console at 12:00
    const drained = await simulateSchedule(nightly('queue', false), outside(['2019-03-02T12:00', '2019-03-03T12:00']));
    // THEN the queue, read off the schedule at that run's end, starts the missed 3rd (catch_up or not)
    const third = drained.fires.find((f) => f.date === '2019-03-03')!;
    expect([third.outcome, third.resume, third.startedBy, new Date(third.startedAt!).toISOString()]).toStrictEqual(['missed', 'outside', 'queue', '2019-03-03T13:00:00.000Z']);
    // GIVEN nothing running at the resume instead, and no catch_up: the next fire starts its own date and passes the missed ones over
    const passed = await simulateSchedule(nightly('queue', false), outside(['2019-03-02T12:00', '2019-03-04T12:00']));
    expect(passed.fires.filter((f) => f.outcome === 'missed').map((f) => [f.date, f.resume, f.startedAt])).toStrictEqual([
      ['2019-03-03', 'outside', undefined],
      ['2019-03-04', 'outside', undefined],
    ]);
    expect(fireText(passed.fires.find((f) => f.date === '2019-03-03')!, ZONE)).toBe('missed while paused; resumed outside stepgraph, so not caught up');
    expect(passed.fires.find((f) => f.date === '2019-03-05')!.outcome).toBe('started');
  });

  it('paused by stepgraph, resumed outside: with catch_up the next fire catches up (its pause is recorded in the schedule)', async () => {
    const outside = (overlap: string, catchUp: boolean) =>
      simulateSchedule(nightly(overlap, catchUp), { ...window(), paused: { from: at('2019-03-02T12:00'), to: at('2019-03-04T12:00'), outside: true } });
    // queue: at the 5th's fire the oldest missed (the 3rd) starts; the 4th and the 5th wait for it to end
    const queue = await outside('queue', true);
    expect(fates(queue)).toStrictEqual([
      '2019-03-01 started',
      '2019-03-02 queued  2019-03-02T07:00:00.000Z',
      '2019-03-03 missed caught-up 2019-03-05T01:00:00.000Z',
      '2019-03-04 missed queued 2019-03-06T07:00:00.000Z',
      '2019-03-05 queued  2019-03-07T13:00:00.000Z',
      '2019-03-06 queued  2019-03-08T19:00:00.000Z',
    ]);
    expect(fireText(queue.fires[2], ZONE)).toBe('missed while paused; caught up at the next fire after the resume outside stepgraph (2019-03-05 02:00)');
    expect(fireText(queue.fires[3], ZONE)).toBe(
      'missed while paused; queued at the next fire after the resume outside stepgraph (2019-03-05 02:00) behind nightly-2019-03-03; started 2019-03-06 08:00 when the run before it ended',
    );
    // allow: both missed runs and the 5th's own start at the 5th's fire
    const allow = await outside('allow', true);
    expect(allow.runs.filter((r) => r.start === at('2019-03-05T02:00')).map((r) => [r.run, r.by])).toStrictEqual([
      ['nightly-2019-03-03', 'catch-up'],
      ['nightly-2019-03-04', 'catch-up'],
      ['nightly-2019-03-05', 'schedule'],
    ]);
    // skip: the 3rd starts, the 4th is not run, the 5th is skipped behind the 3rd
    const skip = await outside('skip', true);
    expect(fates(skip).slice(2, 5)).toStrictEqual(['2019-03-03 missed caught-up 2019-03-05T01:00:00.000Z', '2019-03-04 missed skipped', '2019-03-05 skipped']);
    // catch_up false: nothing was recorded, nothing is caught up
    const none = await outside('allow', false);
    expect(none.runs.some((r) => r.by === 'catch-up')).toBe(false);
  });

  it('runs of a schedule share pools: overlapping runs never hold more slots than the pool has', async () => {
    const text = `name: shared
schedule: { cron: "0 */2 * * ? *", overlap: allow }
pools:
  warehouse: { slots: 1 }
jobs:
  load: { lambda: load, pool: warehouse, estimate: 3h }
`;
    const compiled = compileTexts([{ file: 'shared.yaml', text }]).compiled[0];
    const sim = await simulateSchedule(compiled, { from: Date.parse('2019-03-01T00:00:00Z'), to: Date.parse('2019-03-01T05:00:00Z') });
    // three runs fired at 00:00, 02:00, 04:00, one daily date: the later fires find the date's run
    expect(sim.fires.map((f) => f.outcome)).toStrictEqual(['started', 'duplicate', 'duplicate']);
    expect(sim.pools).toStrictEqual([{ pool: 'warehouse', slots: 1, peak: 1, heldAtEnd: 0 }]);
  });
});

describe('the --schedule and --paused flags', () => {
  async function cli(...args: string[]) {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    return { code: await simulateCommand(args), out: out.join('\n') };
  }

  it('prints each fire time and what became of it; --json has the same', async () => {
    const { code, out } = await cli('test/fixtures/schedule/nightly.yaml', '--schedule', '2019-03-11..2019-03-14', '--paused', '2019-03-12T00:00..2019-03-13T12:00');
    expect(code).toBe(0);
    expect(out).toContain('schedule cron(0 2 * * ? *) in Europe/Belgrade; overlap: queue; catch_up: true');
    expect(out).toContain('2019-03-12 02:00  run 2019-03-12  missed while paused; caught up at the resume, 2019-03-13 12:00');
    expect(out).toContain('4 fire times: 2 started');
    const json = JSON.parse((await cli('test/fixtures/schedule/nightly.yaml', '--schedule', '2019-03-11..2019-03-14', '--json')).out);
    expect(json.fires.map((f: { outcome: string }) => f.outcome)).toStrictEqual(['started', 'started', 'started', 'started']);
  });

  it('refuses a pause outside the window, --paused alone, and a workflow without a schedule', async () => {
    await expect(cli('test/fixtures/schedule/nightly.yaml', '--schedule', '2019-03-11..2019-03-14', '--paused', '2019-03-10..2019-03-12')).rejects.toThrow(/not inside --schedule/);
    await expect(cli('test/fixtures/schedule/nightly.yaml', '--paused', '2019-03-10..2019-03-12')).rejects.toThrow(/--paused goes with --schedule/);
    await expect(cli('test/fixtures/schedule/plain.yaml', '--schedule', '2019-03-11..2019-03-14')).rejects.toThrow(/has no schedule/);
    await expect(cli('test/fixtures/schedule/nightly.yaml', '--schedule', '2019-03-11..tomorrow')).rejects.toThrow(/'tomorrow' is not a date/);
  });
});

// `replay --downstream` follows waits across dates: replaying a job of one date makes stale the
// runs of later dates whose jobs wait for its marker with an offset (and the daily run reading an
// hour's marker), transitively along a chain that depends on its own past, up to --through. They
// are listed oldest first and, with --yes, replayed in that order against mocked SFN and S3.
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, ListStateMachinesCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../generator/cli/main.ts';
import { setRetryPolicyForTests } from '../../generator/ops/options.ts';
import { REGION, mocks, noSleep } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'replay-dated-'));
mkdirSync(join(dir, 'workflows'));
const write = (name: string, text: string) => writeFileSync(join(dir, 'workflows', `${name}.yaml`), text);
write(
  'rollups',
  `name: rollups
partition: daily
markers: { bucket: acme-job-markers, prefix: done/ }
jobs:
  load: { lambda: load }
  rollup:
    needs: [load]
    lambda: rollup
    waits_for: [{ marker: rollup, date: -1d, since: "2019-03-01" }]
  report: { needs: [rollup], lambda: report }
  weekly:
    lambda: weekly
    waits_for: [{ marker: load, date: -7d }]
`,
);
write(
  'hourly-events',
  `name: hourly-events
partition: hourly
markers: { bucket: acme-job-markers, prefix: done/ }
jobs:
  events: { lambda: events }
`,
);
write(
  'daily-events',
  `name: daily-events
partition: daily
markers: { bucket: acme-job-markers, prefix: done/ }
jobs:
  summary: { lambda: summary, waits_for: [{ marker: events, partition: hourly }] }
  publish: { needs: [summary], lambda: publish }
`,
);
const WORKFLOWS = join(dir, 'workflows');
const arn = (name: string) => `arn:aws:states:${REGION}:123456789012:stateMachine:${name}`;

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    return { code: await main([...args, '--workflows', WORKFLOWS]), out: out.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('replay --downstream across dates', () => {
  const { sfn, s3 } = mocks();
  beforeAll(() => setRetryPolicyForTests({ sleep: noSleep }));
  afterAll(() => setRetryPolicyForTests(undefined));
  beforeEach(() => {
    sfn.reset();
    s3.reset();
    sfn.on(ListStateMachinesCommand).resolves({ stateMachines: ['rollups', 'hourly-events', 'daily-events'].map((name) => ({ name, stateMachineArn: arn(name), type: 'STANDARD' as const, creationDate: new Date(0) })) });
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    s3.on(DeleteObjectsCommand).resolves({});
    sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({ executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`, startDate: new Date() }));
  });

  it('--dry-run lists the later runs of a chain on its own past, oldest first, up to --through; no AWS call', async () => {
    const { code, out } = await cli('replay', 'rollups', '--date', '2019-03-12', '--only', 'rollup', '--downstream', '--through', '2019-03-14', '--dry-run');
    expect(code).toBe(0);
    const later = out.slice(out.indexOf('later dates'));
    expect(later).toBe(
      [
        'later dates reading these markers (waits across dates), oldest first:',
        '  rollups 2019-03-13: rollup waits for rollup -1d (via rollups 2019-03-12)',
        '    reruns: rollup, report',
        '  rollups 2019-03-14: rollup waits for rollup -1d (via rollups 2019-03-13)',
        '    reruns: rollup, report',
      ].join('\n'),
    );
    expect(sfn.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  it('a -7d wait names the run a week later, and only the jobs that read the marker', async () => {
    const { out } = await cli('replay', 'rollups', '--date', '2019-03-05', '--only', 'load', '--downstream', '--through', '2019-03-31', '--dry-run', '--json');
    const plan = JSON.parse(out) as { later: { workflow: string; date: string; markers: string[]; selection: string[]; via: string }[] };
    expect(plan.later).toEqual([{ workflow: 'rollups', date: '2019-03-12', markers: ['load -7d'], selection: ['weekly'], via: 'rollups 2019-03-05' }]);
  });

  it('an hour replayed makes the daily run of its day stale (partition: hourly)', async () => {
    const { out } = await cli('replay', 'hourly-events', '--date', '2019-03-12T05', '--only', 'events', '--downstream', '--through', '2019-03-31T00', '--dry-run', '--json');
    const plan = JSON.parse(out) as { downstream: unknown[]; later: { workflow: string; date: string; markers: string[] }[] };
    expect(plan.downstream).toEqual([]);
    expect(plan.later.map((r) => [r.workflow, r.date, r.markers])).toEqual([['daily-events', '2019-03-12', ['events (hourly)']]]);
  });

  it('--yes replays the date, then each later date in order: markers invalidated before each start', async () => {
    const { code } = await cli('replay', 'rollups', '--date', '2019-03-12', '--only', 'rollup', '--downstream', '--through', '2019-03-14', '--yes', '--region', REGION);
    expect(code).toBe(0);
    const starts = sfn.commandCalls(StartExecutionCommand).map((c) => [c.args[0].input.name, JSON.parse(c.args[0].input.input!)]);
    expect(starts).toEqual([
      ['rollups-2019-03-12-replay-1', { date: '2019-03-12', select: { rollup: true } }],
      ['rollups-2019-03-13-replay-1', { date: '2019-03-13', select: { rollup: true, report: true } }],
      ['rollups-2019-03-14-replay-1', { date: '2019-03-14', select: { rollup: true, report: true } }],
    ]);
    const deleted = s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete!.Objects!.map((o) => o.Key));
    expect(deleted).toEqual([
      ['done/rollup__20190312.done'],
      ['done/rollup__20190313.done', 'done/report__20190313.done'],
      ['done/rollup__20190314.done', 'done/report__20190314.done'],
    ]);
  });

  it('a wait across dates does not make the same date of its workflow a dependent; --through bounds the chain', async () => {
    const { out } = await cli('replay', 'rollups', '--date', '2019-03-12', '--from', 'load', '--downstream', '--through', '2019-03-13', '--dry-run', '--json');
    const plan = JSON.parse(out) as { downstream: unknown[]; later: { date: string; selection: string[] }[] };
    expect(plan.downstream).toEqual([]);
    // weekly of 2019-03-19 reads load -7d too, but lies past --through.
    expect(plan.later.map((r) => [r.date, r.selection])).toEqual([['2019-03-13', ['rollup', 'report']]]);
  });

  it('--through without --downstream is refused (exit 1)', async () => {
    const { code } = await cli('replay', 'rollups', '--date', '2019-03-12', '--only', 'rollup', '--through', '2019-03-14', '--dry-run');
    expect(code).toBe(1);
  });
});

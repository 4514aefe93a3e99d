// Schedule control at validate: the keys as the model holds them, and SG4014 for runs estimated
// longer than the schedule's interval while overlap is allow.
import { describe, expect, it } from 'vitest';
import { checkWorkflow } from '../../generator/check/workflow.ts';
import { readSource } from '../../generator/source.ts';

const NOW = new Date('2026-11-29T12:00:00Z');

function check(text: string) {
  const { source } = readSource('w.yaml', text);
  const { diagnostics, workflow } = checkWorkflow(source, { now: NOW });
  return { workflow, found: diagnostics.map((d) => ({ code: d.code, severity: d.severity, line: source.lines.position(d.start).line, message: d.message, hint: d.hint })) };
}

const chain = (schedule: string, estimates: [string, string]) =>
  `name: w\nschedule:\n${schedule}jobs:\n  a:\n    state_machine: arn:aws:states:eu-west-1:123456789012:stateMachine:y\n    timeout: 1d\n    estimate: ${estimates[0]}\n  b:\n    needs: [a]\n    state_machine: arn:aws:states:eu-west-1:123456789012:stateMachine:x\n    timeout: 1d\n    estimate: ${estimates[1]}\n`;

describe('schedule control at validate', () => {
  it('reads overlap and catch_up into the model; without them the schedule is as before', () => {
    expect(check(chain('  cron: "0 2 * * ? *"\n  overlap: skip\n  catch_up: false\n', ['10m', '1h'])).workflow?.schedule).toStrictEqual({ expression: 'cron(0 2 * * ? *)', overlap: 'skip', catchUp: false });
    expect(check(chain('  cron: "0 2 * * ? *"\n', ['10m', '1h'])).workflow?.schedule).toStrictEqual({ expression: 'cron(0 2 * * ? *)' });
  });

  it('GIVEN an hourly schedule and a 1h10m critical path with overlap allow WHEN checked THEN SG4014 at the schedule, naming both figures', () => {
    const { found } = check(chain('  cron: "0 * * * ? *"\n', ['10m', '1h']));
    expect(found.map((d) => [d.code, d.severity, d.line])).toStrictEqual([['SG4014', 'warning', 2]]);
    expect(found[0].message).toContain('runs are estimated at 1h10m');
    expect(found[0].message).toContain('fires every 1h at the shortest');
    expect(found[0].hint).toContain("'overlap: queue'");
  });

  it('takes the shortest gap between fire times (a rate, a cron with two times a day)', () => {
    expect(check(chain('  rate: 1 hour\n', ['10m', '1h'])).found.map((d) => d.code)).toStrictEqual(['SG4014']);
    // 02:00 and 05:00: a 3h gap, shorter than the 21h one
    expect(check(chain('  cron: "0 2,5 * * ? *"\n', ['1h', '2h30m'])).found.map((d) => d.code)).toStrictEqual(['SG4014']);
    expect(check(chain('  cron: "0 2,5 * * ? *"\n', ['1h', '1h30m'])).found).toStrictEqual([]);
  });

  it('says nothing once overlap is chosen, or when runs fit', () => {
    for (const overlap of ['queue', 'skip', 'allow']) {
      expect(check(chain(`  cron: "0 * * * ? *"\n  overlap: ${overlap}\n`, ['10m', '1h'])).found).toStrictEqual([]);
    }
    expect(check(chain('  cron: "0 2 * * ? *"\n', ['10m', '1h'])).found).toStrictEqual([]);
  });
});

// The --durations file: job -> duration, every problem reported at file:line:col.
import { describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import { parseDurations } from '../../generator/local/durations.ts';

const { workflow } = compilePaths(['workflows/player-analytics.yaml']).compiled[0];

describe('parseDurations', () => {
  it('reads job: duration pairs in seconds', () => {
    expect(parseDurations('d.yaml', 'sessions: 20m\nrevenue: 1h30s\n', workflow)).toEqual(
      new Map([
        ['sessions', 1200],
        ['revenue', 3630],
      ]),
    );
    expect(parseDurations('d.yaml', '# nothing yet\n', workflow)).toEqual(new Map());
  });

  it.each([
    ['sessions: 20 minutes\n', 'd.yaml:1:11: \'20 minutes\' is not a duration for \'sessions\''],
    ['sessions: 20m\nrevenue: 15\n', "d.yaml:2:10: 'revenue: 15' has no unit; write '15s', '15m' or '15h'"],
    ['sessions: 20m\n  \nrevenu: 1h\n', "d.yaml:3:1: workflow 'player-analytics' has no job 'revenu'; did you mean 'revenue'?"],
    ['- sessions: 20m\n', 'd.yaml:1:1: a durations file maps job names to durations'],
    ['sessions: [20m\n', 'd.yaml:2:1: YAML syntax'],
    ['sessions: 20m\nsessions: 5m\n', "d.yaml:2:1: 'sessions' is given twice"],
  ])('reports %j at its place', (text, message) => {
    expect(() => parseDurations('d.yaml', text, workflow)).toThrow(message);
  });
});

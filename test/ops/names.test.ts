import { describe, expect, it } from 'vitest';
import { consoleLink, executionArn, parseExecutionArn } from '../../generator/ops/names.ts';
import { markerKey } from '../../generator/contract/markers.ts';
import { dateOfRunName, isRunOfDate, nextReplayNumber, replayName, runName } from '../../generator/contract/run-names.ts';

describe('execution names', () => {
  it('names a first run and a replay after the workflow and the date', () => {
    expect(runName('player-analytics', '2019-03-12')).toBe('player-analytics-2019-03-12');
    expect(replayName('ad-attribution', '2019-03-12T05', 3)).toBe('ad-attribution-2019-03-12T05-replay-3');
  });

  it('numbers the next replay 1 + the highest of that date, ignoring other dates and workflows', () => {
    // GIVEN runs of several dates and a workflow whose name extends this one
    const names = [
      'player-analytics-2019-03-12',
      'player-analytics-2019-03-12-replay-1',
      'player-analytics-2019-03-12-replay-4',
      'player-analytics-2019-03-13-replay-9',
      'player-analytics-eu-2019-03-12-replay-7',
      'player-analytics-2019-03-12-replay-x',
    ];
    // WHEN / THEN
    expect(nextReplayNumber(names, 'player-analytics', '2019-03-12')).toBe(5);
    expect(nextReplayNumber(names, 'player-analytics', '2019-03-14')).toBe(1);
  });

  it('recognises the runs of a date and the date of a run', () => {
    expect(isRunOfDate('player-analytics-2019-03-12-replay-2', 'player-analytics', '2019-03-12')).toBe(true);
    expect(isRunOfDate('player-analytics-2019-03-12', 'player-analytics', '2019-03-12')).toBe(true);
    expect(isRunOfDate('player-analytics-2019-03-12-manual', 'player-analytics', '2019-03-12')).toBe(false);
    expect(dateOfRunName('ad-attribution-2019-03-12T05-replay-1', 'ad-attribution')).toBe('2019-03-12T05');
    expect(dateOfRunName('hand-made', 'ad-attribution')).toBeUndefined();
  });

  it('writes marker keys as <prefix><job>__<datekey>.done', () => {
    expect(markerKey('done/', 'revenue', '20190312')).toBe('done/revenue__20190312.done');
  });
});

describe('ARNs and links', () => {
  const sm = 'arn:aws:states:eu-west-1:123456789012:stateMachine:player-analytics';

  it('derives an execution ARN from the state machine ARN and parses it back', () => {
    const arn = executionArn(sm, 'player-analytics-2019-03-12');
    expect(arn).toBe('arn:aws:states:eu-west-1:123456789012:execution:player-analytics:player-analytics-2019-03-12');
    expect(parseExecutionArn(arn)).toStrictEqual({
      partition: 'aws',
      region: 'eu-west-1',
      account: '123456789012',
      stateMachine: 'player-analytics',
      execution: 'player-analytics-2019-03-12',
    });
    expect(parseExecutionArn('player-analytics')).toBeUndefined();
  });

  it('links to the execution in the console of its region', () => {
    expect(consoleLink('eu-west-1', 'arn:x')).toBe('https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:x');
  });
});

// A `when` compiles to a Choice rule whose only paths are the validated operand's and whose values
// are literals; these run the rules on aws-local-stepfunctions against run states, absent values
// and values of another JSON type included.
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../generator/conditions.ts';
import { choiceRule } from '../../generator/emit/conditions.ts';
import { StateMachine, type JsonValue } from '../../generator/local/engine.ts';
import { validateAsl } from '../support/asl-validate.ts';

/** Runs the condition as the Choice a job gets, on the local engine: true when the job would run. */
async function holds(condition: Condition, state: JsonValue): Promise<boolean> {
  const definition = {
    StartAt: 'J when?',
    States: {
      'J when?': { Type: 'Choice', Choices: [{ ...choiceRule(condition), Next: 'J' }], Default: 'J skipped by condition' },
      J: { Type: 'Pass', Result: 'ran', End: true },
      'J skipped by condition': { Type: 'Pass', Result: 'skipped', End: true },
    },
  };
  return (await new StateMachine(definition as never).run(state).result) === 'ran';
}

const mode = { param: 'mode' };
const rows = { output: { job: 'load', name: 'rows' } };

describe('when: Choice rules on the local engine', () => {
  it('renders an equals on a param as a guarded, typed literal comparison', () => {
    // GIVEN / WHEN
    const rule = choiceRule({ operand: mode, equals: 'full' });
    // THEN the value is a literal and the path is the validated name's
    expect(rule).toStrictEqual({
      And: [
        { Variable: '$.params.mode', IsPresent: true },
        { Variable: '$.params.mode', IsString: true },
        { Variable: '$.params.mode', StringEquals: 'full' },
      ],
    });
  });

  it('equals, not_equals and in read params, and an absent or differently typed value is not equal', async () => {
    expect(await holds({ operand: mode, equals: 'full' }, { params: { mode: 'full' } })).toBe(true);
    expect(await holds({ operand: mode, equals: 'full' }, { params: { mode: 'partial' } })).toBe(false);
    expect(await holds({ operand: mode, equals: 'full' }, { params: {} })).toBe(false);
    expect(await holds({ operand: mode, equals: 1 }, { params: { mode: '1' } })).toBe(false);
    expect(await holds({ operand: mode, not_equals: 'full' }, { params: {} })).toBe(true);
    expect(await holds({ operand: mode, not_equals: 'full' }, { params: { mode: 'full' } })).toBe(false);
    expect(await holds({ operand: mode, in: ['a', 'b'] }, { params: { mode: 'b' } })).toBe(true);
    expect(await holds({ operand: mode, in: ['a', 'b'] }, { params: { mode: 'c' } })).toBe(false);
    expect(await holds({ operand: mode, equals: true }, { params: { mode: true } })).toBe(true);
    expect(await holds({ operand: mode, equals: null }, { params: { mode: null } })).toBe(true);
  });

  it('numeric comparisons read upstream outputs at $.outputs.<job>.<name>', async () => {
    const at = (value: JsonValue): JsonValue => ({ outputs: { load: { rows: value } } });
    expect(await holds({ operand: rows, compare: 'greater_than', value: 0 }, at(5))).toBe(true);
    expect(await holds({ operand: rows, compare: 'greater_than', value: 0 }, at(0))).toBe(false);
    expect(await holds({ operand: rows, compare: 'at_least', value: 0 }, at(0))).toBe(true);
    expect(await holds({ operand: rows, compare: 'at_most', value: 9 }, at(10))).toBe(false);
    expect(await holds({ operand: rows, compare: 'less_than', value: 10 }, at(9.5))).toBe(true);
    // A job skipped by its own condition leaves no outputs: a comparison is false, `exists` tells.
    expect(await holds({ operand: rows, compare: 'less_than', value: 10 }, { outputs: {} })).toBe(false);
    expect(await holds({ operand: rows, compare: 'less_than', value: 10 }, at('9'))).toBe(false);
    expect(await holds({ operand: rows, exists: true }, { outputs: {} })).toBe(false);
    expect(await holds({ operand: rows, exists: false }, { outputs: {} })).toBe(true);
    expect(await holds({ operand: rows, exists: true }, at(0))).toBe(true);
  });

  it('all, any and not combine tests', async () => {
    const full = { operand: mode, equals: 'full' } as const;
    const many = { operand: rows, compare: 'greater_than', value: 100 } as const;
    const state = (m: string, r: number): JsonValue => ({ params: { mode: m }, outputs: { load: { rows: r } } });
    expect(await holds({ all: [full, many] }, state('full', 101))).toBe(true);
    expect(await holds({ all: [full, many] }, state('full', 100))).toBe(false);
    expect(await holds({ any: [full, many] }, state('partial', 101))).toBe(true);
    expect(await holds({ any: [full, many] }, state('partial', 1))).toBe(false);
    expect(await holds({ not: { any: [full, many] } }, state('partial', 1))).toBe(true);
  });

  it('keeps hostile values as data: quotes, JSONPath and intrinsic text stay literals', async () => {
    const value = "$.params.mode', States.Format('x') \\ .$";
    const rule = choiceRule({ operand: mode, equals: value });
    const keys = (v: unknown): string[] => (v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [k, ...keys(x)]) : []);
    expect(keys(rule).filter((k) => k.endsWith('.$'))).toEqual([]);
    expect(JSON.stringify(rule)).toContain(JSON.stringify(value));
    expect(await holds({ operand: mode, equals: value }, { params: { mode: value } })).toBe(true);
    expect(await holds({ operand: mode, equals: value }, { params: { mode: 'full' } })).toBe(false);
    const definition = { StartAt: 'c', States: { c: { Type: 'Choice', Choices: [{ ...rule, Next: 'e' }], Default: 'e' }, e: { Type: 'Succeed' } } };
    expect(await validateAsl(definition)).toEqual([]);
  });
});

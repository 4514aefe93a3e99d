// A job's `when` as a Choice rule. The only paths written are `$.params.<name>` and
// `$.outputs.<job>.<name>`, built from names the check phase accepted as plain identifiers; every
// compared value is a literal of the rule (StringEquals: "...", never a path or intrinsic text).
// A test of a value that is absent, or of another JSON type, is false (each compare is guarded by
// IsPresent and the type test), so `not_equals` holds for an absent value and `exists` tells them apart.
import type { Comparison, Condition, Operand, Scalar } from '../conditions.ts';

export type ChoiceRule = Record<string, unknown>;

function operandPath(operand: Operand): string {
  return 'param' in operand ? `$.params.${operand.param}` : `$.outputs.${operand.output.job}.${operand.output.name}`;
}

export function choiceRule(condition: Condition): ChoiceRule {
  if ('all' in condition) return condition.all.length === 1 ? choiceRule(condition.all[0]) : { And: condition.all.map(choiceRule) };
  if ('any' in condition) return condition.any.length === 1 ? choiceRule(condition.any[0]) : { Or: condition.any.map(choiceRule) };
  if ('not' in condition) return { Not: choiceRule(condition.not) };
  const variable = operandPath(condition.operand);
  if ('exists' in condition) return { Variable: variable, IsPresent: condition.exists };
  if ('equals' in condition) return equals(variable, condition.equals);
  if ('not_equals' in condition) return { Not: equals(variable, condition.not_equals) };
  if ('in' in condition) return condition.in.length === 1 ? equals(variable, condition.in[0]) : { Or: condition.in.map((v) => equals(variable, v)) };
  return { And: [{ Variable: variable, IsPresent: true }, { Variable: variable, IsNumeric: true }, { Variable: variable, [NUMERIC[condition.compare]]: condition.value }] };
}

const NUMERIC: Record<Comparison, string> = {
  less_than: 'NumericLessThan',
  greater_than: 'NumericGreaterThan',
  at_least: 'NumericGreaterThanEquals',
  at_most: 'NumericLessThanEquals',
};

function equals(variable: string, value: Scalar): ChoiceRule {
  const present = { Variable: variable, IsPresent: true };
  if (value === null) return { And: [present, { Variable: variable, IsNull: true }] };
  if (typeof value === 'string') return { And: [present, { Variable: variable, IsString: true }, { Variable: variable, StringEquals: value }] };
  if (typeof value === 'number') return { And: [present, { Variable: variable, IsNumeric: true }, { Variable: variable, NumericEquals: value }] };
  return { And: [present, { Variable: variable, IsBoolean: true }, { Variable: variable, BooleanEquals: value }] };
}

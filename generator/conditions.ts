// The model of a job's `when` (a condition on run params and upstream outputs) and `run_if` (a
// trigger rule on how its needs ended). Types and small pure questions only: the check phase reads
// them, emit renders them as Choice rules (emit/conditions.ts), render and the local engine read them.

/** What a condition looks at: a run param (`$.params.<name>`) or an upstream output (`$.outputs.<job>.<name>`). */
export type Operand = { param: string } | { output: { job: string; name: string } };

export type Scalar = string | number | boolean | null;

export type Comparison = 'less_than' | 'greater_than' | 'at_least' | 'at_most';

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { operand: Operand; equals: Scalar }
  | { operand: Operand; not_equals: Scalar }
  | { operand: Operand; in: Scalar[] }
  | { operand: Operand; exists: boolean }
  | { operand: Operand; compare: Comparison; value: number };

/**
 * Airflow's trigger rules. A need "failed" when it failed after its retries or did not run because
 * a need of its own failed; a need skipped (by its condition, a replay's selection or its rule
 * being unmet without a failure) counts as done, as with all_success.
 */
export const TRIGGER_RULES = ['all_success', 'all_done', 'one_failed', 'all_failed'] as const;
export type TriggerRule = (typeof TRIGGER_RULES)[number];

export const COMPARISONS: readonly Comparison[] = ['less_than', 'greater_than', 'at_least', 'at_most'];

/** `param mode`, `output load.rows`: how diagnostics, graphs and progress lines name an operand. */
export function operandText(operand: Operand): string {
  return 'param' in operand ? `param ${operand.param}` : `output ${operand.output.job}.${operand.output.name}`;
}

const VALUE = (v: Scalar): string => JSON.stringify(v);
const COMPARE_TEXT: Record<Comparison, string> = { less_than: '<', greater_than: '>', at_least: '>=', at_most: '<=' };

/** A one-line reading of a condition, for graphs and progress lines. */
export function conditionText(condition: Condition): string {
  if ('all' in condition) return condition.all.map((c) => wrap(c)).join(' and ');
  if ('any' in condition) return condition.any.map((c) => wrap(c)).join(' or ');
  if ('not' in condition) return `not ${wrap(condition.not)}`;
  const what = operandText(condition.operand);
  if ('equals' in condition) return `${what} = ${VALUE(condition.equals)}`;
  if ('not_equals' in condition) return `${what} != ${VALUE(condition.not_equals)}`;
  if ('in' in condition) return `${what} in [${condition.in.map(VALUE).join(', ')}]`;
  if ('exists' in condition) return condition.exists ? `${what} exists` : `${what} is absent`;
  return `${what} ${COMPARE_TEXT[condition.compare]} ${condition.value}`;
}

const wrap = (c: Condition): string => ('all' in c || 'any' in c ? `(${conditionText(c)})` : conditionText(c));

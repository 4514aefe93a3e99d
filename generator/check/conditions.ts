// Reads a job's `when:` (a condition on run params and upstream outputs) and `run_if:` (a trigger
// rule). Names that later become parts of a JSONPath (`$.params.<name>`, `$.outputs.<job>.<name>`)
// are checked here to be plain identifiers, and compared values stay data: nothing the user writes
// becomes path or intrinsic text (emit/conditions.ts). References to other jobs are checked once
// every job is read (check/condition-refs.ts).
import { isMap, isSeq, type Node } from 'yaml';
import { COMPARISONS, TRIGGER_RULES, type Comparison, type Condition, type Operand, type Scalar, type TriggerRule } from '../conditions.ts';
import { didYouMean } from '../contract/suggest.ts';
import { Codes } from '../messages.ts';
import type { Entry, Reader, Span } from './reader.ts';

/** Where each operand of a condition was written, for the checks that need the other jobs. */
export interface OperandSpan {
  operand: Operand;
  span: Span;
}

const OPERANDS = ['param', 'output'] as const;
const TESTS = ['equals', 'not_equals', 'in', 'exists', ...COMPARISONS] as const;
const COMBINATORS = ['all', 'any', 'not'] as const;
const CONDITION_KEYS: readonly string[] = [...OPERANDS, ...TESTS, ...COMBINATORS];
/** A param or output name: it becomes one step of a JSONPath, so only a plain identifier. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,79}$/;

export function readWhen(r: Reader, entry: Entry | undefined, where: string): { condition?: Condition; operands: OperandSpan[] } {
  const operands: OperandSpan[] = [];
  if (!entry) return { operands };
  const condition = readCondition(r, entry.value, entry.span, `'when' of ${where}`, operands);
  return { ...(condition && { condition }), operands };
}

export function readRunIf(r: Reader, entry: Entry | undefined, where: string): TriggerRule | undefined {
  if (!entry) return undefined;
  const value = r.string(entry);
  if (value === undefined) return undefined;
  if ((TRIGGER_RULES as readonly string[]).includes(value)) return value as TriggerRule;
  const hint =
    value === 'none_failed' || value === 'none_failed_min_one_success'
      ? `'${value}' is what all_success already does here: a need skipped by its condition or a replay counts as done`
      : (didYouMean(value, TRIGGER_RULES) ?? `use one of: ${TRIGGER_RULES.join(', ')}`);
  r.error(entry.span, Codes.badTriggerRule, `'run_if' of ${where} is '${value}', not a trigger rule stepgraph knows`, hint);
  return undefined;
}

function readCondition(r: Reader, node: Node | null, span: Span, where: string, operands: OperandSpan[]): Condition | undefined {
  const fields = r.fields(node, where, CONDITION_KEYS);
  if (!fields) {
    r.error(span, Codes.badCondition, `${where} must be a mapping, not ${r.typeName(node)}`, "e.g. { param: mode, equals: full } or { all: [ ... ] }");
    return undefined;
  }
  const combinators = COMBINATORS.filter((k) => fields.has(k));
  if (combinators.length > 0) {
    const extra = [...fields.keys()].filter((k) => k !== combinators[0]);
    if (extra.length > 0) {
      r.error(fields.get(extra[0])!.keySpan, Codes.badCondition, `'${combinators[0]}' stands alone in ${where}: '${extra[0]}' beside it would be ignored`, `put '${extra[0]}' in a condition of its own inside an 'all' or 'any'`);
      return undefined;
    }
    const combinator = fields.get(combinators[0])!;
    if (combinator.key === 'not') {
      const inner = readCondition(r, combinator.value, combinator.span, `'not' in ${where}`, operands);
      return inner && { not: inner };
    }
    if (!isSeq(combinator.value) || combinator.value.items.length === 0) {
      r.error(combinator.span, Codes.badCondition, `'${combinator.key}' in ${where} must list one or more conditions`);
      return undefined;
    }
    const items = (combinator.value.items as (Node | null)[]).map((item) => readCondition(r, item, r.span(item, combinator.span), `'${combinator.key}' in ${where}`, operands));
    if (items.some((c) => c === undefined)) return undefined;
    return combinator.key === 'all' ? { all: items as Condition[] } : { any: items as Condition[] };
  }

  const given = OPERANDS.filter((k) => fields.has(k));
  const tests = TESTS.filter((k) => fields.has(k));
  // A key that is not known (`equal:`) was reported with its did-you-mean: a missing test or
  // operand beside it is that key, not a second problem.
  const unknownKey = isMap(node) && node.items.length > fields.size;
  if (unknownKey && (given.length === 0 || tests.length === 0)) return undefined;
  if (given.length !== 1) {
    const at = given.length > 1 ? fields.get(given[1])!.keySpan : span;
    r.error(at, Codes.badCondition, `${where} must name exactly one of 'param' or 'output' (${given.length === 0 ? 'none' : 'both'} given)`, "e.g. { param: mode, equals: full } or { output: load.rows, greater_than: 0 }");
    return undefined;
  }
  if (tests.length !== 1) {
    const at = tests.length > 1 ? fields.get(tests[1])!.keySpan : span;
    r.error(at, Codes.badCondition, `${where} must make exactly one test (${tests.length === 0 ? 'none' : tests.join(' and ')} given)`, `one of: ${TESTS.join(', ')}; combine several with 'all' or 'any'`);
    return undefined;
  }
  const operandEntry = fields.get(given[0])!;
  const operand = readOperand(r, operandEntry, where);
  const test = fields.get(tests[0])!;
  const value = readTest(r, test, where);
  if (!operand || !value) return undefined;
  operands.push({ operand, span: operandEntry.span });
  return { operand, ...value } as Condition;
}

function readOperand(r: Reader, entry: Entry, where: string): Operand | undefined {
  const text = r.string(entry);
  if (text === undefined) return undefined;
  if (entry.key === 'param') {
    if (IDENTIFIER.test(text)) return { param: text };
    r.error(entry.span, Codes.badOperandName, `'${text}' in ${where} is not a param name`, 'a param name is letters, digits and _, starting with a letter or _');
    return undefined;
  }
  const dot = text.indexOf('.');
  const job = text.slice(0, dot);
  const name = text.slice(dot + 1);
  if (dot < 0 || !IDENTIFIER.test(job) || !IDENTIFIER.test(name)) {
    r.error(entry.span, Codes.badOperandName, `'${text}' in ${where} is not an output reference`, "write '<job>.<output>', e.g. output: list_partitions.rows");
    return undefined;
  }
  return { output: { job, name } };
}

type Test = { equals: Scalar } | { not_equals: Scalar } | { in: Scalar[] } | { exists: boolean } | { compare: Comparison; value: number };

function readTest(r: Reader, entry: Entry, where: string): Test | undefined {
  const value = r.json(entry.value);
  const scalar = (v: unknown): v is Scalar => v === null || ['string', 'number', 'boolean'].includes(typeof v);
  switch (entry.key) {
    case 'equals':
    case 'not_equals':
      if (scalar(value)) return entry.key === 'equals' ? { equals: value } : { not_equals: value };
      r.error(entry.span, Codes.badConditionValue, `'${entry.key}' in ${where} compares with one value: a string, number, true, false or null`, Array.isArray(value) ? "to match any of several values, use 'in: [...]'" : undefined);
      return undefined;
    case 'in':
      if (Array.isArray(value) && value.length > 0 && value.every(scalar)) return { in: value as Scalar[] };
      r.error(entry.span, Codes.badConditionValue, `'in' in ${where} must list one or more values (strings, numbers, true, false or null)`);
      return undefined;
    case 'exists':
      if (typeof value === 'boolean') return { exists: value };
      r.error(entry.span, Codes.badConditionValue, `'exists' in ${where} is true or false`, 'true: the value is there; false: it is absent (a param not given, an output of a job that was skipped)');
      return undefined;
    default:
      if (typeof value === 'number') return { compare: entry.key as Comparison, value };
      r.error(entry.span, Codes.badConditionValue, `'${entry.key}' in ${where} compares numbers: give a number, not ${isMap(entry.value) ? 'a mapping' : JSON.stringify(value)}`, typeof value === 'string' ? "to compare text, use 'equals' or 'in'" : undefined);
      return undefined;
  }
}

// Checks of `when` and `run_if` that need every job: an output read must belong to a job upstream
// that declares it, a trigger rule needs needs, and conditions that can never hold are refused
// (the job would always be skipped, which is surely not what was meant).
import type { Comparison, Condition, Operand, Scalar } from '../conditions.ts';
import { operandText } from '../conditions.ts';
import { didYouMean } from '../contract/suggest.ts';
import { Codes } from '../messages.ts';
import { upstreamOf, type Job } from '../model.ts';
import type { OperandSpan } from './conditions.ts';
import type { Reader, Span } from './reader.ts';

export interface ConditionSpans {
  /** Each operand of the job's `when`, in source order. */
  operands: OperandSpan[];
  when?: Span;
  runIf?: Span;
}

export function checkConditionRefs(r: Reader, jobs: readonly Job[], spans: ReadonlyMap<string, ConditionSpans | undefined>): void {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  // Only the jobs whose conditions read an output are asked about (graphs reach 100,000 jobs).
  const upstream = upstreamOf(byName);
  for (const job of jobs) {
    const at = spans.get(job.name);
    if (!at) continue;
    if (job.runIf && job.runIf !== 'all_success' && job.needs.length === 0 && at.runIf) {
      r.error(at.runIf, Codes.runIfWithoutNeeds, `job '${job.name}' has 'run_if: ${job.runIf}' but no needs: the rule has nothing to look at`, "add the jobs it follows to 'needs', or drop 'run_if'");
    }
    for (const { operand, span } of at.operands) {
      if ('param' in operand) continue;
      const { job: from, name } = operand.output;
      const source = byName.get(from);
      if (!source) {
        r.error(span, Codes.badConditionRef, `job '${job.name}' reads an output of unknown job '${from}'`, didYouMean(from, byName.keys()) ?? `jobs are: ${[...byName.keys()].join(', ')}`);
        continue;
      }
      if (!upstream(job.name).has(from)) {
        r.error(span, Codes.badConditionRef, `job '${job.name}' reads an output of '${from}', which is not among its needs: it may not have run yet`, `add '${from}' to the needs of '${job.name}'`);
        continue;
      }
      const declared = (source.outputs ?? []).map((o) => o.name);
      if (!declared.includes(name)) {
        r.error(span, Codes.badConditionRef, `job '${from}' has no output '${name}'`, didYouMean(name, declared) ?? (declared.length > 0 ? `its outputs are: ${declared.join(', ')}` : `declare it under 'outputs:' of '${from}'`));
      }
    }
    if (job.when && at.when) {
      const why = never(job.when);
      if (why) r.error(at.when, Codes.conditionContradiction, `the 'when' of job '${job.name}' can never hold: ${why}`, 'the job would always be skipped; correct the condition or drop the job');
    }
    if (job.runIf === 'all_failed' && job.when && at.when) {
      const read = (at.operands ?? []).find((o) => 'output' in o.operand && job.needs.includes(o.operand.output.job));
      if (read && 'output' in read.operand) {
        r.error(read.span, Codes.ruleNeverRuns, `job '${job.name}' runs only when all its needs failed, yet its 'when' reads an output of its need '${read.operand.output.job}', which a failed job never leaves`, "test 'exists: false' if that is meant, or read an output of a job before the needs");
      }
    }
  }
}


type Leaf = Exclude<Condition, { all: Condition[] } | { any: Condition[] } | { not: Condition }>;

/**
 * Why a condition can never hold, for the contradictions visible in one `all` (or a single test):
 * two different values required of one operand, a value required of an absent one, an empty range.
 */
function never(condition: Condition): string | undefined {
  if ('any' in condition) return condition.any.every((c) => never(c) !== undefined) ? never(condition.any[0]) : undefined;
  if ('not' in condition) return undefined;
  const leaves: Leaf[] = 'all' in condition ? condition.all.filter((c): c is Leaf => 'operand' in c) : [condition as Leaf];
  if ('all' in condition) {
    const inner = condition.all.map(never).find((w) => w !== undefined);
    if (inner) return inner;
  }
  const groups = new Map<string, { operand: Operand; leaves: Leaf[] }>();
  for (const leaf of leaves) {
    const key = operandText(leaf.operand);
    if (!groups.has(key)) groups.set(key, { operand: leaf.operand, leaves: [] });
    groups.get(key)!.leaves.push(leaf);
  }
  for (const [what, { leaves: tests }] of groups) {
    const allowed = allowedValues(tests);
    if (allowed && allowed.length === 0) return `no value of ${what} passes all its tests`;
    const absent = tests.some((t) => 'exists' in t && !t.exists);
    const valueTest = tests.find((t) => 'equals' in t || 'in' in t || 'compare' in t || ('exists' in t && t.exists));
    if (absent && valueTest) return `${what} must be absent and yet ${'exists' in valueTest ? 'present' : 'have a value'}`;
    if (allowed) {
      const left = allowed.filter((v) => tests.every((t) => passes(t, v)));
      if (left.length === 0) return `no value of ${what} passes all its tests`;
    } else if (emptyRange(tests)) return `no number is in the range its tests give ${what}`;
  }
  return undefined;
}

/** The values an equals/in test leaves possible (undefined: any value). */
function allowedValues(tests: readonly Leaf[]): Scalar[] | undefined {
  let allowed: Scalar[] | undefined;
  for (const t of tests) {
    const values = 'equals' in t ? [t.equals] : 'in' in t ? t.in : undefined;
    if (!values) continue;
    allowed = allowed ? allowed.filter((v) => values.includes(v)) : [...values];
  }
  return allowed;
}

function passes(t: Leaf, v: Scalar): boolean {
  if ('not_equals' in t) return v !== t.not_equals;
  if ('compare' in t) return typeof v === 'number' && compare(t.compare, v, t.value);
  return true;
}

function compare(how: Comparison, v: number, bound: number): boolean {
  return how === 'less_than' ? v < bound : how === 'greater_than' ? v > bound : how === 'at_least' ? v >= bound : v <= bound;
}

function emptyRange(tests: readonly Leaf[]): boolean {
  let low = -Infinity;
  let high = Infinity;
  let lowOpen = false;
  let highOpen = false;
  for (const t of tests) {
    if (!('compare' in t)) continue;
    if (t.compare === 'greater_than' || t.compare === 'at_least') {
      const open = t.compare === 'greater_than';
      if (t.value > low || (t.value === low && open)) [low, lowOpen] = [t.value, open];
    } else {
      const open = t.compare === 'less_than';
      if (t.value < high || (t.value === high && open)) [high, highOpen] = [t.value, open];
    }
  }
  return low > high || (low === high && (lowOpen || highOpen));
}

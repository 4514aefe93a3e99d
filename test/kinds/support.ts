// What every first-class kind's tests do: compile its fixture against the golden files, find a
// job's Task, run that Task's parameters through the local engine to see what a handler receives,
// synthesize the stack and read the state machine's statements, run cdk-nag.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwsSolutionsChecks } from 'cdk-nag';
import { expect } from 'vitest';
import { compileTexts, type CompiledWorkflow } from '../../generator/compile.ts';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { StateMachine, type JsonValue } from '../../generator/local/engine.ts';
import { allStates } from '../../generator/emit/asl-walk.ts';
import { expectGolden } from '../support/golden.ts';
import { flat, resources, type Synthesized } from '../infra/support.ts';

export type State = Record<string, any>;

/** The fixture test/fixtures/kinds/<kind>/input.yaml, compiled and compared with its golden ASL and manifest. */
export function compileFixture(kind: string): CompiledWorkflow {
  const dir = join('test/fixtures/kinds', kind);
  const result = compileTexts([{ file: 'input.yaml', text: readFileSync(join(dir, 'input.yaml'), 'utf8') }]);
  expect(result.diagnostics.map((d) => formatDiagnostic(d, result.lineMaps))).toEqual([]);
  const compiled = result.compiled[0];
  expectGolden(join(dir, 'expected.asl.json'), compiled.definitions[0].text);
  expectGolden(join(dir, 'expected.manifest.json'), `${JSON.stringify(compiled.manifest, null, 2)}\n`);
  return compiled;
}

/** The diagnostics of a workflow text, printed as users see them (file:line:col code message, hint). */
export function diagnosticsOf(text: string): string[] {
  const result = compileTexts([{ file: 'kinds.yaml', text }]);
  // Without the code frame under each: the message and its hint.
  return result.diagnostics.map((d) => formatDiagnostic(d, result.lineMaps).split('\n').filter((l) => !/^\s*\d*\s\|/.test(l)).join('\n'));
}

export function taskOf(compiled: Pick<CompiledWorkflow, 'definitions'>, job: string): State {
  for (const { definition } of compiled.definitions) for (const [name, state] of allStates(definition)) if (name === job) return state as State;
  throw new Error(`no state '${job}'`);
}

/**
 * The input a local handler of the job's Task receives: the Task alone, run by the local engine
 * on a run's input (the prologue's `$.run` date parts), its Parameters evaluated as Step
 * Functions evaluates them.
 */
export async function handlerInput(task: State, date: { date: string; yyyy: string; mm: string; dd: string; hh?: string; datekey: string }): Promise<JsonValue> {
  const { Next: _next, End: _end, Retry: _retry, ResultSelector: _selector, ResultPath: _path, ...state } = task;
  let received: JsonValue = null;
  const definition = { StartAt: 'job', States: { job: { ...state, End: true } } };
  const input = { date: date.date, params: {}, run: { datekey: date.datekey, yyyy: date.yyyy, mm: date.mm, dd: date.dd, ...(date.hh && { hh: date.hh }), execution: 'local' } };
  // Unvalidated: asl-validator's payload check refuses an escaped backslash in an intrinsic's
  // string literal, which Step Functions documents (emitted definitions are validated elsewhere).
  await new StateMachine(definition as never, { validationOptions: { noValidate: true } }).run(input, { overrides: { taskResourceLocalHandlers: { job: (i: JsonValue) => ((received = i), {}) } } }).result;
  return received;
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

/** The state machine role's statements whose actions start with one of `prefixes`, resources flattened. */
export function statementsFor(s: Synthesized, prefixes: string[]): { actions: string[]; resources: string[]; condition?: unknown }[] {
  const policy = Object.entries(resources(s.template, 'AWS::IAM::Policy')).find(([id]) => id.startsWith('StateMachineAccess'))![1];
  return (policy.Properties!.PolicyDocument.Statement as Statement[])
    .filter((st) => [st.Action].flat().some((a) => prefixes.some((p) => a.startsWith(p))))
    .map((st) => ({ actions: [st.Action].flat(), resources: [st.Resource].flat().map(flat).sort(), ...(st.Condition && { condition: st.Condition }) }));
}

/** cdk-nag's AwsSolutions findings left unacknowledged on the stack. */
export function nagViolations(s: Synthesized): string[] {
  const report = new AwsSolutionsChecks().validateScope(s.stack);
  return report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
}

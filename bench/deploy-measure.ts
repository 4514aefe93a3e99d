// The deploy's limits measured on a synthesized template (the test in test/scale and the
// benchmark use it): template bytes as written (compact JSON), resources, outputs, parameters,
// the inline policy characters of each role (whitespace excluded), managed policies per role,
// Lambda environments, event patterns and target inputs, Scheduler inputs, names and tag values.
// CloudFormation references are rendered at their longest plausible width, so the figures err
// on the safe side of what IAM and the other services count once deployed.
import { DEPLOY_LIMITS, NAME_LIMITS } from '../generator/emit/deploy-limits.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Resource = { Type: string; Properties?: Record<string, Json> };

export const LIMITS = {
  ...DEPLOY_LIMITS,
  outputs: 200,
  parameters: 200,
  managedPolicyChars: 6144,
  managedPoliciesPerRole: 10,
  schedulerInputChars: 8192,
  roleName: 64,
  ruleName: 64,
  functionName: 64,
  stateMachineName: NAME_LIMITS.stateMachine,
  tagValue: NAME_LIMITS.tagValue,
} as const;

export interface StackFigures {
  templateBytes: number;
  resources: number;
  outputs: number;
  parameters: number;
  stateMachines: number;
  logGroups: number;
  /** The largest sum of inline policy characters of one role. */
  rolePolicyChars: number;
  managedPolicyChars: number;
  managedPoliciesPerRole: number;
  lambdaEnvironmentBytes: number;
  eventPatternChars: number;
  targetInputChars: number;
  schedulerInputChars: number;
  /** Longest explicit name of each kind (0 when CloudFormation generates them: those fit by construction). */
  stateMachineName: number;
  roleName: number;
  ruleName: number;
  functionName: number;
  tagValue: number;
}

const REF_WIDTH: Record<string, number> = { 'AWS::Partition': 10, 'AWS::Region': 14, 'AWS::AccountId': 12, 'AWS::URLSuffix': 13, 'AWS::StackName': 128 };

/** A CloudFormation value as text, references at their longest plausible width. */
export function render(value: Json): string {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? value : JSON.stringify(value);
  if (Array.isArray(value)) return JSON.stringify(value.map((v) => render(v)));
  const [key] = Object.keys(value);
  const arg = value[key];
  if (key === 'Ref') return 'x'.repeat(REF_WIDTH[String(arg)] ?? 63);
  if (key === 'Fn::GetAtt') return 'x'.repeat(140);
  if (key === 'Fn::ImportValue') return 'x'.repeat(140);
  if (key === 'Fn::Join') {
    const [sep, parts] = arg as [string, Json[]];
    return parts.map((p) => render(p)).join(sep);
  }
  if (key === 'Fn::Sub') return render(Array.isArray(arg) ? arg[0] : arg).replace(/\$\{[^}]+\}/g, 'x'.repeat(63));
  if (key === 'Fn::Select' || key === 'Fn::Split' || key === 'Fn::If') return 'x'.repeat(63);
  return JSON.stringify(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'object' && v !== null ? JSON.parse(JSON.stringify(render(v))) : v])));
}

/** A JSON value with every reference rendered as text (a policy document as IAM would see it). */
function rendered(value: Json): Json {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(rendered);
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return render(value);
  return Object.fromEntries(keys.map((k) => [k, rendered(value[k])]));
}

const noSpace = (value: Json): number => JSON.stringify(rendered(value)).replace(/\s/g, '').length;
const key = (ref: Json): string => JSON.stringify(ref);

export function measureTemplate(template: { Resources?: Record<string, Resource>; Outputs?: object; Parameters?: object }): StackFigures {
  const resources = Object.entries(template.Resources ?? {});
  const of = (type: string) => resources.filter(([, r]) => r.Type === type).map(([id, r]) => ({ id, p: r.Properties ?? {} }));
  const inline = new Map<string, number>();
  const managed = new Map<string, number>();
  for (const { id, p } of of('AWS::IAM::Role')) {
    const own = ((p.Policies as Json[] | undefined) ?? []).reduce<number>((n, pol) => n + noSpace((pol as { PolicyDocument: Json }).PolicyDocument), 0);
    inline.set(key({ Ref: id }), own);
    managed.set(key({ Ref: id }), ((p.ManagedPolicyArns as Json[] | undefined) ?? []).length);
  }
  for (const { p } of of('AWS::IAM::Policy')) {
    for (const role of (p.Roles as Json[] | undefined) ?? []) inline.set(key(role), (inline.get(key(role)) ?? 0) + noSpace(p.PolicyDocument));
  }
  let managedChars = 0;
  for (const { id, p } of of('AWS::IAM::ManagedPolicy')) {
    managedChars = Math.max(managedChars, noSpace(p.PolicyDocument));
    for (const role of (p.Roles as Json[] | undefined) ?? []) managed.set(key(role), (managed.get(key(role)) ?? 0) + 1);
    void id;
  }
  const targets = of('AWS::Events::Rule').flatMap(({ p }) => (p.Targets as { Input?: Json; InputTransformer?: { InputTemplate: Json } }[] | undefined) ?? []);
  const len = (v: Json | undefined): number => (v === undefined ? 0 : render(v).length);
  const max = (xs: number[]): number => xs.reduce((a, b) => Math.max(a, b), 0);
  const names = (type: string, prop: string): number => max(of(type).map(({ p }) => (p[prop] === undefined ? 0 : render(p[prop]).length)));
  const tags = resources.flatMap(([, r]) => ((r.Properties?.Tags as { Value: Json }[] | undefined) ?? []).filter((t) => t && typeof t === 'object' && 'Value' in t));
  return {
    templateBytes: Buffer.byteLength(JSON.stringify(template)),
    resources: resources.length,
    outputs: Object.keys(template.Outputs ?? {}).length,
    parameters: Object.keys(template.Parameters ?? {}).length,
    stateMachines: of('AWS::StepFunctions::StateMachine').length,
    logGroups: of('AWS::Logs::LogGroup').length,
    rolePolicyChars: max([...inline.values()]),
    managedPolicyChars: managedChars,
    managedPoliciesPerRole: max([...managed.values()]),
    lambdaEnvironmentBytes: max(
      of('AWS::Lambda::Function').map(({ p }) => Object.entries(((p.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables) ?? {}).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(render(v)), 0)),
    ),
    eventPatternChars: max(of('AWS::Events::Rule').map(({ p }) => (p.EventPattern ? JSON.stringify(rendered(p.EventPattern)).length : 0))),
    targetInputChars: max(targets.map((t) => Math.max(len(t.Input), len(t.InputTransformer?.InputTemplate)))),
    schedulerInputChars: max(of('AWS::Scheduler::Schedule').map(({ p }) => len((p.Target as { Input?: Json }).Input))),
    stateMachineName: names('AWS::StepFunctions::StateMachine', 'StateMachineName'),
    roleName: names('AWS::IAM::Role', 'RoleName'),
    ruleName: names('AWS::Events::Rule', 'Name'),
    functionName: names('AWS::Lambda::Function', 'FunctionName'),
    tagValue: max(tags.map((t) => render(t.Value).length)),
  };
}

/** The figures past their limit (empty: the stack deploys as far as these limits go). */
export function overLimits(f: StackFigures): string[] {
  const checks: [keyof StackFigures, number][] = [
    ['templateBytes', LIMITS.templateBytes],
    ['resources', LIMITS.resources],
    ['outputs', LIMITS.outputs],
    ['parameters', LIMITS.parameters],
    ['rolePolicyChars', LIMITS.rolePolicyChars],
    ['managedPolicyChars', LIMITS.managedPolicyChars],
    ['managedPoliciesPerRole', LIMITS.managedPoliciesPerRole],
    ['lambdaEnvironmentBytes', LIMITS.lambdaEnvironmentBytes],
    ['eventPatternChars', LIMITS.eventPatternChars],
    ['targetInputChars', LIMITS.targetInputChars],
    ['schedulerInputChars', LIMITS.schedulerInputChars],
    ['stateMachineName', LIMITS.stateMachineName],
    ['roleName', LIMITS.roleName],
    ['ruleName', LIMITS.ruleName],
    ['functionName', LIMITS.functionName],
    ['tagValue', LIMITS.tagValue],
  ];
  return checks.filter(([k, limit]) => f[k] > limit).map(([k, limit]) => `${k} ${f[k]} > ${limit}`);
}

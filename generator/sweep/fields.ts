// One field of a parameter set: spawn's known fields have a type and a syntax, every other
// field is a custom parameter (any JSON). Returns the value, or the problem without reporting
// it, because the same mistake is a plain type error in `defaults` and an override of the wrong
// type in an entry.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { Codes } from '../messages.ts';
import { toData } from '../check/data.ts';
import { isPlaceholderMap } from '../check/reader.ts';
import { closest } from '../contract/suggest.ts';
import { durationHint, parseDuration } from '../check/values.ts';
import { isKnownField, KNOWN_FIELDS, type Json } from './model.ts';
import { instanceTypeProblem } from './instance-type-check.ts';

export interface FieldValue {
  value: Json;
  /** For ttl and idle_timeout. */
  seconds?: number;
  /** Fine, but probably not what was meant (a region one typo away from a known one). */
  warning?: FieldProblem;
}

interface FieldProblem {
  /** 'type': the value has the wrong JSON type (the caller picks the code); otherwise the code. */
  code: 'type' | string;
  message: string;
  hint?: string;
}

export type FieldResult = { ok: FieldValue } | { problem: FieldProblem };

/** Regions that exist today; a region outside this list is still accepted if it has the right shape. */
const KNOWN_REGIONS = [
  'af-south-1', 'ap-east-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7',
  'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1',
  'sa-east-1', 'us-east-1', 'us-east-2', 'us-gov-east-1', 'us-gov-west-1', 'us-west-1', 'us-west-2',
];

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const AMI = /^(?:ami-(?:[0-9a-f]{8}|[0-9a-f]{17})|resolve:ssm:\S+)$/;
const PROFILE_NAME = /^[\w+=,.@-]{1,128}$/;
const PROFILE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/[\w+=,.@/-]{1,128}$/;
const SUBNET = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SECURITY_GROUP = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

const typeName = (node: Node | null): string => {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  const v = isScalar(node) ? node.value : undefined;
  if (v === null) return 'null';
  return typeof v === 'boolean' ? 'a boolean' : typeof v === 'number' ? 'a number' : typeof v === 'string' ? 'a string' : 'an unknown value';
};

export const jsonType = (value: Json): string =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;

const wrong = (key: string, expected: string, node: Node | null): { problem: FieldProblem } => ({
  problem: {
    code: 'type',
    message: `'${key}' must be ${expected}, not ${typeName(node)}`,
    // `command: {lr}` is a mapping to YAML.
    ...(isPlaceholderMap(node) && { hint: "a value starting with '{' is read as a mapping: quote the whole value" }),
  },
});

const bad = (code: string, message: string, hint?: string): { problem: FieldProblem } => ({ problem: { code, message, hint } });

const toJson = (node: Node | null): Json => toData(node) as Json;

export function checkField(key: string, node: Node | null): FieldResult {
  if (!isKnownField(key)) return { ok: { value: toJson(node) } };
  const kind = KNOWN_FIELDS[key];
  const scalar = isScalar(node) ? node.value : undefined;
  switch (kind) {
    case 'boolean':
      return typeof scalar === 'boolean' ? { ok: { value: scalar } } : wrong(key, 'true or false', node);
    case 'duration': {
      if (typeof scalar === 'number') return bad(Codes.badDuration, `'${key}' is a bare number (${scalar})`, `add a unit: '${scalar}s', '${scalar}m' or '${scalar}h'`);
      if (typeof scalar !== 'string') return wrong(key, "a duration such as '30m' or '2h'", node);
      const seconds = parseDuration(scalar);
      return seconds === undefined ? bad(Codes.badDuration, `'${scalar}' is not a duration`, durationHint) : { ok: { value: scalar, seconds } };
    }
    case 'string list': {
      if (!isSeq(node)) return wrong(key, 'a list of strings', node);
      const values = (node.items as (Node | null)[]).map((n) => (isScalar(n) ? n.value : undefined));
      if (values.some((v) => typeof v !== 'string')) return wrong(key, 'a list of strings', node);
      const strings = values as string[];
      const badGroup = strings.find((s) => !SECURITY_GROUP.test(s));
      if (key === 'security_group_ids' && badGroup !== undefined) return bad(Codes.wrongType, `'${badGroup}' is not a security group id`, "security group ids look like 'sg-0123456789abcdef0'");
      return { ok: { value: strings } };
    }
    case 'string':
      if (typeof scalar !== 'string' || scalar === '') return wrong(key, 'a non-empty string', node);
      return stringField(key, scalar);
  }
}

function stringField(key: string, value: string): FieldResult {
  const ok = { ok: { value } };
  switch (key) {
    case 'instance_type': {
      const problem = instanceTypeProblem(value);
      if (!problem) return ok;
      if (problem.severity === 'error') return bad(Codes.badInstanceType, problem.message, problem.hint);
      return { ok: { value, warning: { code: Codes.badInstanceType, message: problem.message, hint: problem.hint } } };
    }
    case 'region': {
      const near = closest(value, KNOWN_REGIONS);
      // A region this list does not know yet is accepted; one a typo away from a known one is flagged.
      if (REGION.test(value)) {
        if (KNOWN_REGIONS.includes(value) || !near) return ok;
        return { ok: { value, warning: { code: Codes.badRegion, message: `'${value}' is not a region AWS has today`, hint: `did you mean '${near}'?` } } };
      }
      return bad(Codes.badRegion, `'${value}' is not an AWS region`, near ? `did you mean '${near}'?` : "regions look like 'us-east-1' or 'eu-west-1'");
    }
    case 'ami':
      return AMI.test(value) ? ok : bad(Codes.badAmi, `'${value}' is not an AMI id`, "AMI ids look like 'ami-07ff62358b87c7116' (or 'resolve:ssm:<parameter>'); leave 'ami' out for the latest Amazon Linux 2023");
    case 'iam_role':
      if (PROFILE_NAME.test(value) || PROFILE_ARN.test(value)) return ok;
      if (/:role\//.test(value)) return bad(Codes.badInstanceProfile, `'${value}' is an IAM role ARN; EC2 takes an instance profile`, "give the instance profile's name, or its ARN (arn:aws:iam::<account>:instance-profile/<name>)");
      return bad(Codes.badInstanceProfile, `'${value}' is not an instance profile name or ARN`, "names are up to 128 letters, digits and '+=,.@_-'");
    case 'subnet_id':
      return SUBNET.test(value) ? ok : bad(Codes.wrongType, `'${value}' is not a subnet id`, "subnet ids look like 'subnet-0123456789abcdef0'");
    default:
      return ok;
  }
}

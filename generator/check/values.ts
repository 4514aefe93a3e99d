import { closest } from '../contract/suggest.ts';
import type { Reader, Span } from './reader.ts';

// Value syntaxes of the language: durations, names, schedule expressions, time zones, ARNs.
// Each returns an error message (and maybe a hint) or undefined when the value is fine.

export interface Problem {
  message: string;
  hint?: string;
}

const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** `30s`, `15m`, `2h`, `1h30m`, `1d` -> seconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim() === '') return undefined;
  const [, d, h, min, s] = m.map((x) => (x === undefined ? 0 : Number(x)));
  const seconds = d * 86400 + h * 3600 + min * 60 + s;
  return seconds > 0 ? seconds : undefined;
}

export const durationHint = "write a duration as a number and a unit, largest first: '30s', '15m', '2h', '1h30m', '1d'";

export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  const parts: string[] = [];
  const units: [number, string][] = [
    [86400, 'd'],
    [3600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  let rest = Math.round(seconds);
  for (const [size, unit] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}

// Workflow names become stack names (stepgraph-<name>), state machine names and the prefix of
// execution names (<name>-<date>-replay-<n>, at most 80 characters): hence the length cap.
export const WORKFLOW_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const WORKFLOW_NAME_MAX = 40;

export function workflowNameProblem(name: string): Problem | undefined {
  if (!WORKFLOW_NAME.test(name)) {
    return {
      message: `'${name}' is not a valid workflow name`,
      hint: `use lower-case letters, digits and single '-' between them, starting with a letter, e.g. '${suggestWorkflowName(name)}'`,
    };
  }
  if (name.length > WORKFLOW_NAME_MAX) {
    return {
      message: `workflow name '${name}' is ${name.length} characters long; at most ${WORKFLOW_NAME_MAX} fit in execution names`,
      hint: 'shorten it',
    };
  }
  return undefined;
}

const suggestWorkflowName = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '') || 'my-workflow';

// Job names are state names (<= 80 characters with the helper suffixes) and the job part of
// marker keys `<job>__<date>.done`: '__' inside a name would make keys ambiguous.
const JOB_NAME = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const JOB_NAME_MAX = 48;

export function jobNameProblem(name: string, what = 'job'): Problem | undefined {
  if (!JOB_NAME.test(name)) {
    return {
      message: `'${name}' is not a valid ${what} name`,
      hint: `use snake_case: lower-case letters and digits with single '_' between them, starting with a letter, e.g. '${suggestJobName(name)}'`,
    };
  }
  if (name.length > JOB_NAME_MAX) {
    return { message: `${what} name '${name}' is longer than ${JOB_NAME_MAX} characters`, hint: 'shorten it' };
  }
  return undefined;
}

const suggestJobName = (name: string): string =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '') || 'my_job';

// S3 bucket naming rules (general purpose buckets).
/** A deploy-time placeholder standing for a bucket (`${MarkerBucket}`): a name, nothing else. */
const BUCKET_PLACEHOLDER = /^\$\{[A-Za-z][A-Za-z0-9]*\}$/;

export function bucketProblem(bucket: string): Problem | undefined {
  if (BUCKET_PLACEHOLDER.test(bucket)) return undefined;
  if (bucket.startsWith('${')) return { message: `'${bucket}' is not a bucket placeholder`, hint: "a placeholder is '${Name}' (letters and digits); otherwise give the bucket's name" };
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) && !bucket.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(bucket);
  return ok
    ? undefined
    : {
        message: `'${bucket}' is not a valid S3 bucket name`,
        hint: "bucket names are 3-63 characters of lower-case letters, digits, '.' and '-'",
      };
}

export function prefixProblem(prefix: string): Problem | undefined {
  if (prefix.startsWith('/')) return { message: `marker prefix '${prefix}' starts with '/'`, hint: `S3 keys have no leading '/': write '${prefix.replace(/^\/+/, '')}'` };
  if (prefix !== '' && !prefix.endsWith('/')) return { message: `marker prefix '${prefix}' does not end with '/'`, hint: `write '${prefix}/'` };
  // Keys map to files in the local store (run --local): no part may climb out of it or be empty.
  const parts = prefix.split('/').slice(0, -1);
  if (parts.some((p) => p === '' || p === '.' || p === '..') || /[\\\0]/.test(prefix)) {
    return { message: `marker prefix '${prefix}' has an empty, '.' or '..' part, or a backslash`, hint: "write folder names separated by single '/', e.g. 'done/' or 'markers/daily/'" };
  }
  return undefined;
}

export function timezoneProblem(zone: string): Problem | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return undefined;
  } catch {
    const zones = [...Intl.supportedValuesOf('timeZone'), 'UTC'];
    const near = zones.find((z) => z.toLowerCase().endsWith(`/${zone.toLowerCase()}`)) ?? closest(zone, zones);
    return {
      message: `unknown time zone '${zone}'`,
      hint: near ? `did you mean '${near}'?` : "use an IANA time zone name such as 'Europe/Belgrade' or 'UTC'",
    };
  }
}

// --- schedules (EventBridge Scheduler syntax) ---

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: string[];
  extra: RegExp;
}

const CRON_FIELDS: CronField[] = [
  { name: 'minutes', min: 0, max: 59, extra: /^$/ },
  { name: 'hours', min: 0, max: 23, extra: /^$/ },
  // `<n>W`: the weekday nearest day n (1-31).
  { name: 'day-of-month', min: 1, max: 31, extra: /^(\?|L|LW|([1-9]|[12]\d|3[01])W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS, extra: /^$/ },
  // `<d>L`: the last day d of the month; `<d>#<k>`: the k-th day d (d 1-7 or SUN-SAT, k 1-5).
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, extra: new RegExp(`^(\\?|L|([1-7]|${DAYS.join('|')})L|([1-7]|${DAYS.join('|')})#[1-5])$`) },
  { name: 'year', min: 1970, max: 2199, extra: /^$/ },
];

export function cronProblem(body: string): Problem | undefined {
  const fields = body.trim().split(/\s+/);
  const hint = "AWS cron has six fields: minutes hours day-of-month month day-of-week year, e.g. '0 2 * * ? *'";
  if (fields.length !== 6) return { message: `cron expression '${body}' has ${fields.length} fields, not 6`, hint };
  for (let i = 0; i < 6; i++) {
    const problem = cronFieldProblem(fields[i].toUpperCase(), CRON_FIELDS[i]);
    if (problem) return { message: `cron expression '${body}': ${problem}`, hint };
  }
  const [, , dom, , dow] = fields;
  if ((dom === '?') === (dow === '?')) {
    return {
      message: `cron expression '${body}': exactly one of day-of-month and day-of-week must be '?'`,
      hint: "write '?' in the one you do not use, e.g. '0 2 * * ? *' (every day at 02:00)",
    };
  }
  return undefined;
}

function cronFieldProblem(field: string, spec: CronField): string | undefined {
  if (field === '*' || spec.extra.test(field)) return undefined;
  for (const part of field.split(',')) {
    const [range, step] = part.split('/');
    if (step !== undefined && !/^\d+$/.test(step)) return `step '${step}' in the ${spec.name} field is not a number`;
    if (range === '*') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `'${part}' in the ${spec.name} field is not a value or range`;
    for (const bound of bounds) {
      const n = spec.names?.includes(bound) ? spec.min + spec.names.indexOf(bound) : /^\d+$/.test(bound) ? Number(bound) : NaN;
      if (!(n >= spec.min && n <= spec.max)) return `'${bound}' is not a valid ${spec.name} value (${spec.min}-${spec.max})`;
    }
  }
  return undefined;
}

export function rateProblem(body: string): Problem | undefined {
  const m = /^(\d+)\s+(minute|minutes|hour|hours|day|days)$/.exec(body.trim());
  const hint = "write 'rate(<value> <unit>)' with minute(s), hour(s) or day(s), e.g. 'rate(1 hour)' or 'rate(15 minutes)'";
  if (!m || Number(m[1]) < 1) return { message: `rate expression '${body}' is not '<value> <unit>'`, hint };
  const value = Number(m[1]);
  const singular = !m[2].endsWith('s');
  if ((value === 1) !== singular) {
    return { message: `rate expression '${body}': use '${m[2].replace(/s$/, '')}' for 1 and the plural otherwise`, hint };
  }
  return undefined;
}

export function atProblem(body: string): Problem | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body.trim());
  const hint = "write 'at(yyyy-mm-ddThh:mm:ss)', e.g. 'at(2026-12-01T02:00:00)'";
  if (!m) return { message: `at expression '${body}' is not a date and time`, hint };
  const date = new Date(`${body.trim()}Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 19) !== body.trim()) {
    return { message: `at expression '${body}' is not a real date and time`, hint };
  }
  return undefined;
}

// --- ARNs ---

const PARTITION = '(?:aws|aws-cn|aws-us-gov)';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d';
const ACCOUNT = '\\d{12}';

export const ARN = {
  snsTopic: new RegExp(`^arn:${PARTITION}:sns:${REGION}:${ACCOUNT}:[A-Za-z0-9_-]{1,256}(?:\\.fifo)?$`),
  stateMachine: new RegExp(`^arn:${PARTITION}:states:${REGION}:${ACCOUNT}:stateMachine:[A-Za-z0-9_-]{1,80}$`),
  lambda: new RegExp(`^arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]+)?$`),
  secret: new RegExp(`^arn:${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:[A-Za-z0-9/_+=.@-]+$`),
  taskResource: new RegExp(`^arn:${PARTITION}:states:(?:${REGION})?:(?:${ACCOUNT})?:[a-z0-9-]+(?::[A-Za-z0-9.-]+)+$`),
};

export function arnProblem(value: string, kind: keyof typeof ARN, example: string): Problem | undefined {
  if (ARN[kind].test(value)) return undefined;
  return { message: `'${value}' is not a valid ${describeArn[kind]} ARN`, hint: `expected the form ${example}` };
}

const describeArn: Record<keyof typeof ARN, string> = {
  snsTopic: 'SNS topic',
  stateMachine: 'Step Functions state machine',
  lambda: 'Lambda function',
  secret: 'Secrets Manager secret',
  taskResource: 'Step Functions task resource',
};

/** A resource given by name or by ARN, each checked against its own pattern; `what` reads "a ... name or ARN". */
export function nameOrArnProblem(value: string, patterns: { name: RegExp; arn: RegExp }, what: string, hint: string): Problem | undefined {
  return (value.startsWith('arn:') ? patterns.arn : patterns.name).test(value) ? undefined : { message: `'${value}' is not ${what}`, hint };
}

/** A Lambda function given by name (1-64 characters) or by ARN. */
export function lambdaProblem(value: string): Problem | undefined {
  if (value.startsWith('arn:')) return arnProblem(value, 'lambda', 'arn:aws:lambda:eu-west-1:123456789012:function:my-function');
  return /^[A-Za-z0-9_-]{1,64}$/.test(value)
    ? undefined
    : { message: `'${value}' is not a valid Lambda function name`, hint: "names are 1-64 letters, digits, '-' and '_'; or give the function's ARN" };
}

/** A Data Pipeline name as the seed scheduler looked it up: free text, but not empty or huge. */
export function pipelineNameProblem(value: string): Problem | undefined {
  return value.length <= 1024 ? undefined : { message: 'pipeline name is longer than 1024 characters' };
}

// Date templates used in data_pipeline parameter values.
export const DATE_TEMPLATE_FIELDS = ['yyyy', 'mm', 'dd', 'hh', 'date', 'datekey'] as const;

export function templateProblem(value: string, hourly: boolean, isData: (field: string) => boolean = () => false): Problem | undefined {
  for (const m of value.matchAll(/\{([^{}]*)\}/g)) {
    const field = m[1];
    if (isData(field)) continue;
    if (!(DATE_TEMPLATE_FIELDS as readonly string[]).includes(field)) {
      return { message: `unknown template '{${field}}' in '${value}'`, hint: `templates are ${DATE_TEMPLATE_FIELDS.map((f) => `{${f}}`).join(', ')}` };
    }
    if (field === 'hh' && !hourly) return { message: `'{hh}' in '${value}' needs an hourly partition`, hint: "set 'partition: hourly' or drop the hour" };
  }
  return undefined;
}

/** Reports `problem` at `at` as an error; true when there is none. */
export function report(r: Reader, at: Span, code: string, problem: Problem | undefined): boolean {
  if (!problem) return true;
  r.error(at, code, problem.message, problem.hint);
  return false;
}

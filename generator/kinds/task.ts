// `task: { resource, parameters }`: the escape hatch, any Step Functions Task resource with its
// parameters as written. What it touches is read from the integration and, where the parameters
// name the resource statically, scoped to it; an integration this table does not know is granted
// its action on '*' with a synth warning, so the user sees exactly which job to narrow by hand.
import { Codes } from '../messages.ts';
import { arnProblem, report } from '../check/values.ts';
import type { KindAccess, KindModule } from './kind.ts';
import { functionArn } from './lambda.ts';
import { startExecutionAccess } from './state-machine.ts';
import { resultOver } from './local-result.ts';

export interface TaskKind {
  type: 'task';
  resource: string;
  parameters: Record<string, unknown>;
}

const INTEGRATION = /^arn:aws[a-z-]*:states:::(.+?)(\.sync(?::2)?|\.waitForTaskToken)?$/;
const regional = (service: string, resource: string): string => `arn:\${Partition}:${service}:\${Region}:\${Account}:${resource}`;
const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function taskAccess(job: string, resource: string, parameters: Record<string, unknown>): KindAccess {
  if (/^arn:aws[a-z-]*:lambda:/.test(resource)) return { grants: [{ actions: ['lambda:InvokeFunction'], resources: [resource] }] };
  const m = INTEGRATION.exec(resource);
  if (!m) return unscoped(job, resource, []);
  const [, integration, mode] = m;
  const sync = mode?.startsWith('.sync') ?? false;
  const param = (...keys: string[]): string | undefined => {
    for (const k of keys) if (typeof parameters[k] === 'string') return parameters[k] as string;
    return undefined;
  };
  const scoped = (actions: string[], arn: string | undefined): KindAccess => (arn ? { grants: [{ actions, resources: [arn] }] } : unscoped(job, resource, actions));
  switch (integration) {
    case 'lambda:invoke': {
      const fn = param('FunctionName');
      return scoped(['lambda:InvokeFunction'], fn && functionArn(fn));
    }
    case 'sns:publish':
      return scoped(['sns:Publish'], param('TopicArn', 'TargetArn'));
    case 'sqs:sendMessage': {
      const queue = param('QueueUrl');
      return scoped(['sqs:SendMessage'], queue && queueArn(queue));
    }
    case 'glue:startJobRun': {
      const name = param('JobName');
      return scoped(['glue:StartJobRun', ...(sync ? ['glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'] : [])], name && regional('glue', `job/${name}`));
    }
    case 'states:startExecution': {
      const arn = param('StateMachineArn');
      return arn ? { grants: startExecutionAccess([arn], sync) } : unscoped(job, resource, ['states:StartExecution']);
    }
    case 'dynamodb:getItem':
    case 'dynamodb:putItem':
    case 'dynamodb:updateItem':
    case 'dynamodb:deleteItem': {
      const table = param('TableName');
      return scoped([`dynamodb:${capitalize(integration.split(':')[1])}`], table && regional('dynamodb', `table/${table}`));
    }
    default: {
      // arn:aws:states:::aws-sdk:<service>:<apiAction> and other optimized integrations.
      const parts = integration.replace(/^aws-sdk:/, '').split(':');
      return unscoped(job, resource, parts.length === 2 ? [`${parts[0]}:${capitalize(parts[1])}`] : []);
    }
  }
}

function unscoped(job: string, resource: string, actions: string[]): KindAccess {
  const warning =
    actions.length > 0
      ? `job '${job}': stepgraph cannot tell which resource the '${resource}' Task uses, so it grants ${actions.join(', ')} on '*'; add a narrower policy to the stack's role and drop that grant if you need least privilege`
      : `job '${job}': stepgraph does not know which IAM actions the '${resource}' Task needs; grant them to the stack's role yourself`;
  if (actions.length === 0) return { grants: [], warning };
  const wildcardReason = `The task '${resource}' of job '${job}' names its resource at run time or through an integration stepgraph has no resource mapping for; a synth warning points the user at it.`;
  return { grants: [{ actions, resources: ['*'], wildcardReason }], warning };
}

/** https://sqs.<region>.amazonaws.com/<account>/<name> -> arn:<partition>:sqs:<region>:<account>:<name> */
function queueArn(url: string): string | undefined {
  const m = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(\d{12})\/([A-Za-z0-9_.-]+)$/.exec(url);
  return m ? `arn:\${Partition}:sqs:${m[1]}:${m[2]}:${m[3]}` : undefined;
}

const rendered = (kind: TaskKind) => ({ Resource: kind.resource, ...(Object.keys(kind.parameters).length > 0 && { Parameters: kind.parameters }) });

export const task: KindModule<TaskKind> = {
  type: 'task',
  doc: { spelling: 'task: { resource, parameters }', runs: 'any Step Functions Task resource, parameters as written (the escape hatch)', done: 'as the integration says (`.sync`: when the work ends)' },
  schema: {
    description: 'Escape hatch: any Step Functions task resource with parameters.',
    type: 'object',
    additionalProperties: false,
    required: ['resource'],
    properties: { resource: { type: 'string', pattern: '^arn:' }, parameters: { type: 'object' } },
  },
  read(r, entry) {
    const fields = r.fields(r.map(entry) ?? null, "'task'", ['resource', 'parameters'], ['resource']);
    if (!fields) return undefined;
    const resourceEntry = fields.get('resource');
    const resource = r.string(resourceEntry);
    const example = 'arn:aws:states:::glue:startJobRun.sync';
    if (resource === undefined || !report(r, resourceEntry!.span, Codes.badArn, arnProblem(resource, 'taskResource', example))) return undefined;
    const parametersEntry = fields.get('parameters');
    const parameters = parametersEntry ? r.map(parametersEntry) && (r.json(parametersEntry.value) as Record<string, unknown>) : {};
    return parameters ? { type: 'task', resource, parameters } : undefined;
  },
  task: rendered,
  access: (kind, { job }) => taskAccess(job, kind.resource, kind.parameters),
  local: { mode: 'work', output: () => ({}), result: resultOver },
  sweepRunner: rendered,
};

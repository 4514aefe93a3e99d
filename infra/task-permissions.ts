// What the `task:` escape hatch needs: Step Functions integrations mapped to IAM actions and,
// where the Task's parameters name the resource statically, to that resource. An integration
// this table does not know is granted its action on '*' with a synth warning, so the user sees
// exactly which job to narrow by hand.
import { Aws } from 'aws-cdk-lib';
import { executionsArn, lambdaArn, regionalArn, syncRuleArn } from './arns.ts';
import type { Grant } from './grants.ts';

export interface TaskAccess {
  grants: Grant[];
  /** Set when the grant could not be scoped to a resource. */
  warning?: string;
}

const INTEGRATION = /^arn:aws[a-z-]*:states:::(.+?)(\.sync(?::2)?|\.waitForTaskToken)?$/;

export function taskAccess(job: string, resource: string, parameters: Record<string, unknown> = {}): TaskAccess {
  const direct = /^arn:aws[a-z-]*:lambda:/.test(resource);
  if (direct) return { grants: [{ actions: ['lambda:InvokeFunction'], resources: [resource] }] };
  const m = INTEGRATION.exec(resource);
  if (!m) return unscoped(job, resource, []);
  const [, integration, mode] = m;
  const sync = mode?.startsWith('.sync') ?? false;
  const param = (...keys: string[]): string | undefined => {
    for (const k of keys) if (typeof parameters[k] === 'string') return parameters[k] as string;
    return undefined;
  };
  switch (integration) {
    case 'lambda:invoke': {
      const fn = param('FunctionName');
      return fn ? { grants: [{ actions: ['lambda:InvokeFunction'], resources: [lambdaArn(fn)] }] } : unscoped(job, resource, ['lambda:InvokeFunction']);
    }
    case 'sns:publish': {
      const topic = param('TopicArn', 'TargetArn');
      return topic ? { grants: [{ actions: ['sns:Publish'], resources: [topic] }] } : unscoped(job, resource, ['sns:Publish']);
    }
    case 'sqs:sendMessage': {
      const queue = param('QueueUrl');
      const arn = queue ? queueArn(queue) : undefined;
      return arn ? { grants: [{ actions: ['sqs:SendMessage'], resources: [arn] }] } : unscoped(job, resource, ['sqs:SendMessage']);
    }
    case 'glue:startJobRun': {
      const actions = ['glue:StartJobRun', ...(sync ? ['glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'] : [])];
      const name = param('JobName');
      return name ? { grants: [{ actions, resources: [regionalArn('glue', `job/${name}`)] }] } : unscoped(job, resource, actions);
    }
    case 'states:startExecution': {
      const arn = param('StateMachineArn');
      if (!arn) return unscoped(job, resource, ['states:StartExecution']);
      return { grants: startExecutionGrants([arn], sync) };
    }
    case 'dynamodb:getItem':
    case 'dynamodb:putItem':
    case 'dynamodb:updateItem':
    case 'dynamodb:deleteItem': {
      const action = `dynamodb:${capitalize(integration.split(':')[1])}`;
      const table = param('TableName');
      return table ? { grants: [{ actions: [action], resources: [regionalArn('dynamodb', `table/${table}`)] }] } : unscoped(job, resource, [action]);
    }
    default: {
      // arn:aws:states:::aws-sdk:<service>:<apiAction> and other optimized integrations.
      const parts = integration.replace(/^aws-sdk:/, '').split(':');
      const action = parts.length === 2 ? `${parts[0]}:${capitalize(parts[1])}` : undefined;
      return unscoped(job, resource, action ? [action] : []);
    }
  }
}

/** StartExecution on child machines; `.sync` also watches and stops them through a managed rule. */
export function startExecutionGrants(stateMachineArns: readonly string[], sync: boolean): Grant[] {
  if (stateMachineArns.length === 0) return [];
  const grants: Grant[] = [{ actions: ['states:StartExecution'], resources: [...stateMachineArns] }];
  if (sync) {
    grants.push(
      {
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: stateMachineArns.map(executionsArn),
        wildcardReason: 'Executions of a child state machine get their names at run time; the grant covers only executions of the named child machines.',
      },
      {
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [syncRuleArn('StepFunctionsGetEventsForStepFunctionsExecutionRule')],
      },
    );
  }
  return grants;
}

function unscoped(job: string, resource: string, actions: string[]): TaskAccess {
  const warning =
    actions.length > 0
      ? `job '${job}': stepgraph cannot tell which resource the '${resource}' Task uses, so it grants ${actions.join(', ')} on '*'; add a narrower policy to the stack's role and drop that grant if you need least privilege`
      : `job '${job}': stepgraph does not know which IAM actions the '${resource}' Task needs; grant them to the stack's role yourself`;
  if (actions.length === 0) return { grants: [], warning };
  return {
    grants: [
      {
        actions,
        resources: ['*'],
        wildcardReason: `The task '${resource}' of job '${job}' names its resource at run time or through an integration stepgraph has no resource mapping for; a synth warning points the user at it.`,
      },
    ],
    warning,
  };
}

/** https://sqs.<region>.amazonaws.com/<account>/<name> -> arn:<partition>:sqs:<region>:<account>:<name> */
function queueArn(url: string): string | undefined {
  const m = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(\d{12})\/([A-Za-z0-9_.-]+)$/.exec(url);
  return m ? `arn:${Aws.PARTITION}:sqs:${m[1]}:${m[2]}:${m[3]}` : undefined;
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

// `ecs: { cluster, task_definition, launch_type?, subnets?, security_groups?, assign_public_ip?,
// container?, command?, environment?, roles? }`: an Amazon ECS task, run with ecs:runTask.sync on
// Fargate unless told otherwise, done when the task stops (Step Functions follows it through its
// managed EventBridge rule). RunTask answering with `Failures` fails the job (AmazonECS.Unknown);
// the Step Functions docs do not say whether an essential container's non-zero exit fails the
// .sync Task, and nothing here checks the exit code afterwards.
//
// Overrides name their container (RunTask requires ContainerOverride.name): `command` and
// `environment` need `container`, the container's name in the task definition. stepgraph cannot
// read the task definition at compile time, so it does not guess one.
//
// RunTask passes the task definition's task and execution roles: `roles` names them so PassRole
// is scoped to exactly those; without it PassRole covers any role, only towards ECS tasks.
import { Codes } from '../messages.ts';
import type { Entry, Reader } from '../check/reader.ts';
import { nameOrArnProblem, report, type Problem } from '../check/values.ts';
import type { KindGrant, KindModule, State } from './kind.ts';
import { managedRuleAccess } from './state-machine.ts';
import { readTemplatedList, readTemplatedMap, renderNameValuePairs, renderTemplatedList } from './templates.ts';
import { resultOver } from './local-result.ts';

type LaunchType = 'FARGATE' | 'EC2' | 'EXTERNAL';

export interface EcsKind {
  type: 'ecs';
  cluster: string;
  taskDefinition: string;
  launchType: LaunchType;
  subnets: string[];
  securityGroups: string[];
  assignPublicIp?: boolean;
  container?: string;
  command: string[];
  environment: Record<string, string>;
  /** Roles the task definition passes (its task and execution roles), by name or ARN. */
  roles: string[];
}

const RUN_SYNC = 'arn:aws:states:::ecs:runTask.sync';
const LAUNCH_TYPES: readonly LaunchType[] = ['FARGATE', 'EC2', 'EXTERNAL'];

// ECS names: clusters and task definition families are up to 255 letters, digits, '-' and '_'.
const NAME = '[A-Za-z0-9_-]{1,255}';
const ARN_HEAD = 'arn:(aws|aws-cn|aws-us-gov):ecs:([a-z]{2}(?:-[a-z]+)+-\\d):(\\d{12})';
const CLUSTER_ARN = new RegExp(`^${ARN_HEAD}:cluster/(${NAME})$`);
const CLUSTER_NAME = new RegExp(`^${NAME}$`);
const TASK_DEFINITION_ARN = new RegExp(`^${ARN_HEAD}:task-definition/(${NAME}):([1-9]\\d*)$`);
const TASK_DEFINITION = new RegExp(`^(${NAME})(?::([1-9]\\d*))?$`);
const SUBNET = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SECURITY_GROUP = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
// IAM role names: up to 64 of letters, digits and +=,.@_-; an ARN may carry a path.
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:role\/(?:[\w+=,.@/-]*\/)?[\w+=,.@-]{1,64}$/;
// AwsVpcConfiguration's limits.
const MAX_SUBNETS = 16;
const MAX_SECURITY_GROUPS = 5;

const clusterProblem = (value: string): Problem | undefined =>
  nameOrArnProblem(value, { name: CLUSTER_NAME, arn: CLUSTER_ARN }, 'an ECS cluster name or ARN', "a cluster name is up to 255 letters, digits, '-' and '_'; an ARN reads arn:aws:ecs:eu-west-1:123456789012:cluster/my-cluster");

const taskDefinitionProblem = (value: string): Problem | undefined =>
  nameOrArnProblem(value, { name: TASK_DEFINITION, arn: TASK_DEFINITION_ARN }, 'an ECS task definition family, family:revision or ARN', "a family is up to 255 letters, digits, '-' and '_', optionally with ':<revision>' (without it ECS runs the latest active one); an ARN reads arn:aws:ecs:eu-west-1:123456789012:task-definition/my-task:3");

const listProblem = (value: string, pattern: RegExp, what: string, example: string): Problem | undefined =>
  pattern.test(value) ? undefined : { message: `'${value}' is not a ${what} id`, hint: `ids read like '${example}'` };

const roleProblem = (value: string): Problem | undefined =>
  nameOrArnProblem(value, { name: ROLE_NAME, arn: ROLE_ARN }, 'an IAM role name or ARN', "give the role's name (up to 64 letters, digits and +=,.@_-) or its ARN, arn:aws:iam::123456789012:role/my-task-role (an ARN for a role with a path)");

/** The cluster's tasks: in its ARN's partition, region and account, or the stack's. */
function clusterScope(cluster: string): { tasks: string } {
  const m = CLUSTER_ARN.exec(cluster);
  return m ? { tasks: `arn:${m[1]}:ecs:${m[2]}:${m[3]}:task/${m[4]}/*` } : { tasks: `arn:\${Partition}:ecs:\${Region}:\${Account}:task/${cluster}/*` };
}

/** The task definition's ARNs: the revision named, or every revision of the family. */
function taskDefinitionArns(taskDefinition: string): string[] {
  if (TASK_DEFINITION_ARN.test(taskDefinition)) return [taskDefinition];
  const [, family, revision] = TASK_DEFINITION.exec(taskDefinition)!;
  return [`arn:\${Partition}:ecs:\${Region}:\${Account}:task-definition/${family}:${revision ?? '*'}`];
}

const roleArn = (role: string): string => (role.startsWith('arn:') ? role : `arn:\${Partition}:iam::\${Account}:role/${role}`);
const TO_ECS_TASKS = { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } };

function ecsAccess(kind: EcsKind, job: string): { grants: KindGrant[]; warning?: string } {
  const definitions = taskDefinitionArns(kind.taskDefinition);
  const grants: KindGrant[] = [
    {
      actions: ['ecs:RunTask'],
      resources: definitions,
      ...(definitions.some((d) => d.endsWith(':*')) && { wildcardReason: `Job '${job}' names its task definition without a revision: ECS runs the family's latest active revision, so the grant covers the family's revisions.` }),
    },
    {
      actions: ['ecs:StopTask', 'ecs:DescribeTasks'],
      resources: [clusterScope(kind.cluster).tasks],
      wildcardReason: `ECS assigns task ids at run time; the grant covers tasks in the cluster of job '${job}' only.`,
    },
    managedRuleAccess('StepFunctionsGetEventsForECSTaskRule'),
  ];
  if (kind.roles.length > 0) {
    grants.push({ actions: ['iam:PassRole'], resources: kind.roles.map(roleArn), conditions: TO_ECS_TASKS });
    return { grants };
  }
  grants.push({
    actions: ['iam:PassRole'],
    resources: ['arn:${Partition}:iam::${Account}:role/*'],
    conditions: TO_ECS_TASKS,
    wildcardReason: `Job '${job}' does not name its task definition's roles ('roles'), which are only known to ECS; the grant passes roles to ECS tasks only (iam:PassedToService) and a synth warning asks for the names.`,
  });
  const warning = `job '${job}': the ECS task's roles are not named, so the state machine may pass any role of the account to ECS tasks; list the task definition's task and execution roles under 'roles' to scope iam:PassRole to them`;
  return { grants, warning };
}

function readIds(r: Reader, entry: Entry | undefined, pattern: RegExp, what: string, example: string, max: number): string[] | undefined {
  if (!entry) return [];
  const items = r.list(entry);
  if (!items) return undefined;
  if (items.length > max) {
    r.error(entry.span, Codes.badNumber, `'${entry.key}' lists ${items.length} ${what}s; ECS takes at most ${max}`);
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  for (const item of items) {
    const value = r.string({ key: entry.key, keySpan: item.span, span: item.span, value: item.node });
    if (value === undefined || !report(r, item.span, Codes.badArn, listProblem(value, pattern, what, example))) ok = false;
    else out.push(value);
  }
  return ok ? out : undefined;
}

function readRoles(r: Reader, entry: Entry | undefined): string[] | undefined {
  if (!entry) return [];
  const items = r.listOrOne(entry);
  if (!items) return undefined;
  const out: string[] = [];
  let ok = true;
  for (const item of items) {
    const value = r.string({ key: 'roles', keySpan: item.span, span: item.span, value: item.node });
    if (value === undefined || !report(r, item.span, Codes.badArn, roleProblem(value))) ok = false;
    else out.push(value);
  }
  return ok ? out : undefined;
}

function readLaunchType(r: Reader, entry: Entry | undefined): LaunchType | undefined {
  if (!entry) return 'FARGATE';
  const value = r.string(entry);
  if (value === undefined) return undefined;
  if ((LAUNCH_TYPES as readonly string[]).includes(value)) return value as LaunchType;
  const near = LAUNCH_TYPES.find((t) => t === value.toUpperCase());
  r.error(entry.span, Codes.badEnum, `'${value}' is not an ECS launch type`, near ? `did you mean '${near}'?` : `use one of ${LAUNCH_TYPES.join(', ')}`);
  return undefined;
}

const FIELDS = ['cluster', 'task_definition', 'launch_type', 'subnets', 'security_groups', 'assign_public_ip', 'container', 'command', 'environment', 'roles'];

export const ecs: KindModule<EcsKind> = {
  type: 'ecs',
  doc: {
    spelling: 'ecs: { cluster, task_definition, launch_type, subnets, security_groups, assign_public_ip, container, command, environment, roles }',
    runs: 'an Amazon ECS task, on Fargate by default (command as argv words and environment with date templates, for the named `container`; `roles` scopes iam:PassRole)',
    done: "when the task stops (`ecs:runTask.sync`); a container's non-zero exit code is not checked: for work that must fail on it, use batch",
  },
  schema: {
    description:
      'An Amazon ECS task run with runTask.sync (Fargate by default); done when it stops. Fargate needs subnets; command and environment need container. Values may carry {date} {datekey} {yyyy} {mm} {dd} {hh} templates.',
    type: 'object',
    additionalProperties: false,
    required: ['cluster', 'task_definition'],
    properties: {
      cluster: { description: 'Cluster name or ARN.', type: 'string' },
      task_definition: { description: 'Task definition family, family:revision or ARN (without a revision: the latest active one).', type: 'string' },
      launch_type: { enum: [...LAUNCH_TYPES], default: 'FARGATE' },
      subnets: { description: 'awsvpc subnets (required on Fargate).', type: 'array', items: { type: 'string', pattern: '^subnet-' }, maxItems: MAX_SUBNETS },
      security_groups: { type: 'array', items: { type: 'string', pattern: '^sg-' }, maxItems: MAX_SECURITY_GROUPS },
      assign_public_ip: { type: 'boolean' },
      container: { description: "The name, in the task definition, of the container that command and environment override.", type: 'string' },
      command: { description: "The container's command as argv words (no shell).", type: 'array', items: { type: ['string', 'number'] } },
      environment: { description: 'Environment variables of the container.', type: 'object', additionalProperties: { type: ['string', 'number'] } },
      roles: { description: "The task definition's task and execution roles (names or ARNs): iam:PassRole is scoped to them.", type: 'array', items: { type: 'string' } },
    },
  },
  read(r, entry, ctx) {
    const node = r.map(entry) ?? null;
    const fields = r.fields(node, "'ecs'", FIELDS, ['cluster', 'task_definition']);
    if (!fields) return undefined;
    const clusterEntry = fields.get('cluster');
    const definitionEntry = fields.get('task_definition');
    const cluster = r.string(clusterEntry);
    const taskDefinition = r.string(definitionEntry);
    const clusterOk = cluster !== undefined && report(r, clusterEntry!.span, Codes.badArn, clusterProblem(cluster));
    const definitionOk = taskDefinition !== undefined && report(r, definitionEntry!.span, Codes.badArn, taskDefinitionProblem(taskDefinition));
    const launchType = readLaunchType(r, fields.get('launch_type'));
    const subnets = readIds(r, fields.get('subnets'), SUBNET, 'subnet', 'subnet-0123456789abcdef0', MAX_SUBNETS);
    const securityGroups = readIds(r, fields.get('security_groups'), SECURITY_GROUP, 'security group', 'sg-0123456789abcdef0', MAX_SECURITY_GROUPS);
    const publicIpEntry = fields.get('assign_public_ip');
    const assignPublicIp = publicIpEntry ? r.boolean(publicIpEntry) : undefined;
    const containerEntry = fields.get('container');
    const container = containerEntry ? r.string(containerEntry) : undefined;
    const command = readTemplatedList(r, fields.get('command'), ctx, 'command');
    const environment = readTemplatedMap(r, fields.get('environment'), ctx, 'environment variable');
    const roles = readRoles(r, fields.get('roles'));
    const at = r.span(node);
    let ok = clusterOk && definitionOk && !!launchType && !!subnets && !!securityGroups && !!command && !!environment && !!roles;
    ok = (!publicIpEntry || assignPublicIp !== undefined) && (!containerEntry || container !== undefined) && ok;
    // awsvpc networking (Fargate's only mode) needs subnets; security groups and a public IP are part of it.
    if (subnets && subnets.length === 0) {
      if (launchType === 'FARGATE') {
        r.error(at, Codes.missingKey, `'ecs' on Fargate needs 'subnets'`, "Fargate tasks use awsvpc networking: list the subnets to run in, e.g. subnets: [subnet-0123456789abcdef0] (or set launch_type: EC2)");
        ok = false;
      } else if ((securityGroups && securityGroups.length > 0) || assignPublicIp !== undefined) {
        r.error(at, Codes.missingKey, `'ecs' with security_groups or assign_public_ip needs 'subnets'`, 'these configure awsvpc networking, which needs its subnets');
        ok = false;
      }
    }
    if (!containerEntry && ((command && command.length > 0) || (environment && Object.keys(environment).length > 0))) {
      r.error(at, Codes.missingKey, `'ecs' with command or environment needs 'container'`, "ECS applies overrides to a container by name: give the container's name in the task definition, e.g. container: app");
      ok = false;
    }
    if (!ok) return undefined;
    return {
      type: 'ecs',
      cluster: cluster!,
      taskDefinition: taskDefinition!,
      launchType: launchType!,
      subnets: subnets!,
      securityGroups: securityGroups!,
      ...(assignPublicIp !== undefined && { assignPublicIp }),
      ...(container !== undefined && { container }),
      command: command!,
      environment: environment!,
      roles: roles!,
    };
  },
  task(kind) {
    const override: State = {
      ...(kind.command.length > 0 && Object.fromEntries([renderTemplatedList('Command', kind.command)])),
      ...(Object.keys(kind.environment).length > 0 && { Environment: renderNameValuePairs(kind.environment) }),
    };
    const network = kind.subnets.length > 0 && {
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          Subnets: [...kind.subnets],
          ...(kind.securityGroups.length > 0 && { SecurityGroups: [...kind.securityGroups] }),
          ...(kind.assignPublicIp !== undefined && { AssignPublicIp: kind.assignPublicIp ? 'ENABLED' : 'DISABLED' }),
        },
      },
    };
    return {
      Resource: RUN_SYNC,
      Parameters: {
        Cluster: kind.cluster,
        TaskDefinition: kind.taskDefinition,
        LaunchType: kind.launchType,
        ...network,
        ...(kind.container !== undefined && Object.keys(override).length > 0 && { Overrides: { ContainerOverrides: [{ Name: kind.container, ...override }] } }),
      },
    };
  },
  access: (kind, { job }) => ecsAccess(kind, job),
  // The answer of runTask.sync is the stopped task as DescribeTasks describes it.
  local: {
    mode: 'work',
    output: (kind) => ({
      Cluster: kind.cluster,
      TaskDefinitionArn: kind.taskDefinition,
      LaunchType: kind.launchType,
      LastStatus: 'STOPPED',
      StopCode: 'EssentialContainerExited',
      Containers: [{ ...(kind.container !== undefined && { Name: kind.container }), LastStatus: 'STOPPED', ExitCode: 0 }],
    }),
    result: resultOver,
  },
};

// What every stepgraph state machine gets, workflow or sweep: a role of its own (CDK adds the
// logging and tracing grants to it), logging ALL events to a log group with retention, X-Ray
// tracing, and its definition inline or, past INLINE_LIMIT, as an S3 asset.
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { contentFile } from './content-file.ts';

/** The role state machines run with; grants go into a policy of their own (Grants.attach). */
export function stateMachineRole(scope: Construct, description: string): Role {
  const role = new Role(scope, 'StateMachineRole', { assumedBy: new ServicePrincipal('states.amazonaws.com'), description });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      "Added by CDK for logging ALL events and X-Ray tracing: CloudWatch Logs log-delivery actions (logs:CreateLogDelivery, ...) and X-Ray (xray:PutTraceSegments, ...) support no resource-level permissions. The state machine's own grants are in the separate StateMachineAccess policy.",
  });
  return role;
}

export interface LoggedStateMachineProps {
  /** The deployed state machine's name. */
  name: string;
  /** The log group's name: `/aws/vendedlogs/states/<it>`. */
  logName: string;
  /** The definition as deployed (compact JSON). */
  deployed: string;
  substitutions: Record<string, string>;
  role: Role;
}

/**
 * The state machine `StateMachine<idSuffix>` and its log group `StateMachineLogs<idSuffix>`,
 * created directly in `scope` so their logical ids stay what deployed stacks already have.
 */
export function loggedStateMachine(scope: Construct, idSuffix: string, props: LoggedStateMachineProps): StateMachine {
  const logs = new LogGroup(scope, `StateMachineLogs${idSuffix}`, {
    logGroupName: `/aws/vendedlogs/states/${props.logName}`,
    retention: RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return new StateMachine(scope, `StateMachine${idSuffix}`, {
    stateMachineName: props.name,
    stateMachineType: StateMachineType.STANDARD,
    // The compact text: what the compiler's size checks measured against the 1 MB limit.
    definitionBody: definitionBody(props.deployed),
    ...(Object.keys(props.substitutions).length > 0 && { definitionSubstitutions: props.substitutions }),
    role: props.role,
    logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
    tracingEnabled: true,
  });
}

/**
 * CloudFormation templates are capped at 1 MB, and a big workflow's definitions add up to many
 * megabytes: past INLINE_LIMIT a definition travels as an S3 asset (DefinitionS3Location,
 * substitutions still applied) instead of inside the template.
 */
export const INLINE_LIMIT = 100_000;

function definitionBody(deployed: string): DefinitionBody {
  if (deployed.length <= INLINE_LIMIT) return DefinitionBody.fromString(deployed);
  return DefinitionBody.fromFile(contentFile('stepgraph-definitions', deployed, '.asl.json'));
}

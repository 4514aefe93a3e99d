// What every stepgraph state machine gets, workflow or sweep: a role (one per workflow, shared by
// its machines; CDK adds the logging and tracing grants to it), logging ALL events to the
// workflow's one log group with retention, X-Ray tracing, and its definition inline or, past
// INLINE_LIMIT or the stack's inline budget, as an S3 asset.
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { INLINE_LIMIT } from '../generator/emit/deploy-limits.ts';
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

/**
 * The log group `StateMachineLogs` all of a stack's state machines log to (`/aws/vendedlogs/states/<logName>`):
 * each execution's events carry its execution ARN, so one group per workflow loses nothing and
 * keeps resources from growing with the machines of a split graph.
 */
export function stateMachineLogs(scope: Construct, logName: string): LogGroup {
  return new LogGroup(scope, 'StateMachineLogs', {
    logGroupName: `/aws/vendedlogs/states/${logName}`,
    retention: RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

export interface LoggedStateMachineProps {
  /** The deployed state machine's name. */
  name: string;
  /** The log group it logs to (stateMachineLogs). */
  logs: ILogGroup;
  /** The definition as deployed (compact JSON). */
  deployed: string;
  substitutions: Record<string, string>;
  role: Role;
  /** Deploy the definition as an S3 asset even when it is below INLINE_LIMIT (the stack's inline budget is spent). */
  asAsset?: boolean;
}

/** The state machine `StateMachine<idSuffix>`, created directly in `scope` so logical ids stay what deployed stacks already have. */
export function loggedStateMachine(scope: Construct, idSuffix: string, props: LoggedStateMachineProps): StateMachine {
  return new StateMachine(scope, `StateMachine${idSuffix}`, {
    stateMachineName: props.name,
    stateMachineType: StateMachineType.STANDARD,
    // The compact text: what the compiler's size checks measured against the 1 MB limit.
    definitionBody: definitionBody(props.deployed, props.asAsset ?? false),
    ...(Object.keys(props.substitutions).length > 0 && { definitionSubstitutions: props.substitutions }),
    role: props.role,
    logs: { destination: props.logs, level: LogLevel.ALL, includeExecutionData: true },
    tracingEnabled: true,
  });
}

// Past INLINE_LIMIT, or once the stack's inline budget is spent (generator/emit/deploy-limits.ts,
// where the compiler measures the template with the same rule), a definition travels as an S3
// asset (DefinitionS3Location, substitutions still applied) instead of inside the 1 MB template.
export { INLINE_LIMIT, inlineDefinitions } from '../generator/emit/deploy-limits.ts';

function definitionBody(deployed: string, asAsset: boolean): DefinitionBody {
  if (!asAsset && deployed.length <= INLINE_LIMIT) return DefinitionBody.fromString(deployed);
  return DefinitionBody.fromFile(contentFile('stepgraph-definitions', deployed, '.asl.json'));
}

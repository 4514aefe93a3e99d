// A stepgraph Lambda handler: bundled from handlers/ with the local esbuild (no Docker), Node 22,
// its own log group with retention, and a role that holds only what the caller grants plus
// writing to that log group (no AWS managed policy, whose log grant spans every log group).
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Grants, type Grant } from './grants.ts';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface HandlerFunctionProps {
  /** File in handlers/, e.g. 'marker-router.ts'. */
  entry: string;
  description: string;
  environment?: Record<string, string>;
  grants?: Grant[];
  timeout?: Duration;
  /** Modules esbuild injects (their exports replace free globals of the same name). */
  inject?: string[];
}

export class HandlerFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: props.description });
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, 'handlers', props.entry),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup,
      environment: props.environment,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      bundling: {
        minify: true,
        sourceMap: true,
        target: 'node22',
        // The Node 22 runtime ships AWS SDK v3; bundling it again would only grow the package.
        externalModules: ['@aws-sdk/*'],
        // esbuild's own summary (sizes, timings) for every function buries what synth has to say.
        logLevel: LogLevel.WARNING,
        ...(props.inject && { inject: props.inject }),
      },
    });
    logGroup.grantWrite(this.role);
    const grants = new Grants();
    for (const g of props.grants ?? []) grants.allow(g);
    grants.attach(this, 'Access', this.role);
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'DESIGN.md fixes the Lambda runtime at Node.js 22, the version the handlers are built (target node22) and tested for; moving to a newer runtime is a deliberate upgrade, not a drift.',
    });
  }
}

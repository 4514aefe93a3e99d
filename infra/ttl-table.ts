// The two tables stepgraph keeps (a stack's waiters, the account's pools) hold only short-lived
// records that expire by TTL: on demand, no point-in-time recovery (nothing in them is worth
// restoring, each table says why to cdk-nag) and deleted with their stack.
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';

export interface TtlTableProps {
  /** A fixed name, only where other stacks must find the table by it. */
  tableName?: string;
  partitionKey: string;
  sortKey: string;
  /** Why a restored or lost record does no harm: the reason given to cdk-nag for no point-in-time recovery. */
  whyNoRecovery: string;
}

/** A string-keyed table whose records expire at `expiresAt`. */
export function ttlTable(scope: Construct, id: string, props: TtlTableProps): Table {
  const table = new Table(scope, id, {
    ...(props.tableName !== undefined && { tableName: props.tableName }),
    partitionKey: { name: props.partitionKey, type: AttributeType.STRING },
    sortKey: { name: props.sortKey, type: AttributeType.STRING },
    timeToLiveAttribute: 'expiresAt',
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
    // Deleting the stack deletes the records: their runs are gone with it, and a retained table
    // of a fixed name would block the next deploy.
    removalPolicy: RemovalPolicy.DESTROY,
  });
  Validations.of(table).acknowledge({ id: 'AwsSolutions-DDB3', reason: props.whyNoRecovery });
  return table;
}

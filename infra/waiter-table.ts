// Where a stack's waiters live (generator/contract/waits.ts: WaiterStore): one DynamoDB table,
// partition key the subject, sort key the waiter (`<execution>#<state>`, or SIGNALLED for a
// signal's own record), every record expiring by TTL after its deadline. It holds nothing worth
// keeping: a lost waiter costs a wait its deadline, never a marker or a run's record.
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** Actions the contract's store uses: put/delete a waiter or signal, read one, query a subject, scan (backstop). */
export const ROUTER_TABLE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'];
/** The activator registers a waiter and may release it at once: no scan. */
export const REGISTER_TABLE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query'];

export class WaiterTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'subject', type: AttributeType.STRING },
      sortKey: { name: 'waiter', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
      // Transient tokens only: deleting the stack deletes them (their executions are gone with it).
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        "The table holds only transient task tokens and in-run signals, each expiring by TTL after its wait's deadline (signals after the redrive window); a restored token would belong to a wait that has moved on or timed out, and a lost one fails its wait at the deadline, from where a redrive registers it again. Point-in-time recovery would back up nothing worth restoring.",
    });
  }
}

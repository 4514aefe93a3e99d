// Where a stack's waiters live (generator/contract/waits.ts: WaiterStore): one DynamoDB table,
// partition key the subject, sort key the waiter (`<execution>#<state>`, or SIGNALLED for a
// signal's own record), every record expiring by TTL after its deadline. It holds nothing worth
// keeping: a lost waiter costs a wait its deadline, never a marker or a run's record.
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ttlTable } from './ttl-table.ts';

/** Actions the contract's store uses: put/delete a waiter or signal, read one, query a subject, scan (backstop). */
export const ROUTER_TABLE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'];
/** The activator registers a waiter and may release it at once: no scan. */
export const REGISTER_TABLE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query'];

export class WaiterTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = ttlTable(this, 'Table', {
      partitionKey: 'subject',
      sortKey: 'waiter',
      whyNoRecovery:
        "The table holds only transient task tokens and in-run signals, each expiring by TTL after its wait's deadline (signals after the redrive window); a restored token would belong to a wait that has moved on or timed out, and a lost one fails its wait at the deadline, from where a redrive registers it again. Point-in-time recovery would back up nothing worth restoring.",
    });
  }
}

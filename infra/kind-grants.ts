// The grants job kinds declare (generator/kinds/: `access`) as IAM grants of this stack: the
// manifest's ARN templates name the stack's partition, region and account and the workflow's
// marker bucket by placeholder, filled in here with CloudFormation tokens.
import { Aws } from 'aws-cdk-lib';
import type { KindGrant } from '../generator/kinds/kind.ts';
import type { Grant } from './grants.ts';

const PLACEHOLDER = /\$\{(Partition|Region|Account|MarkerBucket)\}/g;

function kindGrant(grant: KindGrant, bucket: string | undefined): Grant {
  const values: Record<string, string | undefined> = { Partition: Aws.PARTITION, Region: Aws.REGION, Account: Aws.ACCOUNT_ID, MarkerBucket: bucket };
  const arn = (template: string): string =>
    template.replace(PLACEHOLDER, (_, name: string) => {
      const value = values[name];
      if (value === undefined) throw new Error(`internal: '${template}' names the marker bucket, which this stack does not have`);
      return value;
    });
  return {
    actions: grant.actions,
    resources: grant.resources.map(arn),
    ...(grant.wildcardReason !== undefined && { wildcardReason: grant.wildcardReason }),
    ...(grant.conditions !== undefined && { conditions: grant.conditions }),
  };
}

export const kindGrants = (grants: readonly KindGrant[], bucket?: string): Grant[] => grants.map((g) => kindGrant(g, bucket));

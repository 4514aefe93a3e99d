// The permissions a workflow needs, collected statement by statement. A wildcard resource must
// come with the reason it cannot be narrower; the reason becomes the cdk-nag acknowledgement of
// exactly that resource, so any other wildcard still fails the checks.
import { Stack, Validations } from 'aws-cdk-lib';
import { Effect, Policy, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { Construct } from 'constructs';

export interface Grant {
  actions: string[];
  resources: string[];
  /** Required when a resource contains '*': why nothing narrower exists. */
  wildcardReason?: string;
  conditions?: Record<string, Record<string, unknown>>;
}

export class Grants {
  private readonly grants: Grant[] = [];

  allow(grant: Grant): this {
    if (grant.resources.length === 0) return this;
    if (grant.resources.some((r) => r.includes('*')) && !grant.wildcardReason) {
      throw new Error(`internal: wildcard resource without a reason in ${JSON.stringify(grant.resources)}`);
    }
    this.grants.push(grant);
    return this;
  }

  get list(): readonly Grant[] {
    return this.grants;
  }

  /** One statement per grant, in the order granted (deterministic templates). */
  statements(): PolicyStatement[] {
    return this.grants.map(
      (g) =>
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [...new Set(g.actions)],
          resources: [...new Set(g.resources)],
          ...(g.conditions && { conditions: g.conditions }),
        }),
    );
  }

  /** Attaches the grants to `role` as a policy of their own and acknowledges their wildcards. */
  attach(scope: Construct, id: string, role: IRole): Policy | undefined {
    if (this.grants.length === 0) return undefined;
    const policy = new Policy(scope, id, { statements: this.statements() });
    policy.attachToRole(role);
    acknowledgeWildcards(policy, this.grants);
    return policy;
  }
}

/** cdk-nag reports each wildcard resource as `AwsSolutions-IAM5[Resource::<flattened ARN>]`. */
function acknowledgeWildcards(scope: Construct, grants: readonly Grant[]): void {
  const reasons = new Map<string, string[]>();
  for (const g of grants) {
    for (const r of g.resources.filter((res) => res.includes('*'))) {
      const id = `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(r))}]`;
      reasons.set(id, [...(reasons.get(id) ?? []), g.wildcardReason!]);
    }
  }
  for (const [id, why] of reasons) Validations.of(scope).acknowledge({ id, reason: [...new Set(why)].join(' ') });
}

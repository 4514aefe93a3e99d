// Keeping a role's policy from growing with the number of jobs. IAM caps the inline policies of
// one role at 10,240 characters (whitespace excluded), which a list of one ARN per job passes at
// about 85 jobs. Two steps keep the policy small:
// - grants with the same actions and conditions become one statement (one list of resources);
// - a list longer than MAX_RESOURCES collapses names that share a prefix into `<prefix>*`, always
//   keeping the service, account and resource type (never a bare `*`), the longest prefixes first,
//   so the patterns stay as narrow as the budget allows.
import type { Grant } from './grants.ts';

import { MAX_RESOURCES_PER_STATEMENT } from '../generator/emit/deploy-limits.ts';

/** Resources per statement beyond which names sharing a prefix are collapsed into a pattern. */
export const MAX_RESOURCES = MAX_RESOURCES_PER_STATEMENT;

const PREFIX_REASON = 'Resources of the same type whose names share this prefix are granted as one pattern, so the role policy stays within IAM\'s 10,240-character limit however many jobs the workflow has.';

/** Grants with equal actions and conditions merged, in first-seen order, resources de-duplicated and collapsed. */
export function compactGrants(grants: readonly Grant[]): Grant[] {
  const byKey = new Map<string, Grant>();
  for (const g of grants) {
    if (g.resources.length === 0) continue;
    const key = JSON.stringify([[...new Set(g.actions)].sort(), g.conditions ?? null]);
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...g, actions: [...new Set(g.actions)], resources: [...g.resources] });
      continue;
    }
    seen.resources.push(...g.resources);
    const reasons = [seen.wildcardReason, g.wildcardReason].filter((r): r is string => r !== undefined);
    if (reasons.length > 0) seen.wildcardReason = [...new Set(reasons)].join(' ');
  }
  const merged = [...byKey.values()];
  // Fewer, wider patterns only while the policy would not fit IAM's limit otherwise.
  for (let max = MAX_RESOURCES; ; max = Math.floor(max / 2)) {
    const out = collapsed(merged, Math.max(1, max));
    if (max <= 1 || policyChars(out) <= POLICY_BUDGET) return out;
  }
}

/** What one policy of the role may take: IAM's 10,240 characters less CDK's logging and tracing statements and a margin. */
export const POLICY_BUDGET = 8000;

/** Characters of the statements without whitespace, a CDK token (partition, region, account, a bucket) counted at 24. */
export function policyChars(grants: readonly Grant[]): number {
  const text = JSON.stringify(grants.map((g) => ({ Effect: 'Allow', Action: g.actions, Resource: g.resources, ...(g.conditions && { Condition: g.conditions }) })));
  return text.replace(/\$\{Token\[[^\]]*\]\}/g, 'x'.repeat(24)).replace(/\s/g, '').length;
}

function collapsed(grants: readonly Grant[], max: number): Grant[] {
  return grants.map((g) => {
    const resources = collapseResources([...new Set(g.resources)], max);
    const collapsed = resources.some((r) => r.endsWith('*') && !g.resources.includes(r));
    return { ...g, resources, ...(collapsed && { wildcardReason: [g.wildcardReason, PREFIX_REASON].filter(Boolean).join(' ') }) };
  });
}

/**
 * At most MAX_RESOURCES entries (where the resources allow it): repeatedly replaces the sorted
 * neighbours with the longest common prefix by that prefix plus `*`. A prefix never ends inside
 * a CDK token and always covers the ARN up to its resource part.
 */
export function collapseResources(resources: readonly string[], max = MAX_RESOURCES): string[] {
  const unique = [...new Set(resources)];
  if (unique.length <= max) return unique;
  let list = unique.sort();
  while (list.length > max) {
    let best: { prefix: string; at: number } | undefined;
    for (let i = 0; i + 1 < list.length; i++) {
      const prefix = safePrefix(list[i], list[i + 1]);
      if (prefix !== undefined && (!best || prefix.length > best.prefix.length)) best = { prefix, at: i };
    }
    if (!best) break;
    const pattern = `${best.prefix}*`;
    list = [...new Set([...list.filter((r) => !covers(pattern, r)), pattern])].sort();
  }
  return list;
}

/** The longest common prefix of two resources usable as a pattern, or undefined. */
function safePrefix(a: string, b: string): string | undefined {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  let prefix = a.slice(0, n);
  // A pattern must not cut a token (`${Token[...]}`) or an existing wildcard in two.
  const open = prefix.lastIndexOf('${');
  if (open >= 0 && prefix.indexOf('}', open) < 0) prefix = prefix.slice(0, open);
  if (prefix.endsWith('*')) prefix = prefix.slice(0, -1);
  return prefix.length > resourceStart(a) ? prefix : undefined;
}

/** Where an ARN's resource part begins (after `arn:partition:service:region:account:` and its type). */
function resourceStart(arn: string): number {
  let at = -1;
  for (let k = 0; k < 5; k++) {
    at = arn.indexOf(':', at + 1);
    if (at < 0) return arn.length;
  }
  // The resource type (`function:`, `stateMachine:`, `job/`, a bucket name and `/`) stays literal.
  const rest = arn.slice(at + 1);
  const type = /^(?:\$\{[^}]*\}|[A-Za-z0-9_.-])+[:/]/.exec(rest);
  return at + 1 + (type ? type[0].length : 0);
}

/** Whether `pattern` (a prefix and `*`) matches `resource`, or is the same pattern. */
const covers = (pattern: string, resource: string): boolean => resource.startsWith(pattern.slice(0, -1));

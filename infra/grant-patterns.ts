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
const MAX_RESOURCES = MAX_RESOURCES_PER_STATEMENT;

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
 * At most `max` entries where the resources allow it: resources are grouped by the first L
 * characters of their names (after the ARN's service, account and resource type), L as large as
 * the limit allows; a group of one stays literal, a larger one becomes `<its prefix>*`. A prefix
 * never cuts a CDK token, and the resource type always stays literal (at the widest,
 * `...:function:*`, never a bare `*`).
 */
export function collapseResources(resources: readonly string[], max = MAX_RESOURCES): string[] {
  const unique = [...new Set(resources)];
  if (unique.length <= max) return unique;
  const longest = unique.reduce((n, r) => Math.max(n, r.length), 0);
  const groups = (keep: number): Map<string, string[]> => {
    const out = new Map<string, string[]>();
    for (const r of unique) {
      const key = r.length <= resourceStart(r) + keep ? r : cut(r, resourceStart(r) + keep);
      const members = out.get(key);
      if (members) members.push(r);
      else out.set(key, [r]);
    }
    return out;
  };
  // The largest L whose grouping fits (the count only falls as L falls).
  let lo = 0;
  let hi = longest;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (groups(mid).size <= max) lo = mid;
    else hi = mid - 1;
  }
  return [...groups(lo)].map(([key, members]) => (members.length === 1 ? members[0] : `${key}*`)).sort();
}

/** `text` cut to `at` characters, moved back before a CDK token or wildcard it would split. */
function cut(text: string, at: number): string {
  let prefix = text.slice(0, at);
  const open = prefix.lastIndexOf('${');
  if (open >= 0 && prefix.indexOf('}', open) < 0) prefix = prefix.slice(0, open);
  const star = prefix.indexOf('*');
  return star >= 0 ? prefix.slice(0, star) : prefix;
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

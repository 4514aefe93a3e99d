// A trigger's EventBridge pattern, as written in the workflow (EventBridge's own keys), to the
// CDK's EventPattern (camelCase keys). Top-level scalars become one-element lists, as
// EventBridge requires lists at the leaves.
import type { EventPattern } from 'aws-cdk-lib/aws-events';

const KEYS: Record<string, keyof EventPattern> = {
  source: 'source',
  'detail-type': 'detailType',
  detail: 'detail',
  account: 'account',
  region: 'region',
  resources: 'resources',
  id: 'id',
  time: 'time',
  version: 'version',
};

export function eventPattern(pattern: Record<string, unknown>): EventPattern {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) {
    const cdkKey = Object.hasOwn(KEYS, key) ? KEYS[key] : undefined;
    if (!cdkKey) throw new Error(`event pattern key '${key}' is not one of ${Object.keys(KEYS).join(', ')}`);
    out[cdkKey] = key === 'detail' || Array.isArray(value) ? value : [value];
  }
  return out as EventPattern;
}

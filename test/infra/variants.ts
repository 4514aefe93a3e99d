// Workflows that exercise what the examples in workflows/ do not: an event trigger without a
// date, a Task integration stepgraph cannot scope, a flexible schedule window, Slack only, no
// alerts at all, several on_markers triggers, an external marker in another bucket.
import type { CompiledWorkflow } from '../../generator/compile.ts';
import { compileYaml } from './support.ts';

export const VARIANTS = {
  events: `
name: events-only
partition: hourly
markers: { prefix: "" }
schedule:
  rate: 1 hour
  flexible_window: 15m
alerts:
  slack_webhook_secret: data/slack-webhook
jobs:
  load:
    lambda: arn:aws:lambda:us-east-1:123456789012:function:load
  crawl:
    needs: [load]
    task:
      resource: arn:aws:states:::aws-sdk:glue:startCrawler
      parameters: { Name: raw }
triggers:
  - event:
      source: [acme.ingest]
      detail-type: [Batch Landed]
    params: { batch: $.detail.batch, mode: full }
  - event:
      source: [acme.backfill]
    params: { date: "$.detail.date" }
`,
  quiet: `
name: quiet
jobs:
  a:
    lambda: a-fn
  b:
    needs: [a]
    waits_for:
      - marker: exports
        bucket: partner-drop
        prefix: ready/
    lambda: b-fn
triggers:
  - on_markers: [raw, events]
  - on_markers: [backfill]
`,
} as const;

export function variants(): Record<keyof typeof VARIANTS, CompiledWorkflow> {
  return Object.fromEntries(Object.entries(VARIANTS).map(([k, text]) => [k, compileYaml(text, `${k}.yaml`)])) as Record<keyof typeof VARIANTS, CompiledWorkflow>;
}

/** A chain long enough that the compiler splits it into child state machines. */
export function splitWorkflow(jobs = 1500): CompiledWorkflow {
  const lines = Array.from({ length: jobs }, (_, i) => `  j${i}:\n    lambda: fn-${i % 7}\n${i > 0 ? `    needs: [j${i - 1}]\n` : ''}`);
  return compileYaml(`name: big\nalerts:\n  sns_topic: arn:aws:sns:eu-west-1:123456789012:big-alerts\njobs:\n${lines.join('')}`, 'big.yaml');
}

// Workflows that exercise what the examples in workflows/ do not: an event trigger without a
// date, a Task integration stepgraph cannot scope, a flexible schedule window, Slack only, no
// alerts at all, several on_markers triggers, an external marker in another bucket, sweep jobs
// of every kind (a Distributed Map, one spanning regions, task and state machine runners).
import { readFileSync } from 'node:fs';
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
  sweeps: `
name: render-pipeline
alerts:
  sns_topic: arn:aws:sns:eu-west-1:123456789012:render-alerts
jobs:
  prepare:
    lambda: prepare-scenes
  render:
    needs: [prepare]
    sweep:
      max_concurrent: 100
      tolerated_failures: 5%
      defaults:
        instance_type: c5.large
        iam_role: arn:aws:iam::123456789012:instance-profile/workers/render-worker
        spot: true
        ttl: 30m
        command: ./render.sh --scene {scene} --shot {shot}
      matrix:
        scene: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
        shot: [a, b, c, d, e, f, g, h, i, j]
  probe:
    needs: [prepare]
    sweep:
      defaults: { instance_type: t3.micro, ttl: 1h, iam_role: prober, command: "./probe.sh {name}" }
      params:
        - { name: east, region: us-east-1 }
        - { name: west, region: us-west-2 }
  evaluate:
    needs: [render, probe]
    sweep:
      task:
        resource: arn:aws:states:::glue:startJobRun.sync
        parameters: { JobName: evaluate-renders }
      params: [{ name: quality }, { name: timing }]
  publish:
    needs: [evaluate]
    sweep:
      state_machine: arn:aws:states:eu-west-1:123456789012:stateMachine:publish-shot
      params: [{ name: web }, { name: archive }]
`,
} as const;

export function variants(): Record<keyof typeof VARIANTS, CompiledWorkflow> {
  return Object.fromEntries(Object.entries(VARIANTS).map(([k, text]) => [k, compileYaml(text, `${k}.yaml`)])) as Record<keyof typeof VARIANTS, CompiledWorkflow>;
}

/** test/fixtures/sweep-job: a sweep file next to the workflow (EC2, one region) and an inline Lambda sweep. */
export function sweepJobFixture(): CompiledWorkflow {
  const file = 'test/fixtures/sweep-job/workflow.yaml';
  return compileYaml(readFileSync(file, 'utf8'), file);
}

/** A chain long enough that the compiler splits it into child state machines; its last job waits for a marker. */
export function splitWorkflow(jobs = 1500): CompiledWorkflow {
  const waits = (i: number): string => (i === jobs - 1 ? '    waits_for: [{ marker: feed }]\n' : '');
  const lines = Array.from({ length: jobs }, (_, i) => `  j${i}:\n    lambda: fn-${i % 7}\n${i > 0 ? `    needs: [j${i - 1}]\n` : ''}${waits(i)}`);
  return compileYaml(`name: big\nalerts:\n  sns_topic: arn:aws:sns:eu-west-1:123456789012:big-alerts\njobs:\n${lines.join('')}`, 'big.yaml');
}

// A generated workflow as the YAML a user would write, so the deploy measurements (`cdk synth
// -c workflows=<folder>`, bench/deploy.ts) go through the same path as a user's file: source,
// check, plan, emit, synth.
import { stringify } from 'yaml';
import type { Workflow } from '../generator/model.ts';

/** The workflow's jobs as YAML: kind, needs and timeout (estimates stay out: they are the benchmark's). */
export function workflowYaml(workflow: Workflow): string {
  const jobs = Object.fromEntries(
    workflow.jobs.map((j) => {
      if (j.kind.type !== 'lambda') throw new Error(`workflowYaml writes lambda jobs only (job ${j.name})`);
      return [j.name, { lambda: j.kind.function, ...(j.needs.length > 0 && { needs: j.needs }), timeout: `${j.timeoutSeconds}s` }];
    }),
  );
  return stringify({ name: workflow.name, partition: workflow.partition, jobs }, { flowCollectionPadding: false, lineWidth: 0 });
}

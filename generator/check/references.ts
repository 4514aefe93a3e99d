// Graph checks of the data passed between jobs, once every job has been read and the needs are
// known to form a graph: each `{inputs.<job>.<name>}` and `for_each: <job>.<name>` must name a
// declared output of a job upstream (a need, or a need of a need: its outputs are in the run's state
// when the job starts), `{item}` and `{index}` belong to for_each jobs, and a for_each job must be
// one its kind can repeat.
import { Codes } from '../messages.ts';
import { upstreamOf, type Job } from '../model.ts';
import type { JobSpans } from './jobs.ts';
import type { Reader, Span } from './reader.ts';
import { didYouMean } from '../contract/suggest.ts';
import { inputOf } from '../kinds/data-templates.ts';
import { writesOwnMarker } from '../kinds/registry.ts';
import { checkPayload } from './payload.ts';

export function checkReferences(r: Reader, jobs: readonly Job[], spans: ReadonlyMap<string, JobSpans>): void {
  checkPayload(r, jobs, spans);
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const upstream = upstreamOf(byName);
  for (const job of jobs) {
    const at = spans.get(job.name)!;
    const markers = new Set(job.waitsFor.map((w) => w.marker));
    for (const ref of at.references ?? []) {
      const input = inputOf(ref.text);
      if (!input) {
        if (!job.forEach) r.error(ref.span, Codes.itemOutsideForEach, `'{${ref.text}}' in job '${job.name}' has no element to stand for: the job has no for_each`, "add 'for_each: <job>.<output>' to run the job once per element, or drop the template");
        continue;
      }
      // Another workflow's marker this job waits for: its outputs are whatever its producer wrote.
      if (!byName.has(input.job) && markers.has(input.job)) continue;
      checkSource(r, ref.span, job, input, `'{${ref.text}}'`, byName, upstream, markers);
    }
    if (job.forEach && at.forEach) {
      const { forEach } = job;
      if (job.kind.type === 'sweep' || writesOwnMarker(job)) {
        r.error(at.forEach, Codes.badForEach, `job '${job.name}' is a ${job.kind.type} job, which for_each cannot repeat`, 'repeat a job that runs one Task (lambda, glue, batch, ecs, ...), or give the sweep its parameter sets');
      } else {
        checkSource(r, at.forEach, job, { job: forEach.job, name: forEach.output }, `for_each '${forEach.job}.${forEach.output}'`, byName, upstream, new Set());
      }
    }
  }
}

function checkSource(r: Reader, at: Span, job: Job, input: { job: string; name: string }, what: string, byName: ReadonlyMap<string, Job>, upstream: (job: string) => ReadonlySet<string>, markers: ReadonlySet<string>): void {
  const source = byName.get(input.job);
  if (!source) {
    const near = didYouMean(input.job, [...byName.keys(), ...markers]);
    r.error(at, Codes.unknownOutput, `${what} in job '${job.name}' reads unknown job '${input.job}'`, near ?? 'name a job this job needs, or a marker it waits for');
    return;
  }
  if (input.job === job.name || upstream(input.job).has(job.name)) {
    r.error(at, Codes.inputsCycle, `${what} in job '${job.name}' reads an output of '${input.job}', which ${input.job === job.name ? 'is the job itself' : `runs after it (it needs '${job.name}')`}: a cycle through inputs`, `a job reads only the outputs of jobs it needs; move the value to a job upstream`);
    return;
  }
  if (!upstream(job.name).has(input.job)) {
    r.error(at, Codes.inputNotUpstream, `${what} in job '${job.name}' reads an output of '${input.job}', which it does not need`, `add '${input.job}' to its needs: only the outputs of jobs upstream are there when it starts`);
    return;
  }
  const names = (source.outputs ?? []).map((o) => o.name);
  if (!names.includes(input.name)) {
    const hint = didYouMean(input.name, names) ?? (names.length > 0 ? `its outputs are: ${names.join(', ')}` : `declare it under 'outputs' of job '${input.job}'`);
    r.error(at, Codes.unknownOutput, `${what} in job '${job.name}': job '${input.job}' has no output '${input.name}'`, hint);
  }
}


// The manifest: everything a compiled workflow touches, so infra can grant exactly that.
import { outcomeContext } from './outcomes.ts';
import { kindOf, writesOwnMarker } from '../kinds/registry.ts';
import type { ReleaseEvents } from '../kinds/kind.ts';
import { distributedMaps } from './asl-walk.ts';
import { stackName, type Job, type Workflow } from '../model.ts';
import { runSeconds } from './deadlines.ts';
import { deadlinePlan, hasDeadlines } from './deadline-plan.ts';
import type { Plan } from '../plan/plan.ts';
import { sweepManifest, type SweepManifest } from '../sweep/manifest.ts';
import type { SweepPlan } from '../sweep/plan.ts';
import type { Manifest, ManifestJobAccess, ManifestStateMachine, ManifestSweepJob } from './manifest-types.ts';
import { markerKeyPattern } from '../contract/markers.ts';
import { markerReads } from './marker-reads.ts';
import { placeholdersIn } from '../contract/placeholders.ts';

export type { Manifest } from './manifest-types.ts';

const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort();


export function emitManifest(workflow: Workflow, plan: Plan, stateMachines: ManifestStateMachine[], definitions: readonly { name: string; definition: unknown; deployed: string }[]): Manifest {
  const definitionTexts = definitions.map((d) => d.deployed);
  // Read from the definitions here, so infra never looks into the ASL.
  // Only a definition whose text names the mode can hold one: reading a definition back as objects
  // is the costliest step of a 100,000-job validate, and most definitions have no Distributed Map.
  const maps = definitions.flatMap((d) => (d.deployed.includes('"DISTRIBUTED"') ? distributedMaps(d.definition).map((m) => ({ machine: d.name, ...m })) : []));
  // stepgraph's own placeholders only: a sweep job's command may well say `${HOME}` to its shell.
  const placeholders = sortedUnique(definitionTexts.flatMap(placeholdersIn));
  const prefix = workflow.markers.prefix;
  const forEachMaps = maps.filter((m) => workflow.jobs.some((j) => j.forEach && j.name === m.state)).map((m) => ({ job: m.state, machine: m.machine, label: m.label }));
  const sweeps = sweepJobs(workflow, plan).map(({ job, plan }) => ({ job, plan, manifest: sweepManifest(plan, '') }));
  return {
    workflow: workflow.name,
    stackName: stackName(workflow.name),
    partition: workflow.partition,
    stateMachines,
    substitutions: placeholders,
    access: jobAccess(workflow),
    activated: workflow.jobs.filter((j) => kindOf(j.kind).local.mode === 'activation').map((j) => j.name),
    markers: {
      ...(workflow.markers.bucket !== undefined && { bucket: workflow.markers.bucket }),
      prefix,
      writes: workflow.jobs.filter((j) => !writesOwnMarker(j)).map((j) => markerKeyPattern(prefix, j.name)),
      ...(markerReads(workflow).length > 0 && { reads: markerReads(workflow) }),
    },
    waits: {
      markers: uniqueMarkers([
        ...workflow.jobs.flatMap((j) => j.waitsFor.map((w) => ({ ...(w.bucket !== undefined && { bucket: w.bucket }), keyPattern: markerKeyPattern(w.prefix, w.marker) }))),
        ...workflow.jobs.filter(writesOwnMarker).map((j) => ({ keyPattern: markerKeyPattern(prefix, j.name) })),
      ]),
      signals: plan.sync.length > 0,
      signalled: sortedUnique(plan.sync.map((s) => s.after)),
      events: uniqueEvents(workflow.jobs.flatMap((j) => kindOf(j.kind).releaseEvents ?? [])),
      instanceRegions: sortedUnique(sweeps.flatMap((s) => s.manifest.waits?.instanceRegions ?? [])),
      ...(plan.sync.length > 0 && outcomeContext(workflow)?.tracking && { signalFailures: true as const }),
      runSeconds: runSeconds(workflow),
      machines: [...definitions.map((d) => d.name), ...maps.filter((m) => m.waits).map((m) => `${m.machine}/${m.label}`)],
    },
    externalMarkers: workflow.jobs.flatMap((j) =>
      j.waitsFor.map((w) => ({
        job: j.name,
        marker: w.marker,
        ...(w.bucket !== undefined && { bucket: w.bucket }),
        keyPattern: markerKeyPattern(w.prefix, w.marker),
        timeoutSeconds: w.timeoutSeconds,
      })),
    ),
    triggers: workflow.triggers,
    ...(workflow.schedule && { schedule: workflow.schedule }),
    alerts: workflow.alerts,
    ...(hasDeadlines(workflow) && { deadlines: deadlinePlan(workflow) }),
    jobs: workflow.jobs.map((j) => ({
      name: j.name,
      kind: j.kind.type,
      needs: j.needs,
      ...(j.estimateSeconds !== undefined && { estimateSeconds: j.estimateSeconds }),
      timeoutSeconds: j.timeoutSeconds,
    })),
    ...(sweeps.length > 0 && { sweeps: sweeps.map(({ job, manifest }) => sweepJobNeeds(job.name, manifest, maps.find((m) => m.state === job.name))) }),
    ...(forEachMaps.length > 0 && { forEachMaps }),
    ...(workflow.pools && { pools: workflow.pools.map((p) => ({ name: p.name, slots: p.slots, jobs: workflow.jobs.filter((j) => j.pool === p.name).map((j) => j.name) })) }),
  };
}

/**
 * What each job's kind touches, one entry per distinct declaration with the jobs that share it
 * (a thousand jobs calling the same function are one entry), in the order first used.
 */
function jobAccess(workflow: Workflow): ManifestJobAccess[] {
  const byDeclaration = new Map<string, ManifestJobAccess>();
  for (const job of workflow.jobs) {
    const declared = { kind: job.kind.type, ...kindOf(job.kind).access(job.kind, { job: job.name, markerPrefix: workflow.markers.prefix }) };
    const key = JSON.stringify(declared);
    const entry = byDeclaration.get(key);
    if (entry) entry.jobs.push(job.name);
    else byDeclaration.set(key, { jobs: [job.name], ...declared });
  }
  return [...byDeclaration.values()];
}

function uniqueEvents(events: ReleaseEvents[]): ReleaseEvents[] {
  const byText = new Map(events.map((e) => [JSON.stringify(e), e]));
  return [...byText.keys()].sort().map((k) => byText.get(k)!);
}

function uniqueMarkers(markers: { bucket?: string; keyPattern: string }[]): { bucket?: string; keyPattern: string }[] {
  const byId = new Map(markers.map((m) => [`${m.bucket ?? ''}/${m.keyPattern}`, m]));
  return [...byId.keys()].sort().map((k) => byId.get(k)!);
}

/** The sweep jobs with the plans the plan phase made (nothing is planned again here). */
function sweepJobs(workflow: Workflow, plan: Plan): { job: Job; plan: SweepPlan }[] {
  return workflow.jobs.flatMap((job) => {
    const planned = plan.sweeps.get(job.name);
    return planned ? [{ job, plan: planned }] : [];
  });
}

function sweepJobNeeds(job: string, m: SweepManifest, map: { machine: string; label: string } | undefined): ManifestSweepJob {
  const { itemsKey, resultsPrefix, bucket } = m.markers;
  return {
    job,
    sweep: m.sweep,
    mode: m.mode,
    runner: m.runner,
    ...(m.ec2 && { ec2: m.ec2 }),
    ...(itemsKey !== undefined && resultsPrefix !== undefined && { items: { ...(bucket !== undefined && { bucket }), key: itemsKey, resultsPrefix } }),
    ...(map && { map: { machine: map.machine, label: map.label } }),
  };
}

/**
 * The items files of a workflow's distributed sweep jobs: their Maps read them from S3 at every
 * run, so the stack uploads them (as `stepgraph sweep compile` writes a sweep's own).
 */
export function sweepJobItems(workflow: Workflow, plan: Plan): { job: string; key: string; text: string }[] {
  return sweepJobs(workflow, plan)
    .filter(({ plan }) => plan.mode === 'distributed')
    .map(({ job, plan }) => ({ job: job.name, key: plan.keys.items, text: `${JSON.stringify(plan.items)}\n` }));
}

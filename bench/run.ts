// `npm run bench`: stepgraph measured against its baselines and Step Functions' limits. Prints
// tables and writes bench/results.json. Four parts:
//   0. waits: the reactive contract (callbacks released by events) against the polling one
//      stepgraph emitted before (polling-contract.ts), on the same plans and engine;
//   1. schedule quality: makespan / critical path on the virtual clock, stepgraph's plan and
//      the baseline's (each level a Parallel state), on a seeded suite of graphs;
//   2. cost: state transitions per job and history events, per family and size;
//   3. compile time and definition sizes (100, 1,000, 10,000 jobs), simulate's real time,
//      peak memory;
//   4. the deploy's limits on synthesized stacks (62, 120, 1,000, 10,000 jobs): role policy
//      characters, template bytes, resources, state machines, synth time;
//   5. CLI start-up as a ratio to `node -e 0` (bench/cli.ts; alone: npx tsx bench/cli.ts).
// Everything is seeded: the figures move only with the code (and timings with the machine).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compileWorkflow, type CompiledWorkflow } from '../generator/compile.ts';
import { LIMITS } from '../generator/emit/limits.ts';
import { levelPlan } from './baseline.ts';
import { measureDeploys } from './deploy.ts';
import { POLL_SECONDS } from './polling-contract.ts';
import { reactiveVersusPolling } from './waits.ts';
import { measureCli } from './cli.ts';
import { randomWorkflow, type Family } from './graphs.ts';
import { simulatePlan, splitWorkflowsSimulated, type SimResult } from './simulation.ts';
import { exampleGraphs, noisyDurations, RANDOM_FAMILIES, randomGraphs, type SuiteGraph } from './suite.ts';
import { fixed, formatNumber as fmtInt, max, mean, renderTable } from './table.ts';

const here = dirname(fileURLToPath(import.meta.url));

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: join(here, 'results.json') },
  },
});

// The suite. --quick: a smaller one (a smoke run of the benchmark itself).
const QUALITY_SIZES = values.quick ? [30] : [30, 100, 300];
const QUALITY_SEEDS = values.quick ? [1, 2] : [1, 2, 3, 4, 5];
const EXAMPLE_SEEDS = values.quick ? [1] : [1, 2, 3, 4];
const COST_SIZES = values.quick ? [100] : [100, 1000];
const COMPILE_SIZES = values.quick ? [100, 1000] : [100, 1000, 10000];
const DEPLOY_SIZES = values.quick ? [120, 1000] : [62, 120, 1000, 10000];

const results: Record<string, unknown> = {
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  startedAt: new Date().toISOString(),
  assumptions: {
    durations: 'job durations uniform in 60..3600 s (seeded), every estimate equal to its duration; noisy runs: durations within ±30% of the estimates',
    waits: `stepgraph's waits are callbacks released by events; the polling baseline checks at once, then every 5 s doubling up to the poll interval (${POLL_SECONDS} s)`,
    timeouts: 'each job: twice its duration rounded up to 5 minutes, at least 15 minutes; no retries',
  },
};
const started = performance.now();
const out: string[] = [];
const print = (text: string): void => {
  out.push(text);
  console.log(text);
};

// Warm the compiler and the engine up so the first timed graph is not paying for it.
compileWorkflow(randomWorkflow('layered', 50, 99));

// ---- 0. reactive waits against the polling contract ------------------------------------
results.waits = await reactiveVersusPolling(print, { quick: values.quick! });

// ---- 1. schedule quality ----------------------------------------------------------------
interface QualityRecord {
  family: string;
  size: number;
  seed: number;
  jobs: number;
  syncs: number;
  stepgraph: SimResult;
  baseline: SimResult;
  noisy: { stepgraph: SimResult; baseline: SimResult };
}
const quality: QualityRecord[] = [];
const suite: SuiteGraph[] = [...randomGraphs(QUALITY_SIZES, QUALITY_SEEDS), ...exampleGraphs(join(here, '..', 'workflows'), EXAMPLE_SEEDS)];
for (const g of suite) {
  const { compiled } = compileWorkflow(g.workflow);
  const baseline = levelPlan(g.workflow);
  const noise = noisyDurations(g.workflow, g.seed + 1000);
  quality.push({
    family: g.family,
    size: g.size,
    seed: g.seed,
    jobs: g.workflow.jobs.length,
    syncs: compiled.plan.sync.length,
    stepgraph: await simulatePlan(g.workflow, compiled.plan, compiled),
    baseline: await simulatePlan(g.workflow, baseline),
    noisy: { stepgraph: await simulatePlan(g.workflow, compiled.plan, compiled, noise), baseline: await simulatePlan(g.workflow, baseline, undefined, noise) },
  });
}
const failedRuns = quality.filter((q) => [q.stepgraph, q.baseline, q.noisy.stepgraph, q.noisy.baseline].some((r) => r.status !== 'SUCCEEDED' || r.jobsSucceeded !== q.jobs));
const families = [...RANDOM_FAMILIES, 'examples'];
const qualityRows = families.map((family) => {
  const rs = quality.filter((q) => q.family === family);
  const r = (pick: (q: QualityRecord) => number): [string, string] => [fixed(mean(rs.map(pick)), 3), fixed(max(rs.map(pick)), 3)];
  return {
    family,
    graphs: rs.length,
    jobs: `${Math.min(...rs.map((q) => q.jobs))}-${Math.max(...rs.map((q) => q.jobs))}`,
    stepgraph: r((q) => q.stepgraph.ratio),
    baseline: r((q) => q.baseline.ratio),
    syncs: [fixed(mean(rs.map((q) => q.syncs)), 1), String(max(rs.map((q) => q.syncs)))] as [string, string],
    noisyStepgraph: r((q) => q.noisy.stepgraph.ratio),
    noisyBaseline: r((q) => q.noisy.baseline.ratio),
    polls: fixed(mean(rs.map((q) => q.noisy.stepgraph.polls)), 1),
  };
});
const allRatio = max(quality.map((q) => q.stepgraph.ratio));
print(
  renderTable({
    title: '1. Schedule quality: makespan / critical path (virtual clock; 1.000 = no job ever waits for an unrelated one)',
    headers: ['family', 'graphs', 'jobs', 'stepgraph mean', 'max', 'baseline mean', 'max', 'in-run syncs mean', 'max', 'noisy: stepgraph mean', 'max', 'baseline mean', 'max', 'polls/graph'],
    rows: qualityRows.map((q) => [q.family, q.graphs, q.jobs, ...q.stepgraph, ...q.baseline, ...q.syncs, ...q.noisyStepgraph, ...q.noisyBaseline, q.polls]),
    notes: [
      `stepgraph's worst ratio over all ${quality.length} graphs: ${fixed(allRatio, 4)} (target <= 1.01: ${allRatio <= 1.01 ? 'met' : 'NOT MET'}); runs that did not succeed: ${failedRuns.length}`,
      'baseline: each topological level a Parallel state, the levels in sequence (emitted by the same emitter, run by the same engine)',
      'noisy: durations within ±30% of the estimates the plan was made with; polls/graph: reads repeated until they found something (waits are callbacks: 0)',
    ],
  }),
);
results.quality = { perFamily: qualityRows, graphs: quality, worstStepgraphRatio: allRatio, failedRuns: failedRuns.length };

// ---- 2. cost ------------------------------------------------------------------------------
interface CostRecord {
  family: string;
  size: number;
  stateMachines: number;
  syncs: number;
  stepgraph: SimResult;
  baseline: SimResult;
  worstCaseEvents: number;
}
const costs: CostRecord[] = [];
for (const size of COST_SIZES) {
  for (const family of RANDOM_FAMILIES) {
    const workflow = randomWorkflow(family, size, 1);
    const { compiled } = compileWorkflow(workflow);
    costs.push({
      family,
      size,
      stateMachines: compiled.definitions.length,
      syncs: compiled.plan.sync.length,
      stepgraph: await simulatePlan(workflow, compiled.plan, compiled),
      baseline: await simulatePlan(workflow, levelPlan(workflow)),
      worstCaseEvents: max(compiled.definitions.map((d) => d.measurement.historyEvents)),
    });
  }
}
const unsplitNote =
  splitWorkflowsSimulated() === false
    ? ['split workflows were simulated as one state machine (the local engine does not run child state machines yet): their history is the whole run\'s, not the largest execution\'s']
    : [];
print(
  renderTable({
    title: '2. Cost per run: state transitions per job, history events of the largest execution',
    headers: ['family', 'jobs', 'machines', 'syncs', 'transitions/job', 'baseline', 'history (simulated)', 'baseline', 'worst case (estimate)', 'USD/run', 'baseline'],
    rows: costs.map((c) => [
      c.family,
      c.size,
      c.stateMachines,
      c.syncs,
      fixed(c.stepgraph.stateTransitions / c.size, 2),
      fixed(c.baseline.stateTransitions / c.size, 2),
      c.stepgraph.historyEvents,
      c.baseline.historyEvents,
      c.worstCaseEvents,
      fixed(c.stepgraph.costUsd, 4),
      fixed(c.baseline.costUsd, 4),
    ]),
    notes: [
      'history (simulated): events of the largest execution of the run (a split workflow\'s children are executions of their own); the baseline is always one state machine',
      `worst case (estimate): the largest compiled state machine with every job retried to its limit (emit/limits.ts); limit ${LIMITS.historyEvents.toLocaleString('en-US')} events per execution`,
      ...unsplitNote,
    ],
  }),
);
results.cost = costs;
const costRssMB = Math.round(process.resourceUsage().maxRSS / 1024);

// ---- 3. compile speed, sizes, simulate time, memory --------------------------------------
interface CompileRecord {
  family: string;
  jobs: number;
  compileMs: number;
  textMs: number;
  stateMachines: number;
  aslBytes: number;
  textBytes: number;
  largestRequestBytes: number;
  largestHistoryEvents: number;
  withinLimits: boolean;
  warnings: number;
}
const compileRecords: CompileRecord[] = [];
for (const size of COMPILE_SIZES) {
  for (const family of RANDOM_FAMILIES) {
    const workflow = randomWorkflow(family, size, 1);
    const t0 = performance.now();
    const { compiled, diagnostics } = compileWorkflow(workflow);
    const compileMs = performance.now() - t0;
    compileRecords.push({
      family,
      jobs: size,
      compileMs,
      textMs: 0,
      stateMachines: compiled.definitions.length,
      aslBytes: compiled.definitions.reduce((n, d) => n + d.measurement.definitionBytes, 0),
      textBytes: 0,
      largestRequestBytes: max(compiled.definitions.map((d) => d.measurement.requestBytes)),
      largestHistoryEvents: max(compiled.definitions.map((d) => d.measurement.historyEvents)),
      withinLimits: withinLimits(compiled),
      warnings: diagnostics.filter((d) => d.severity === 'warning').length,
    });
  }
}
const compileRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
// The .asl.json files `stepgraph compile` writes, in a second pass (so the peak above is compile's own).
for (const record of compileRecords) {
  const { compiled } = compileWorkflow(randomWorkflow(record.family as Family, record.jobs, 1));
  const t1 = performance.now();
  record.textBytes = compiled.definitions.reduce((n, d) => n + Buffer.byteLength(d.text), 0);
  record.textMs = performance.now() - t1;
}
const simTimes = costs.map((c) => ({ family: c.family, jobs: c.size, ms: c.stepgraph.ms, unsplit: c.stepgraph.unsplit }));
const memory = { afterSchedulingAndCostMB: costRssMB, afterCompilesMB: compileRssMB, withWrittenTextMB: Math.round(process.resourceUsage().maxRSS / 1024) };
const slowest10k = max(compileRecords.filter((c) => c.jobs === 10000).map((c) => c.compileMs));
const slowestSim1k = max(simTimes.filter((s) => s.jobs === 1000).map((s) => s.ms));
print(
  renderTable({
    title: '3. Compile speed and size (compile = plan + split + emit + measure, in memory)',
    headers: ['family', 'jobs', 'compile ms', 'machines', 'ASL bytes', 'largest request', 'largest worst-case history', 'within limits', 'SG4001', 'written text', 'text ms'],
    rows: compileRecords.map((c) => [c.family, c.jobs, Math.round(c.compileMs), c.stateMachines, c.aslBytes, c.largestRequestBytes, c.largestHistoryEvents, c.withinLimits ? 'yes' : 'NO', c.warnings, c.textBytes, Math.round(c.textMs)]),
    notes: [
      COMPILE_SIZES.includes(10000) ? `slowest 10,000-job compile: ${Math.round(slowest10k)} ms (target < 5,000: ${slowest10k < 5000 ? 'met' : 'NOT MET'})` : 'no 10,000-job graphs in --quick',
      'ASL bytes: compact JSON of all state machines; largest request: the CreateStateMachine request of the largest one (definition JSON-escaped, placeholders at their longest), limit 1,048,576',
      'written text: the .asl.json files `stepgraph compile` writes: indented up to 256 KiB of compact JSON, compact beyond (made on demand, not part of compile ms)',
    ],
  }),
);
print(
  renderTable({
    title: 'Simulate real time (virtual clock, one run)',
    headers: ['family', 'jobs', 'ms', 'as'],
    rows: simTimes.map((s) => [s.family, s.jobs, Math.round(s.ms), s.unsplit ? 'one state machine' : 'compiled']),
    notes: [COST_SIZES.includes(1000) ? `slowest 1,000-job simulate: ${Math.round(slowestSim1k)} ms (target < 10,000: ${slowestSim1k < 10000 ? 'met' : 'NOT MET'})` : 'no 1,000-job graphs in --quick'],
  }),
);
// ---- 4. deploy limits -------------------------------------------------------------------
const deploys = measureDeploys(DEPLOY_SIZES);
const was = (before: number | undefined, now: number): string => (before === undefined ? fmtInt(now) : `${fmtInt(before)} -> ${fmtInt(now)}`);
print(
  renderTable({
    title: "4. Deploy limits on the synthesized stack (cdk.json's context, bundling skipped)",
    headers: ['workflow', 'jobs', 'role policy chars', 'template bytes', 'resources', 'state machines', 'log groups', 'nested stacks (largest bytes, resources)', 'synth ms', 'within limits'],
    rows: deploys.map((d) => [
      d.workflow,
      d.jobs,
      was(d.before?.rolePolicyChars, d.figures.rolePolicyChars),
      was(d.before?.templateBytes, d.figures.templateBytes),
      d.figures.resources,
      was(d.before?.stateMachines, d.figures.stateMachines + d.nested.reduce((n, f) => n + f.stateMachines, 0)),
      d.figures.logGroups,
      d.nested.length === 0 ? '-' : `${d.nested.length} (${fmtInt(max(d.nested.map((f) => f.templateBytes)))}, ${max(d.nested.map((f) => f.resources))})`,
      Math.round(d.synthMs),
      d.over.length === 0 ? 'yes' : `NO: ${d.over.join(', ')}`,
    ]),
    notes: [
      'a -> b: measured on main before this shaping (issue 11, `npx cdk synth`) -> now; limits: role policy 10,240 characters (whitespace excluded), template 1,000,000 bytes, 500 resources',
      'within limits also checks outputs and parameters (200), managed policies, Lambda environments (4 KB), event patterns (2,048) and inputs (8,192), Scheduler input, explicit names and tag values',
    ],
  }),
);

const cli = measureCli(values.quick ? 3 : 7);
print(
  renderTable({
    title: '5. CLI start-up (median of interleaved runs, as a ratio to node -e 0)',
    headers: ['command', 'ms', 'x node -e 0', 'goal', 'met'],
    rows: [['node -e 0', Math.round(cli.baselineMs), '1.00', '', ''], ...cli.timings.map((t) => [t.command, Math.round(t.medianMs), t.ratio.toFixed(2), `${t.goal}x`, t.met ? 'yes' : 'NO'])],
    notes: ['the built CLI (bin/stepgraph.mjs, an esbuild bundle loading each command when it runs); validate reads every example, the 10,000-item render-farm sweep included'],
  }),
);
results.cli = cli;
const totalSeconds = (performance.now() - started) / 1000;
print(`Peak memory (maxRSS, cumulative): ${memory.afterSchedulingAndCostMB} MB after parts 1-2 (simulations), ${memory.afterCompilesMB} MB after the compiles, ${memory.withWrittenTextMB} MB once the written texts were made. Benchmark wall time: ${totalSeconds.toFixed(1)} s on ${results.cpus} CPUs, Node ${process.version}.`);
print(`Assumptions: ${Object.values(results.assumptions as Record<string, string>).join('; ')}.`);

results.compile = compileRecords;
results.deploy = deploys.map(({ workflow, jobs, figures, nested, synthMs, over, before }) => ({ workflow, jobs, figures, nested, synthMs, over, before }));
results.simulate = simTimes;
results.memory = memory;
results.wallSeconds = totalSeconds;
results.table = out.join('\n');
writeFileSync(values.out!, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${values.out}`);

function withinLimits(compiled: CompiledWorkflow): boolean {
  return compiled.definitions.every((d) => d.measurement.requestBytes <= LIMITS.definitionBytes && d.measurement.historyEvents <= LIMITS.historyEvents);
}

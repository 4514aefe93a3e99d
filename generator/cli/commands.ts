// The command table: every command's name and one-line summary, and how to load it. A command's
// module (commands/<name>.ts, with its usage and run) is imported only when that command runs or
// its help is asked for, so `stepgraph --help` and a quick command load almost nothing.

export interface CommandModule {
  usage: string;
  run(args: string[]): Promise<number | void>;
}

export interface CommandEntry {
  summary: string;
  load(): Promise<CommandModule>;
}

// Static imports (not a directory listing) so the bundler sees every command and splits each
// into its own chunk.
export const COMMANDS: ReadonlyMap<string, CommandEntry> = new Map(Object.entries({
  init: { summary: 'create a starter workflow (wired to the JSON Schema) and a folder ready for tests', load: () => import('./commands/init.ts') },
  validate: { summary: 'check workflows and report every problem with its place', load: () => import('./commands/validate.ts') },
  compile: { summary: 'compile workflows (and sweep files) to Step Functions definitions and manifests', load: () => import('./commands/compile.ts') },
  graph: { summary: 'print the job graph as Mermaid, Graphviz DOT or SVG', load: () => import('./commands/graph.ts') },
  simulate: { summary: 'run a workflow offline on a virtual clock and report its timeline, critical path and cost', load: () => import('./commands/simulate.ts') },
  run: { summary: 'run a workflow on this machine in real time (--local), commands and markers included', load: () => import('./commands/run.ts') },
  demo: { summary: 'compile every workflow into build/ and simulate the flagship example (player-analytics)', load: () => import('./commands/demo.ts') },
  start: { summary: "start a workflow's run for a date (named <workflow>-<date>)", load: () => import('./commands/start.ts') },
  status: { summary: 'show the status of a run, job by job (the latest run, or a date, or an execution ARN)', load: () => import('./commands/status.ts') },
  durations: { summary: "print each job's median duration over the last successful runs, as simulate's durations file", load: () => import('./commands/durations.ts') },
  list: { summary: "list a workflow's recent runs (filter by status and age)", load: () => import('./commands/list.ts') },
  replay: { summary: 'rerun jobs of a date (a job and its downstream, or exactly the named jobs)', load: () => import('./commands/replay.ts') },
  redrive: { summary: 'continue a failed run where it stopped (or say why not and give the replay command)', load: () => import('./commands/redrive.ts') },
  backfill: { summary: 'run a workflow for every date of a range, a few at a time', load: () => import('./commands/backfill.ts') },
  schedule: { summary: "show, pause or resume a workflow's schedule (next fire times in its time zone; resume catches up missed runs)", load: () => import('./commands/schedule.ts') },
  sweep: { summary: "parameter sweeps (spawn's verbs): launch, status, cancel, resume, list; compile", load: () => import('./commands/sweep.ts') },
} satisfies Record<string, CommandEntry>));

export const commandNames = (): string[] => [...COMMANDS.keys()];

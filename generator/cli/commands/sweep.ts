// `stepgraph sweep <verb>`: spawn's verbs for parameter sweeps. launch (with --dry-run and
// --estimate-only, which need no AWS), status, cancel, resume, list; and compile, which writes
// what the sweep's stack deploys.
import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from '../../check/values.ts';
import { hasErrors } from '../../diagnostics.ts';
import type { Aws } from '../../ops/aws.ts';
import { connectFrom, pause, positiveInt } from '../../ops/options.ts';
import { compileSweepFile, type CompiledSweep } from '../../sweep/compile.ts';
import type { SweepOverrides } from '../../sweep/check.ts';
import { dryRunJson, renderDryRun } from '../../sweep/dryrun.ts';
import { estimate, renderEstimate } from '../../sweep/estimate.ts';
import { cancelSweep, ec2Clients, renderCancel } from '../../sweep/ops/cancel.ts';
import { launchSweep, renderLaunch } from '../../sweep/ops/launch.ts';
import { listSweeps, renderList } from '../../sweep/ops/list.ts';
import { findRun, progressJson, renderProgress, sweepProgress } from '../../sweep/ops/progress.ts';
import { renderResume, resumeSweep } from '../../sweep/ops/resume.ts';
import { bundledPrices, loadPrices } from '../../sweep/prices.ts';
import { ReportedError, UserError } from '../../errors.ts';
import { writeCompiledSweep } from '../files.ts';
import { requirePaths } from '../inputs.ts';
import { printJson } from '../json.ts';
import { printDiagnostics } from '../../terminal/report.ts';


const AWS = '[--region R] [--profile P] [--state-machine-arn ARN]';
export const usage = [
  `stepgraph sweep launch (--param-file F | F) [--max-concurrent N] [--launch-delay D] [--sweep-name S] [--dry-run | --estimate-only [--prices FILE]] [--json] ${AWS}`,
  `       stepgraph sweep status --sweep-id ID [--watch [--interval SECONDS]] [--json] ${AWS}`,
  `       stepgraph sweep cancel --sweep-id ID [--json] ${AWS}`,
  `       stepgraph sweep resume --sweep-id ID [--max-concurrent N] [--json] ${AWS}`,
  `       stepgraph sweep list [--sweep-name S] [--runs N] [--json] [--region R] [--profile P]`,
  `       stepgraph sweep compile (--param-file F | F) --out DIR [--max-concurrent N] [--launch-delay D] [--sweep-name S] [--json]`,
  '',
  'F is a sweep file, or the name of one in workflows/sweeps/ (launch train-grid).',
].join('\n');

const AWS_OPTIONS = {
  region: { type: 'string' },
  profile: { type: 'string' },
  'state-machine-arn': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const FILE_OPTIONS = {
  'param-file': { type: 'string' },
  'max-concurrent': { type: 'string' },
  'launch-delay': { type: 'string' },
  'sweep-name': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const VERBS = ['launch', 'status', 'cancel', 'resume', 'list', 'compile'] as const;

export async function run(args: string[]): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'launch':
      return launch(rest);
    case 'status':
      return status(rest);
    case 'cancel':
      return cancel(rest);
    case 'resume':
      return resume(rest);
    case 'list':
      return list(rest);
    case 'compile':
      return compile(rest);
    default:
      throw new UserError(`${verb ? `unknown verb '${verb}'` : 'missing verb'}; use one of ${VERBS.join(', ')}\nusage: ${usage}`);
  }
}

async function launch(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...FILE_OPTIONS, ...AWS_OPTIONS, 'dry-run': { type: 'boolean', default: false }, 'estimate-only': { type: 'boolean', default: false }, prices: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (values['dry-run'] && values['estimate-only']) throw new UserError('--dry-run and --estimate-only are two different previews: pick one');
  if (values.prices && !values['estimate-only']) throw new UserError('--prices goes with --estimate-only');
  const c = compileFile(values, positionals);
  if (values['dry-run']) {
    console.log(values.json ? JSON.stringify(dryRunJson(c), null, 2) : renderDryRun(c));
    return 0;
  }
  if (values['estimate-only']) {
    const e = estimate(c.plan, values.prices ? loadPrices(values.prices) : bundledPrices());
    console.log(values.json ? JSON.stringify(e, null, 2) : renderEstimate(e, c.plan));
    return 0;
  }
  const aws = await connectFrom({ region: values.region ?? c.manifest.region, profile: values.profile });
  const result = await launchSweep(aws, c, { stateMachineArn: values['state-machine-arn'] });
  console.log(values.json ? JSON.stringify({ sweepId: result.sweepId, executionArn: result.executionArn, ...(result.items && { items: result.items }) }, null, 2) : renderLaunch(result, c.plan, aws.region));
  return 0;
}

async function status(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...AWS_OPTIONS, 'sweep-id': { type: 'string' }, watch: { type: 'boolean', default: false }, interval: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const id = requireId(values['sweep-id'], 'status');
  const intervalSeconds = positiveInt(values.interval, '--interval', 5);
  const aws = await connect(values);
  for (;;) {
    const run = await findRun(aws, id, values['state-machine-arn']);
    const progress = await sweepProgress(aws, run);
    if (values.watch && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
    console.log(values.json ? JSON.stringify(progressJson(progress), null, 2) : renderProgress(progress));
    if (!values.watch || progress.status !== 'RUNNING') return 0;
    await pause(intervalSeconds * 1000);
  }
}

async function cancel(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...AWS_OPTIONS, 'sweep-id': { type: 'string' }, json: { type: 'boolean', default: false } } });
  const aws = await connect(values);
  const run = await findRun(aws, requireId(values['sweep-id'], 'cancel'), values['state-machine-arn']);
  const result = await cancelSweep(aws, run, ec2Clients());
  if (values.json) printJson({ sweepId: run.sweepId, ...result });
  else console.log(renderCancel(run, result));
  return 0;
}

async function resume(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...AWS_OPTIONS, 'sweep-id': { type: 'string' }, 'max-concurrent': { type: 'string' }, json: { type: 'boolean', default: false } } });
  const maxConcurrent = values['max-concurrent'] === undefined ? undefined : positiveInt(values['max-concurrent'], '--max-concurrent', 1);
  const aws = await connect(values);
  const run = await findRun(aws, requireId(values['sweep-id'], 'resume'), values['state-machine-arn']);
  const result = await resumeSweep(aws, run, { maxConcurrent, stateMachineArn: values['state-machine-arn'] });
  if (values.json) printJson(result);
  else console.log(renderResume(result));
  return 0;
}

async function list(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { region: AWS_OPTIONS.region, profile: AWS_OPTIONS.profile, 'sweep-name': { type: 'string' }, runs: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const aws = await connect(values);
  const sweeps = await listSweeps(aws, { sweep: values['sweep-name'], runs: positiveInt(values.runs, '--runs', 10) });
  if (values.json) printJson(sweeps.map((s) => ({ ...s, runs: s.runs.map((r) => ({ ...r, startDate: r.startDate?.toISOString() ?? null, stopDate: r.stopDate?.toISOString() ?? null })) })));
  else console.log(renderList(sweeps, aws.region));
  return 0;
}

async function compile(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...FILE_OPTIONS, out: { type: 'string' }, json: { type: 'boolean', default: false } } });
  if (!values.out) throw new UserError('--out <dir> is required: the folder for <sweep>.asl.json, <sweep>.manifest.json and, when distributed, <sweep>.items.json');
  const c = compileFile(values, positionals);
  const written = writeCompiledSweep(values.out, c);
  if (values.json) printJson({ file: c.sweep.file, sweep: c.sweep.name, items: c.sweep.items.length, mode: c.plan.mode, written });
  else console.log(`${c.sweep.file}: ${c.sweep.items.length} items, ${c.plan.mode} Map -> ${written.join(', ')}`);
  return 0;
}

/** Compiles the param file with the command line's overrides; diagnostics printed, errors stop here. */
function compileFile(values: { 'param-file'?: string; 'max-concurrent'?: string; 'launch-delay'?: string; 'sweep-name'?: string }, positionals: readonly string[] = []): CompiledSweep {
  if (positionals.length > 1 || (positionals.length === 1 && values['param-file'])) throw new UserError(`give one sweep: --param-file F, or the file (or its name) alone; got ${[values['param-file'], ...positionals].filter(Boolean).join(' ')}`);
  const given = values['param-file'] ?? positionals[0];
  if (!given) throw new UserError('give the sweep: --param-file <file> (a JSON or YAML sweep file, e.g. --param-file sweep.json), or the name of one in workflows/sweeps/');
  const file = existsSync(given) ? given : requirePaths([given], 'sweep file or name')[0];
  const overrides: SweepOverrides = {
    ...(values['sweep-name'] !== undefined && { name: values['sweep-name'] }),
    ...(values['max-concurrent'] !== undefined && { maxConcurrent: positiveInt(values['max-concurrent'], '--max-concurrent', 1) }),
    ...(values['launch-delay'] !== undefined && { launchDelaySeconds: delaySeconds(values['launch-delay']) }),
  };
  let result;
  try {
    result = compileSweepFile(file, overrides);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`--param-file ${file}: no such file`);
    throw error;
  }
  printDiagnostics(result.diagnostics, () => result.lines, false);
  if (!result.compiled || hasErrors(result.diagnostics)) throw new ReportedError();
  return result.compiled;
}

function delaySeconds(text: string): number {
  if (text === '0' || text === '0s') return 0;
  const seconds = parseDuration(text);
  if (seconds === undefined) throw new UserError(`--launch-delay '${text}' is not a duration; write e.g. 10s, 1m or 1m30s`);
  return seconds;
}

function requireId(id: string | undefined, verb: string): string {
  if (!id) throw new UserError(`--sweep-id is required, e.g. stepgraph sweep ${verb} --sweep-id train-20260116-100443 (sweep launch prints it; sweep list shows them)`);
  return id;
}

const connect = (values: { region?: string; profile?: string }): Promise<Aws> => connectFrom(values);

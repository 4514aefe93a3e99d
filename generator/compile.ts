// Runs the phases for a set of files: source -> check -> plan -> emit. Emission for a file
// does not start while it has an error; other files still compile.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { checkWorkflow } from './check/workflow.ts';
import { displayPath, hasErrors, sortDiagnostics, type Diagnostic, type LineMap, type LineMaps } from './diagnostics.ts';
import type { Definition } from './emit/asl.ts';
import { deployDiagnostics } from './emit/deploy-limits.ts';
import { fitWorkflow } from './emit/fit.ts';
import type { Measurement } from './emit/limits.ts';
import { emitManifest, type Manifest } from './emit/manifest.ts';
import { Codes } from './messages.ts';
import type { Workflow } from './model.ts';
import { planWorkflow, type Plan } from './plan/plan.ts';
import { poolDisagreements } from './pool-agreement.ts';
import { readSource, type SourceFile } from './source.ts';
import { withIncludes } from './source-includes.ts';
import { isMap, isScalar, type Node } from 'yaml';
import { checkSweepSource, compileSweepSource, type CompiledSweep } from './sweep/compile.ts';
import type { Sweep } from './sweep/model.ts';
import { isSweepSource } from './sweep/source.ts';
import { isPartNameOf, partMachineName } from './contract/run-names.ts';

export interface CompiledDefinition {
  /** 'main' or 'part-<n>'. */
  id: string;
  /** The state machine's name. */
  name: string;
  definition: Definition;
  /** The definition as written to disk: stable, newline-terminated, two-space indented up to INDENTED_LIMIT. */
  text: string;
  /** Compact JSON: what Step Functions' size limit counts, so what should be deployed. */
  deployed: string;
  /** Its size and worst-case history against Step Functions' limits (emit/limits.ts). */
  measurement: Measurement;
}

export interface CompiledWorkflow {
  workflow: Workflow;
  plan: Plan;
  manifest: Manifest;
  definitions: CompiledDefinition[];
}

export interface CompileResult {
  compiled: CompiledWorkflow[];
  /** Sweep files found among the inputs (spawn parameter files, JSON or YAML). */
  sweeps: CompiledSweep[];
  /** Every sweep without errors, compiled or only checked (`emitSweeps: false`). */
  checkedSweeps: Sweep[];
  diagnostics: Diagnostic[];
  lineMaps: LineMaps;
}

export interface CompileOptions {
  /**
   * False: sweeps are read and checked but not planned or emitted (`validate`: planning a sweep
   * builds every item's launch request and reports nothing, which is most of the time a
   * 10,000-item sweep takes). Workflows are always emitted: their limits are measured on the ASL.
   */
  emitSweeps?: boolean;
}

// JSON is YAML: spawn's parameter files are JSON, and a workflow may be too.
export const WORKFLOW_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** Files named directly, plus the workflow files found (recursively) in folders, sorted. */
export function expandPaths(paths: readonly string[], extensions = WORKFLOW_EXTENSIONS): string[] {
  return walkPaths(paths, extensions).files;
}

/** A folder or file the walk could not use, said as a diagnostic of that path. */
interface WalkProblem {
  path: string;
  message: string;
  hint: string;
}

/**
 * The walk behind expandPaths, with what it could not read: a folder it may not list, a link
 * back into a folder already walked (a loop: each real folder is walked once), an entry that is
 * neither file nor folder (a FIFO named x.yaml would block a read forever). Nothing throws.
 */
function walkPaths(paths: readonly string[], extensions = WORKFLOW_EXTENSIONS): { files: string[]; problems: WalkProblem[] } {
  const out = new Set<string>();
  const problems: WalkProblem[] = [];
  const walked = new Set<string>();
  const walk = (dir: string): void => {
    const real = realPath(dir);
    if (real === undefined || walked.has(real)) {
      if (real !== undefined) problems.push({ path: dir, message: 'this folder leads back to a folder already read (a link loop); it is skipped', hint: 'remove the link, or name the folders to read' });
      return;
    }
    walked.add(real);
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch (error) {
      problems.push({ path: dir, message: `cannot list this folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, hint: 'check that it exists and is readable' });
      return;
    }
    for (const entry of entries) {
      const full = join(dir, entry);
      if (isDirectory(full)) walk(full);
      else if (extensions.includes(extname(entry)) && !isCompileOutput(entry)) out.add(full);
    }
  };
  for (const path of paths) {
    if (isDirectory(path)) walk(path);
    else out.add(path);
  }
  return { files: [...out].sort(), problems };
}

/**
 * What compile writes (`<name>.asl.json`, `.manifest.json`, `.items.json`) is never an input: an
 * output folder inside the inputs is skipped by the walk (a file named on the command line is still read).
 */
const isCompileOutput = (name: string): boolean => /\.(asl|manifest|items)\.json$/.test(name);

const realPath = (path: string): string | undefined => {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
};

/** A dangling link is no directory: it is listed as a file, and reading it reports the problem. */
const isDirectory = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;

export function compilePaths(paths: readonly string[], options: CompileOptions = {}): CompileResult {
  const files: { file: string; text: string }[] = [];
  const walkedPaths = walkPaths(paths);
  const problem = (path: string, message: string, hint: string): Diagnostic => ({ file: displayPath(path), start: 0, end: 0, severity: 'error', code: Codes.unreadable, message, hint });
  const unreadable: Diagnostic[] = walkedPaths.problems.map((p) => problem(p.path, p.message, p.hint));
  for (const path of walkedPaths.files) {
    const file = displayPath(path);
    // Only regular files are read: a FIFO or a device would block or never end.
    const kind = statSync(path, { throwIfNoEntry: false });
    if (kind && !kind.isFile()) {
      unreadable.push(problem(path, 'this is not a regular file (a pipe, socket or device), so it is not read', 'a workflow is a YAML or JSON text file'));
      continue;
    }
    try {
      files.push({ file, text: readFileSync(path, 'utf8') });
    } catch (error) {
      // A dangling link or a file without read permission is the user's to fix, not a crash.
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      unreadable.push({ file, start: 0, end: 0, severity: 'error', code: Codes.unreadable, message: `cannot read this file (${reason})`, hint: 'check that it exists and is readable' });
    }
  }
  const result = compileTexts(files, options);
  return { ...result, diagnostics: sortDiagnostics([...unreadable, ...result.diagnostics]) };
}

export function compileTexts(files: readonly { file: string; text: string }[], options: CompileOptions = {}): CompileResult {
  const maps = new Map<string, LineMap>();
  const diagnostics: Diagnostic[] = [];
  const compiled: CompiledWorkflow[] = [];
  const sweeps: CompiledSweep[] = [];
  const checkedSweeps: Sweep[] = [];
  // Workflows and sweeps each become a stack `stepgraph-<name>`: names are unique across both.
  const seenNames = new Map<string, string>();
  const named: { name: string; file: string; span: { start: number; end: number } }[] = [];
  for (const { file, text } of files) {
    const result = compileOne(file, text, options.emitSweeps ?? true);
    maps.set(file, result.lines);
    diagnostics.push(...result.diagnostics);
    const name = result.compiled?.workflow.name ?? result.checkedSweep?.name;
    if (name === undefined) continue;
    const other = seenNames.get(name);
    if (other) {
      diagnostics.push({ file, ...nameSpan(text, name), severity: 'error', code: Codes.duplicateWorkflow, message: `the name '${name}' is also used by ${other}`, hint: 'each workflow and sweep becomes its own stack stepgraph-<name>: give it a unique name' });
      continue;
    }
    seenNames.set(name, file);
    named.push({ name, file, span: result.nameSpan ?? { start: 0, end: 1 } });
    if (result.compiled) compiled.push(result.compiled);
    if (result.sweep) sweeps.push(result.sweep);
    if (result.checkedSweep) checkedSweeps.push(result.checkedSweep);
  }
  diagnostics.push(...splitChildCollisions(named));
  // Pools are shared across workflows: one size per pool (pool-agreement.ts).
  const texts = new Map(files.map((f) => [f.file, f.text]));
  diagnostics.push(...poolDisagreements(compiled.map((c) => ({ workflow: c.workflow, text: texts.get(c.workflow.file) ?? '' }))));
  const reserved = new Set(named.filter((n) => named.some((p) => p !== n && isPartNameOf(n.name, p.name))).map((n) => n.name));
  return {
    compiled: compiled.filter((c) => !reserved.has(c.workflow.name)),
    sweeps: sweeps.filter((s) => !reserved.has(s.sweep.name)),
    checkedSweeps: checkedSweeps.filter((s) => !reserved.has(s.name)),
    diagnostics: sortDiagnostics(diagnostics),
    lineMaps: (f) => maps.get(f),
  };
}

/**
 * A workflow split for size runs child state machines `<name>-part-<n>`, and its role may start
 * any `<name>-part-*`: another workflow or sweep named so would overwrite a child, or be started by it.
 */
function splitChildCollisions(named: readonly { name: string; file: string; span: { start: number; end: number } }[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const child of named) {
    const parent = named.find((p) => p !== child && isPartNameOf(child.name, p.name));
    if (!parent) continue;
    out.push({
      file: child.file,
      ...child.span,
      severity: 'error',
      code: Codes.splitChildName,
      message: `the name '${child.name}' is reserved for the child state machines of workflow '${parent.name}' (${parent.file}), named '${partMachineName(parent.name, '<n>')}' when it is split for size`,
      hint: `rename it so it does not start with '${partMachineName(parent.name, '')}'`,
    });
  }
  return out;
}

interface CompiledOne {
  compiled?: CompiledWorkflow;
  sweep?: CompiledSweep;
  checkedSweep?: Sweep;
  diagnostics: Diagnostic[];
  lines: LineMap;
  nameSpan?: { start: number; end: number };
}

function compileOne(file: string, text: string, emitSweeps: boolean): CompiledOne {
  // The YAML tree lives only inside readAndCheck: for 100,000 jobs it is hundreds of MB that
  // emission, which needs only the model and a few places, should not keep alive.
  const read = readAndCheck(file, text, emitSweeps);
  if (!('workflow' in read)) return read;
  const result = compileWorkflow(read.workflow);
  // Limits concern the graph as a whole: point at its `jobs:` key (the model carries no places).
  const placed = result.diagnostics.map((d) => (d.start === 0 && d.end === 0 && read.jobsSpan ? { ...d, ...read.jobsSpan } : d));
  return { compiled: result.compiled, diagnostics: [...read.diagnostics, ...placed], lines: read.lines, nameSpan: read.nameSpan };
}

type Span = { start: number; end: number };

function readAndCheck(file: string, text: string, emitSweeps: boolean): CompiledOne | { workflow: Workflow; diagnostics: Diagnostic[]; lines: LineMap; jobsSpan?: Span; nameSpan?: Span } {
  const { source, diagnostics } = readSource(file, text);
  if (hasErrors(diagnostics)) return { diagnostics, lines: source.lines };
  if (isSweepSource(source)) {
    const nameSpan = valueSpan(source, 'name');
    if (!emitSweeps) {
      const checked = checkSweepSource(source);
      return { ...(checked.sweep && { checkedSweep: checked.sweep }), diagnostics: checked.diagnostics, lines: source.lines, nameSpan };
    }
    const sweep = compileSweepSource(source);
    const compiled = sweep.compiled && !hasErrors(sweep.diagnostics) ? sweep.compiled : undefined;
    return { ...(compiled && { sweep: compiled, checkedSweep: compiled.sweep }), diagnostics: sweep.diagnostics, lines: source.lines, nameSpan };
  }
  const checked = checkWorkflow(withIncludes(source, readIfFile));
  if (!checked.workflow || hasErrors(checked.diagnostics)) return { diagnostics: checked.diagnostics, lines: source.lines };
  return { workflow: checked.workflow, diagnostics: checked.diagnostics, lines: source.lines, jobsSpan: keySpan(source, 'jobs'), nameSpan: valueSpan(source, 'name') };
}

/** A file a workflow names (a sweep file), read only when it is a regular file: a pipe would block. */
function readIfFile(path: string): string | undefined {
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function valueSpan(source: SourceFile, key: string): { start: number; end: number } | undefined {
  if (!isMap(source.root)) return undefined;
  const pair = source.root.items.find((p) => isScalar(p.key) && p.key.value === key);
  const range = (pair?.value as Node | undefined)?.range;
  return range ? { start: range[0], end: range[1] } : undefined;
}

function keySpan(source: SourceFile, key: string): { start: number; end: number } | undefined {
  if (!isMap(source.root)) return undefined;
  const pair = source.root.items.find((p) => isScalar(p.key) && p.key.value === key);
  const range = (pair?.key as Node | undefined)?.range;
  return range ? { start: range[0], end: range[1] } : undefined;
}

/** Plan and emit a checked workflow (the model; tests and the benchmark build one directly). */
export function compileWorkflow(workflow: Workflow): { compiled: CompiledWorkflow; diagnostics: Diagnostic[] } {
  const plan = planWorkflow(workflow);
  // One state machine, or a main one and children when the graph is too big for one (emit/fit.ts).
  const fitted = fitWorkflow(workflow, plan);
  const definitions = fitted.definitions.map((d) => compiledDefinition(d.id, d.name, d.deployed, d.measurement));
  const manifest = emitManifest(
    workflow,
    plan,
    definitions.map((d) => ({ id: d.id, name: d.name, definitionFile: `${d.name}.asl.json` })),
    definitions,
  );
  const deploy = deployDiagnostics(workflow, manifest, definitions.map((d) => d.deployed));
  return { compiled: { workflow, plan, manifest, definitions }, diagnostics: [...fitted.diagnostics, ...deploy] };
}

/**
 * Definitions up to this size (compact) are written indented, to read and diff; larger ones are
 * nested so deep that indentation multiplies their size (240 MB for a 10,000-job N-shaped
 * graph), so they are written compact.
 */
export const INDENTED_LIMIT = 256 * 1024;

/**
 * The definition object and the file text are made when first read, from the compact text: only
 * writing files and running locally need them, and a 100,000-job graph's definitions as objects
 * would hold several hundred MB more than their text.
 */
function compiledDefinition(id: string, name: string, deployed: string, measurement: Measurement): CompiledDefinition {
  let text: string | undefined;
  let definition: Definition | undefined;
  return {
    id,
    name,
    get definition(): Definition {
      return (definition ??= JSON.parse(deployed) as Definition);
    },
    get text(): string {
      return (text ??= `${deployed.length <= INDENTED_LIMIT ? JSON.stringify(this.definition, null, 2) : deployed}\n`);
    },
    deployed,
    measurement,
  };
}

/** Where a file names itself (`name: x` in YAML, `"name": "x"` in JSON), else its first character. */
function nameSpan(text: string, name: string): { start: number; end: number } {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`(^|\\n)\\s*"?name"?\\s*:\\s*"?(${escaped})`).exec(text);
  if (!match) return { start: 0, end: 1 };
  const start = match.index + match[0].length - name.length;
  return { start, end: start + name.length };
}

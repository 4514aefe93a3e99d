// Runs the phases for a set of files: source -> check -> plan -> emit. Emission for a file
// does not start while it has an error; other files still compile.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { checkWorkflow } from './check/workflow.ts';
import { hasErrors, sortDiagnostics, type Diagnostic, type LineMap, type LineMaps } from './diagnostics.ts';
import { emitWorkflow, type Definition } from './emit/asl.ts';
import { emitManifest, type Manifest } from './emit/manifest.ts';
import { Codes } from './messages.ts';
import type { Workflow } from './model.ts';
import { planWorkflow, type Plan } from './plan/plan.ts';
import { readSource } from './source.ts';

export interface CompiledDefinition {
  /** 'main' or 'part-<n>'. */
  id: string;
  /** The state machine's name. */
  name: string;
  definition: Definition;
  /** The definition as written to disk: stable, two-space indented, newline-terminated. */
  text: string;
}

export interface CompiledWorkflow {
  workflow: Workflow;
  plan: Plan;
  manifest: Manifest;
  definitions: CompiledDefinition[];
}

export interface CompileResult {
  compiled: CompiledWorkflow[];
  diagnostics: Diagnostic[];
  lineMaps: LineMaps;
}

export const WORKFLOW_EXTENSIONS = ['.yaml', '.yml'];

/** Files named directly, plus the workflow files found (recursively) in folders, sorted. */
export function expandPaths(paths: readonly string[], extensions = WORKFLOW_EXTENSIONS): string[] {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (extensions.includes(extname(entry))) out.add(full);
    }
  };
  for (const path of paths) {
    if (statSync(path).isDirectory()) walk(path);
    else out.add(path);
  }
  return [...out].sort();
}

export function compilePaths(paths: readonly string[]): CompileResult {
  const files = expandPaths(paths).map((file) => ({ file: relative(process.cwd(), file) || file, text: readFileSync(file, 'utf8') }));
  return compileTexts(files);
}

export function compileTexts(files: readonly { file: string; text: string }[]): CompileResult {
  const maps = new Map<string, LineMap>();
  const diagnostics: Diagnostic[] = [];
  const compiled: CompiledWorkflow[] = [];
  const seenNames = new Map<string, string>();
  for (const { file, text } of files) {
    const result = compileOne(file, text);
    maps.set(file, result.lines);
    diagnostics.push(...result.diagnostics);
    if (!result.compiled) continue;
    const other = seenNames.get(result.compiled.workflow.name);
    if (other) {
      diagnostics.push({ file, start: 0, end: 1, severity: 'error', code: Codes.duplicateWorkflow, message: `workflow name '${result.compiled.workflow.name}' is also used by ${other}`, hint: 'each workflow becomes its own stack: give it a unique name' });
      continue;
    }
    seenNames.set(result.compiled.workflow.name, file);
    compiled.push(result.compiled);
  }
  return { compiled, diagnostics: sortDiagnostics(diagnostics), lineMaps: (f) => maps.get(f) };
}

function compileOne(file: string, text: string): { compiled?: CompiledWorkflow; diagnostics: Diagnostic[]; lines: LineMap } {
  const { source, diagnostics } = readSource(file, text);
  if (hasErrors(diagnostics)) return { diagnostics, lines: source.lines };
  const checked = checkWorkflow(source);
  if (!checked.workflow || hasErrors(checked.diagnostics)) return { diagnostics: checked.diagnostics, lines: source.lines };
  const workflow = checked.workflow;
  const plan = planWorkflow(workflow);
  const definition = emitWorkflow(workflow, plan);
  const main: CompiledDefinition = { id: 'main', name: workflow.name, definition, text: `${JSON.stringify(definition, null, 2)}\n` };
  const definitions = [main];
  const manifest = emitManifest(
    workflow,
    plan,
    definitions.map((d) => ({ id: d.id, name: d.name, definitionFile: `${d.name}.asl.json` })),
    definitions.map((d) => d.text),
  );
  return { compiled: { workflow, plan, manifest, definitions }, diagnostics: checked.diagnostics, lines: source.lines };
}

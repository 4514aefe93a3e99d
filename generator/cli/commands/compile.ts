// `stepgraph compile <files or folders> --out <dir>`: ASL and manifest per workflow, and per sweep
// file what `stepgraph sweep compile` writes; nothing for a file with errors, nothing
// half-written, and no file written twice (a sweep named like another output is an error).
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compilePaths } from '../../compile.ts';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../../diagnostics.ts';
import { Codes } from '../../messages.ts';
import type { CompiledSweep } from '../../sweep/compile.ts';
import { ExitCode, UserError } from '../errors.ts';
import { sweepOutputs, writeCompiled, writeCompiledSweep } from '../files.ts';
import { requirePaths } from '../inputs.ts';
import { printDiagnostics } from '../report.ts';
import { compileSweepFiles } from '../sweep-files.ts';

export const summary = 'compile workflows (and sweep files) to Step Functions definitions and manifests';
export const usage = 'stepgraph compile <files or folders>... --out <dir> [--json]';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, json: { type: 'boolean', default: false } },
  });
  const out = values.out;
  if (!out) throw new UserError("say where to write with '--out <dir>', e.g. '--out build'");
  const paths = requirePaths(positionals);
  const result = compilePaths(paths);
  const sweepFiles = compileSweepFiles(paths);

  // Which file writes each output path: workflows first, then sweeps in file order.
  const writer = new Map<string, string>();
  for (const c of result.compiled) {
    for (const d of c.definitions) writer.set(join(out, `${d.name}.asl.json`), c.workflow.file);
    writer.set(join(out, `${c.workflow.name}.manifest.json`), c.workflow.file);
  }
  const sweeps: CompiledSweep[] = [];
  const clashes: Diagnostic[] = [];
  for (const s of sweepFiles) {
    if (!s.compiled || hasErrors(s.diagnostics)) continue;
    const files = sweepOutputs(out, s.compiled).map((o) => o.path);
    const taken = files.find((p) => writer.has(p));
    if (taken) {
      const message = `sweep '${s.compiled.sweep.name}' would write ${taken}, which ${writer.get(taken)} writes too`;
      clashes.push({ file: s.file, start: 0, end: 1, severity: 'error', code: Codes.duplicateWorkflow, message, hint: "give the sweep a 'name' of its own" });
      continue;
    }
    for (const p of files) writer.set(p, s.file);
    sweeps.push(s.compiled);
  }

  const diagnostics = sortDiagnostics([...result.diagnostics, ...sweepFiles.flatMap((s) => s.diagnostics), ...clashes]);
  const lines = new Map(sweepFiles.map((s) => [s.file, s.lines]));
  printDiagnostics(diagnostics, (file) => result.lineMaps(file) ?? lines.get(file), values.json);
  for (const compiled of result.compiled) {
    const written = writeCompiled(out, compiled);
    if (!values.json) console.error(`${compiled.workflow.file} -> ${written.join(', ')}`);
  }
  for (const compiled of sweeps) {
    const written = writeCompiledSweep(out, compiled);
    if (!values.json) console.error(`${compiled.sweep.file} -> ${written.join(', ')}`);
  }
  return hasErrors(diagnostics) ? ExitCode.user : ExitCode.ok;
}

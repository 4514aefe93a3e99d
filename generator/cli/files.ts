// Writing output files so that nothing is ever half-written: write a temporary file beside the
// target, then rename it over the target (atomic on the same file system).
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CompileResult, CompiledWorkflow } from '../compile.ts';
import type { CompiledSweep } from '../sweep/compile.ts';

export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, content);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Writes `<name>.asl.json` for each state machine and `<workflow>.manifest.json`; returns the paths. */
export function writeCompiled(outDir: string, compiled: CompiledWorkflow): string[] {
  const written: string[] = [];
  for (const definition of compiled.definitions) {
    const path = join(outDir, `${definition.name}.asl.json`);
    writeFileAtomic(path, definition.text);
    written.push(path);
  }
  const manifestPath = join(outDir, `${compiled.workflow.name}.manifest.json`);
  writeFileAtomic(manifestPath, `${JSON.stringify(compiled.manifest, null, 2)}\n`);
  written.push(manifestPath);
  return written;
}

/** The files a compiled sweep deploys from: `<sweep>.asl.json`, `<sweep>.manifest.json`, and a distributed sweep's `<sweep>.items.json`. */
export function sweepOutputs(outDir: string, compiled: CompiledSweep): { path: string; content: string }[] {
  const name = compiled.sweep.name;
  return [
    { path: join(outDir, `${name}.asl.json`), content: compiled.text },
    { path: join(outDir, `${name}.manifest.json`), content: `${JSON.stringify(compiled.manifest, null, 2)}\n` },
    ...(compiled.itemsText !== undefined ? [{ path: join(outDir, `${name}.items.json`), content: compiled.itemsText }] : []),
  ];
}

/** Writes a compiled sweep's files (sweepOutputs); returns their paths. */
export function writeCompiledSweep(outDir: string, compiled: CompiledSweep): string[] {
  const outputs = sweepOutputs(outDir, compiled);
  for (const { path, content } of outputs) writeFileAtomic(path, content);
  return outputs.map((o) => o.path);
}

/** Writes every workflow and sweep of a compile result; returns, per source file, what it wrote. */
export function writeCompileResult(outDir: string, result: Pick<CompileResult, 'compiled' | 'sweeps'>): { file: string; written: string[] }[] {
  return [
    ...result.compiled.map((c) => ({ file: c.workflow.file, written: writeCompiled(outDir, c) })),
    ...result.sweeps.map((s) => ({ file: s.sweep.file, written: writeCompiledSweep(outDir, s) })),
  ];
}

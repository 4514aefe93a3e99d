// Writing output files so that nothing is ever half-written: write a temporary file beside the
// target, then rename it over the target (atomic on the same file system). A compile's whole
// result is staged first (every file written under a temporary name) and only then renamed into
// place, one rename after another: a compile stopped while writing leaves all of the old files,
// and temporaries a killed compile left behind are removed by the next one.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CompileResult, CompiledWorkflow } from '../compile.ts';
import type { CompiledSweep } from '../sweep/compile.ts';

/** Temporary names: hidden, with the writer's pid, so a later writer knows whose they were. */
const tempName = (path: string): string => join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
const TEMP = /^\..+\.(\d+)\.tmp$/;

/** Writes every file under a temporary name, then renames them all into place. */
export function writeFilesTogether(files: readonly { path: string; content: string }[]): void {
  const dirs = [...new Set(files.map((f) => dirname(f.path)))];
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true });
    removeStaleTemporaries(dir);
  }
  const staged: string[] = [];
  try {
    for (const { path, content } of files) {
      const temp = tempName(path);
      staged.push(temp);
      writeFileSync(temp, content);
    }
    files.forEach(({ path }, i) => renameSync(staged[i], path));
  } catch (error) {
    for (const temp of staged) rmSync(temp, { force: true });
    throw error;
  }
}

/** One file, written under a temporary name and renamed into place. */
export function writeFileAtomic(path: string, content: string): void {
  writeFilesTogether([{ path, content }]);
}

/** Temporaries of writers that are gone (killed mid-write). */
function removeStaleTemporaries(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const pid = TEMP.exec(entry)?.[1];
    if (pid !== undefined && !isAlive(Number(pid))) rmSync(join(dir, entry), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A workflow's files: `<name>.asl.json` for each state machine and `<workflow>.manifest.json`. */
function workflowOutputs(outDir: string, compiled: CompiledWorkflow): { path: string; content: string }[] {
  return [
    ...compiled.definitions.map((d) => ({ path: join(outDir, `${d.name}.asl.json`), content: d.text })),
    { path: join(outDir, `${compiled.workflow.name}.manifest.json`), content: `${JSON.stringify(compiled.manifest, null, 2)}\n` },
  ];
}

/** The files a compiled sweep deploys from: `<sweep>.asl.json`, `<sweep>.manifest.json`, and a distributed sweep's `<sweep>.items.json`. */
function sweepOutputs(outDir: string, compiled: CompiledSweep): { path: string; content: string }[] {
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
  writeFilesTogether(outputs);
  return outputs.map((o) => o.path);
}

/** Writes every workflow and sweep of a compile result; returns, per source file, what it wrote. */
export function writeCompileResult(outDir: string, result: Pick<CompileResult, 'compiled' | 'sweeps'>): { file: string; written: string[] }[] {
  const each = [
    ...result.compiled.map((c) => ({ file: c.workflow.file, outputs: workflowOutputs(outDir, c) })),
    ...result.sweeps.map((s) => ({ file: s.sweep.file, outputs: sweepOutputs(outDir, s) })),
  ];
  // One staging for the whole result: old files stay until every new one is written.
  writeFilesTogether(each.flatMap((e) => e.outputs));
  return each.map((e) => ({ file: e.file, written: e.outputs.map((o) => o.path) }));
}

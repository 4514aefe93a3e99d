// The sweep files among what `stepgraph compile` is given, each compiled exactly as
// `stepgraph sweep compile` compiles it: YAML sweeps (which the workflow compiler checks beside
// the workflows) and spawn's JSON parameter files found in the folders (a JSON file counts only
// when it reads as a sweep: `params` or `matrix`, no `jobs`).
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { expandPaths, WORKFLOW_EXTENSIONS } from '../compile.ts';
import { hasErrors } from '../diagnostics.ts';
import { readSource } from '../source.ts';
import { compileSweepText, type SweepCompileResult } from '../sweep/compile.ts';
import { isSweepSource } from '../sweep/source.ts';

export interface SweepFileResult extends SweepCompileResult {
  file: string;
}

export function compileSweepFiles(paths: readonly string[]): SweepFileResult[] {
  const out: SweepFileResult[] = [];
  for (const path of expandPaths(paths, [...WORKFLOW_EXTENSIONS, '.json'])) {
    const file = relative(process.cwd(), path) || path;
    const text = readFileSync(path, 'utf8');
    const { source, diagnostics } = readSource(file, text);
    if (hasErrors(diagnostics) || !isSweepSource(source)) continue;
    out.push({ file, ...compileSweepText(file, text) });
  }
  return out;
}

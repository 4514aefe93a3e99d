// Phase 1, source: the other files a workflow file refers to, read with it. A job's
// `sweep: <file>` names a sweep file relative to the workflow's own file; reading it here keeps
// the check phase free of the file system (it checks text it is given, wherever it came from).
// Only where a file is named is known here: what it holds is still check's to judge.
import { dirname, join } from 'node:path';
import { isMap, isScalar, type Node, type Pair } from 'yaml';
import type { SourceFile } from './source.ts';

/** The path a reference written in `file` stands for (relative to the file's folder). */
export const includedPath = (file: string, reference: string): string => join(dirname(file), reference);

/** The files a workflow's jobs name (`jobs.<job>.sweep: <file>`), as paths, each once. */
export function includedFiles(source: SourceFile): string[] {
  const jobs = entry(source.root, 'jobs');
  if (!isMap(jobs)) return [];
  const out = new Set<string>();
  for (const pair of jobs.items as Pair<Node, Node | null>[]) {
    const sweep = entry(pair.value, 'sweep');
    if (isScalar(sweep) && typeof sweep.value === 'string') out.add(includedPath(source.file, sweep.value));
  }
  return [...out].sort();
}

/**
 * The source with the text of each file it names, read by `read` (undefined: it cannot be read,
 * which check reports at the reference).
 */
export function withIncludes(source: SourceFile, read: (path: string) => string | undefined): SourceFile {
  const included = new Map<string, string>();
  for (const path of includedFiles(source)) {
    const text = read(path);
    if (text !== undefined) included.set(path, text);
  }
  return { ...source, included };
}

function entry(node: Node | null | undefined, key: string): Node | null | undefined {
  if (!isMap(node)) return undefined;
  return (node.items as Pair<Node, Node | null>[]).find((p) => isScalar(p.key) && p.key.value === key)?.value;
}

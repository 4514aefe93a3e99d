// A workflow job of kind `sweep`: `sweep: sweeps/train.yaml` (a sweep file, relative to the
// workflow's own file) or a sweep written inline. The job finishes when the whole sweep is done,
// so the jobs that need it start after every parameter set has run.
import { isMap } from 'yaml';
import type { Diagnostic } from '../diagnostics.ts';
import { Codes } from '../messages.ts';
import type { Entry, Reader } from '../check/reader.ts';
import { checkSweep } from './check.ts';
import type { Sweep } from './model.ts';
import { includedPath } from '../source-includes.ts';
import { readSweepSource } from './source.ts';

export type SweepJobKind = { type: 'sweep'; sweep: Sweep; file?: string };

/** Sweep names are kebab-case; job names snake_case: `train_models` runs sweep `train-models` unless it names itself. */
const nameFor = (job: string): string => job.replace(/_/g, '-').slice(0, 40);

export function readSweepJob(r: Reader, entry: Entry, job: string): SweepJobKind | undefined {
  if (isMap(entry.value)) {
    const diagnostics: Diagnostic[] = [];
    const result = checkSweep({ ...r.source, root: entry.value }, { defaultName: nameFor(job) });
    diagnostics.push(...result.diagnostics);
    r.diagnostics.push(...diagnostics);
    return result.sweep ? { type: 'sweep', sweep: result.sweep } : undefined;
  }
  const reference = r.string(entry);
  if (reference === undefined) return undefined;
  // The source phase read the file (source-includes.ts): checking needs only its text.
  const path = includedPath(r.file, reference);
  const text = r.source.included?.get(path);
  if (text === undefined) {
    r.error(entry.span, Codes.badSweepReference, `sweep file '${reference}' not found (looked for ${path})`, "a sweep file's path is relative to the workflow file, e.g. 'sweeps/train.yaml'");
    return undefined;
  }
  const { source, diagnostics } = readSweepSource(path, text);
  const result = diagnostics.some((d) => d.severity === 'error') ? { diagnostics } : checkSweep(source, { defaultName: nameFor(job) });
  // The sweep file's problems are reported at the reference, each with its own place in the sweep file.
  for (const d of result.diagnostics) {
    const at = source.lines.position(d.start);
    const message = `${reference}:${at.line}:${at.column}: ${d.message}`;
    if (d.severity === 'error') r.error(entry.span, d.code, message, d.hint);
    else r.warning(entry.span, d.code, message, d.hint);
  }
  return 'sweep' in result && result.sweep ? { type: 'sweep', sweep: result.sweep, file: reference } : undefined;
}

// The durations file of `simulate --durations`: a YAML (or JSON) mapping from job name to how
// long the job takes, e.g. `player_entry: 45m`. A problem is reported at its place, as
// `file:line:col: message`, like the compiler's diagnostics.
import { isMap, isScalar, parseDocument, type Node } from 'yaml';
import { closest } from '../contract/suggest.ts';
import { durationHint, parseDuration } from '../check/values.ts';
import { UserError } from '../errors.ts';
import { LineMap } from '../diagnostics.ts';
import type { Workflow } from '../model.ts';

/** Seconds per job. Throws a UserError pointing at the first problem. */
export function parseDurations(file: string, text: string, workflow: Workflow): Map<string, number> {
  const lines = new LineMap(text);
  const at = (offset: number, message: string): UserError => {
    const { line, column } = lines.position(offset);
    return new UserError(`${file}:${line}:${column}: ${message}`);
  };
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) throw at(doc.errors[0].pos[0], `YAML syntax: ${doc.errors[0].message.split('\n')[0]}`);
  const root = doc.contents as Node | null;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return new Map();
  if (!isMap(root)) throw at(root.range?.[0] ?? 0, 'a durations file maps job names to durations, e.g. "sessions: 25m"');

  const jobs = new Set(workflow.jobs.map((j) => j.name));
  const out = new Map<string, number>();
  for (const pair of root.items) {
    const key = pair.key as Node | null;
    const name = isScalar(key) ? String(key.value) : undefined;
    const keyAt = key?.range?.[0] ?? 0;
    if (name === undefined) throw at(keyAt, 'a key here must be a job name');
    if (!jobs.has(name)) {
      const guess = closest(name, jobs);
      throw at(keyAt, `workflow '${workflow.name}' has no job '${name}'${guess ? `; did you mean '${guess}'?` : ''}`);
    }
    if (out.has(name)) throw at(keyAt, `'${name}' is given twice`);
    const value = pair.value as Node | null;
    const valueAt = value?.range?.[0] ?? keyAt;
    const raw = isScalar(value) ? value.value : undefined;
    if (typeof raw === 'number') throw at(valueAt, `'${name}: ${raw}' has no unit; write '${raw}s', '${raw}m' or '${raw}h'`);
    const seconds = typeof raw === 'string' ? parseDuration(raw) : undefined;
    if (seconds === undefined) throw at(valueAt, `'${raw === undefined || raw === null ? '' : String(raw)}' is not a duration for '${name}'; ${durationHint}`);
    out.set(name, seconds);
  }
  return out;
}

// How graphs draw conditions and trigger rules: a job with `when` says its condition under its
// name and has a dashed border; the edges into a job with a `run_if` other than all_success carry
// the rule and are dotted, since they mean "after this ends, however it ended".
import { conditionText } from '../conditions.ts';
import type { Job } from '../model.ts';

/** The lines a job's box adds under its kind (plain text: each format escapes it). */
export function conditionLines(job: Job): string[] {
  return [...(job.when ? [`when ${conditionText(job.when)}`] : []), ...(job.runIf && job.runIf !== 'all_success' ? [`run_if ${job.runIf}`] : [])];
}

/** The rule an edge into the job is drawn with, when it is not the default. */
export const edgeRule = (job: Job): string | undefined => (job.runIf && job.runIf !== 'all_success' ? job.runIf : undefined);

/** Mermaid label text: its own entity codes for what would end or break the quoted label. */
export const mermaidText = (text: string): string => text.replace(/[#"<>&]/g, (c) => `#${c.charCodeAt(0)};`);

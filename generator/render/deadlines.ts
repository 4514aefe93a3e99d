// Deadlines in the job graph: a job's on its box ("deadline 05:30", "deadline start+4h"), the
// run's as the graph's caption, in every format (Mermaid, DOT, SVG and the HTML page's SVG).
import { formatDuration } from '../check/values.ts';
import type { Deadline, Job, Workflow } from '../model.ts';

const when = (d: Deadline): string => ('clock' in d ? d.clock : `start+${formatDuration(d.afterSeconds)}`);

/** The line a job's box carries; none without a deadline. */
export const jobDeadlineLines = (job: Job): string[] => (job.deadline ? [`deadline ${when(job.deadline)}`] : []);

/** "run deadline 06:00 (Europe/Belgrade)" or "run deadline start+4h"; undefined without one. */
export function runDeadlineCaption(workflow: Workflow): string | undefined {
  const d = workflow.deadline;
  if (!d) return undefined;
  return `run deadline ${when(d)}${'clock' in d ? ` (${workflow.schedule?.timezone ?? 'UTC'})` : ''}`;
}

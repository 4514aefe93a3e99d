// `sweep: <file>` or an inline sweep: a parameter sweep run as a Map (generator/sweep/); the job
// is done when every parameter set has run (or as many as it tolerates). Its states are its own
// (emit/sweep.ts), and its items are served locally by the sweep's local implementation.
import { readSweepJob, type SweepJobKind } from '../sweep/job.ts';
import type { KindAccess, KindModule } from './kind.ts';
import { runnerKind } from './task-kinds.ts';

export type { SweepJobKind };

export const sweep: KindModule<SweepJobKind> = {
  type: 'sweep',
  doc: {
    spelling: 'sweep: <file>` or `sweep: { params, matrix, ... }',
    runs: 'a parameter sweep: one run per parameter set on EC2 instances or a runner kind, at most `max_concurrent` at once',
    done: 'when every parameter set has run (or as many as it tolerates)',
  },
  schema: {
    description:
      'A parameter sweep: a sweep file (relative to this file, e.g. sweeps/train.yaml) or one written inline (see sweep.schema.json). The job is done when every parameter set has run.',
    type: ['string', 'object'],
  },
  read: (r, entry, { job }) => readSweepJob(r, entry, job),
  // EC2 calls and Distributed Map grants depend on the plan and the definitions (infra/sweep-access.ts);
  // the runner's own grants are its kind's.
  access(kind, ctx): KindAccess {
    const runner = kind.sweep.runner;
    if (runner.type === 'ec2') return { grants: [] };
    return runnerKind(runner).access(runner, ctx);
  },
  local: { mode: 'states' },
};

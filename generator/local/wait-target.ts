// What a wait of a local run needs, as the file (or object) to create: `run --local` prints it
// when a job starts waiting, so a person can see which marker is missing and write it by hand.
// Read from the model and the runtime contract's key shapes (docs/architecture.md: markers
// `<prefix><job>__<datekey>.done`). An in-run wait has no file: it is a signal of the run's own
// job (contract/waits.ts), released when that job is done or skipped.
import { waitLabel, type Workflow } from '../model.ts';
import { waitKeys } from './wait-keys.ts';
import type { WaitKind } from './roles.ts';

export interface WaitTargetContext {
  workflow: Workflow;
  /** The workflow's marker bucket with placeholders resolved. */
  bucket: string;
  datekey: string;
  executionName: string;
  /** Where the store keeps an object (a file path for a directory store). */
  locate(bucket: string, key: string): string;
}

export function waitTarget(ctx: WaitTargetContext, job: string, kind: WaitKind, what: string): string | undefined {
  switch (kind) {
    case 'external': {
      const wait = ctx.workflow.jobs.find((j) => j.name === job)?.waitsFor.find((w) => waitLabel(w) === what);
      if (!wait) return undefined;
      // A dated wait may need several markers (24 hourly ones): the first, and how many more.
      const bucket = wait.bucket ?? ctx.bucket;
      const keys = waitKeys(wait, bucket, ctx.datekey, ctx.workflow.partition);
      if (keys.length === 0) return undefined;
      return `${ctx.locate(bucket, keys[0])}${keys.length > 1 ? ` (+${keys.length - 1} more: ${keys.length} markers, to ${ctx.locate(bucket, keys[keys.length - 1])})` : ''}`;
    }
    case 'in-run':
      return undefined;
  }
}

// What a wait of a local run needs, as the file (or object) to create: `run --local` prints it
// when a job starts waiting, so a person can see which marker is missing and write it by hand.
// Read from the model and the runtime contract's key shapes (docs/architecture.md: markers
// `<prefix><job>__<datekey>.done`). An in-run wait has no file: it is a signal of the run's own
// job (contract/waits.ts), released when that job is done or skipped.
import { markerKey } from '../contract/markers.ts';
import type { Workflow } from '../model.ts';
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
      const wait = ctx.workflow.jobs.find((j) => j.name === job)?.waitsFor.find((w) => w.marker === what);
      if (!wait) return undefined;
      return ctx.locate(wait.bucket ?? ctx.bucket, markerKey(wait.prefix, wait.marker, ctx.datekey));
    }
    case 'in-run':
      return undefined;
  }
}

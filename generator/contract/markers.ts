// Completion markers (docs/architecture.md, "runtime contract"): a job of a run is done when the
// object `<prefix><job>__<datekey>.done` exists. The compiler writes these keys into the ASL,
// infra grants and listens for their patterns, the handlers read them back, the local engine
// stores them: every one of them builds and parses keys here.
import { parseDatekey, type Partition, type RunDate } from './dates.ts';

const SEPARATOR = '__';
const SUFFIX = '.done';

/** `<prefix><job>__<datekey>.done` */
export const markerKey = (prefix: string, job: string, datekey: string): string => `${prefix}${job}${SEPARATOR}${datekey}${SUFFIX}`;

/** Every date's marker of one job, `<prefix><job>__*.done`: the `*` stands for the datekey only. */
export const markerKeyPattern = (prefix: string, job: string): string => markerKey(prefix, job, '*');

/** Every marker under a prefix, `<prefix>*__*.done`: what a workflow's role may write. */
export const anyMarkerPattern = (prefix: string): string => markerKey(prefix, '*', '*');

/**
 * The key with `{}` where the datekey goes, for `States.Format`. The prefix and job are written
 * as they are: the caller escapes them for the intrinsic.
 */
export const markerKeyFormat = (prefix: string, job: string): string => markerKey(prefix, job, '{}');

export interface ParsedMarker {
  job: string;
  date: RunDate;
}

/** `<prefix><job>__<datekey>.done` -> job and date; undefined for any other key. */
export function parseMarkerKey(key: string, prefix: string, partition: Partition): ParsedMarker | undefined {
  if (!key.startsWith(prefix) || !key.endsWith(SUFFIX)) return undefined;
  const stem = key.slice(prefix.length, -SUFFIX.length);
  // The datekey never contains '__', so the last separator splits job from date even when a job
  // name contains '__' itself.
  const at = stem.lastIndexOf(SEPARATOR);
  if (at <= 0) return undefined;
  const job = stem.slice(0, at);
  if (job.includes('/')) return undefined;
  const date = parseDatekey(stem.slice(at + SEPARATOR.length), partition);
  return date ? { job, date } : undefined;
}

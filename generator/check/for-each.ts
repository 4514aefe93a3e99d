// Reads a job's `for_each: <job>.<output>` (one run of the job per element of that list output, as
// a Map) with `max_concurrent` and `tolerated_failures` (read as a sweep's: check/tolerated.ts). Whether the job and output exist and are upstream is a graph check
// (references.ts), once every job has been read.
import { Codes } from '../messages.ts';
import type { ForEach } from '../model.ts';
import type { Entry, Fields, Reader, Span } from './reader.ts';
import { readTolerated } from './tolerated.ts';
import { readForEachSize } from './for-each-size.ts';

const NAME = '[a-z][a-z0-9]*(?:_[a-z0-9]+)*';
const SOURCE = new RegExp(`^(${NAME})\\.(${NAME})$`);

/** The for_each of a job, and the place of its value; reports misspellings and stray `max_concurrent`. */
export function readForEach(r: Reader, fields: Fields, where: string): { forEach?: ForEach; span?: Span } {
  const entry = fields.get('for_each');
  const concurrent = fields.get('max_concurrent');
  const tolerance = fields.get('tolerated_failures');
  if (!entry) {
    if (concurrent) r.error(concurrent.keySpan, Codes.badForEach, `'max_concurrent' of ${where} has no 'for_each' to limit`, "add 'for_each: <job>.<output>' (a list output of a job it needs), or drop 'max_concurrent'");
    if (tolerance) r.error(tolerance.keySpan, Codes.toleranceWithoutForEach, `'tolerated_failures' of ${where} has no items to tolerate failures of: the job has no 'for_each'`, "add 'for_each: <job>.<output>' to run the job once per element, or drop 'tolerated_failures' (a sweep job's goes in its sweep file)");
    readForEachSize(r, fields, where, false);
    return {};
  }
  const text = r.string(entry);
  if (text === undefined) return {};
  const m = SOURCE.exec(text.trim());
  if (!m) {
    r.error(entry.span, Codes.badForEach, `'for_each' of ${where} must name a list output as <job>.<output>, not '${text}'`, "e.g. 'for_each: list_partitions.partitions'");
    return {};
  }
  const maxConcurrent = concurrency(r, concurrent);
  const tolerated = readTolerated(r, tolerance, Codes.badForEachTolerance);
  const size = readForEachSize(r, fields, where, true);
  if (maxConcurrent === null || tolerated === undefined || size === null) return {};
  // 0 and 0% tolerate nothing: the job fails in place, as without the key.
  const toleratedFailures = ('count' in tolerated ? tolerated.count : tolerated.percent) > 0 ? tolerated : undefined;
  return { forEach: { job: m[1], output: m[2], ...(maxConcurrent !== undefined && { maxConcurrent }), ...(toleratedFailures && { toleratedFailures }), ...size }, span: entry.span };
}

/** Step Functions takes 0 (no limit) to any count; 0 is written as the absence of the key. null: reported. */
function concurrency(r: Reader, entry: Entry | undefined): number | undefined | null {
  if (!entry) return undefined;
  const n = r.integer(entry, 1);
  return n === undefined ? null : n;
}

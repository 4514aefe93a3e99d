// What a for_each job's raw item records add to the run's state for a moment. A job that tolerates
// failures and has outputs keeps its Map's records at `$.job.records` until it gathers them into
// lists (emit/for-each-gather.ts): beside the values its outputs' max_size bounds, each record
// repeats the outputs' key names, and inline also its `failedIndex`, copied once more into the
// tally. Counted per item at the most items the list can hold: `max_items` when declared, else
// what the upstream list's declared size can hold (an element and its comma take 2 bytes at
// least); with neither, the item count is unknown and nothing is counted, as for an output
// without a declared size. The form is known here only where the job forces it (`map`, or more
// than an inline Map's 40 at a time); otherwise the larger inline record is counted.
import type { Job } from '../model.ts';

const INLINE_CONCURRENCY = 40;

/** The bytes of key names the records add (and the most items counted), or undefined when the job keeps no records or its item count is unknown. */
export function recordKeyBytes(job: Job, jobs: readonly Job[]): { bytes: number; items: number } | undefined {
  const forEach = job.forEach;
  if (!forEach?.toleratedFailures || (job.outputs ?? []).length === 0) return undefined;
  const listBytes = jobs.find((j) => j.name === forEach.job)?.outputs?.find((o) => o.name === forEach.output)?.maxBytes;
  const items = forEach.maxItems ?? (listBytes === undefined ? undefined : Math.floor(listBytes / 2));
  if (items === undefined || items === 0) return undefined;
  // `{"a":…,"b":…},`: braces, comma, and per output `"name":` with its comma.
  const keys = 3 + job.outputs!.reduce((sum, o) => sum + o.name.length + 4, 0);
  const distributed = forEach.map === 'distributed' || (forEach.map === undefined && (forEach.maxConcurrent ?? 0) > INLINE_CONCURRENCY);
  // Inline: `"failedIndex":-1,` in the record, and the index again with its comma in the tally's keys.
  const digits = String(items).length + 1;
  const perItem = distributed ? keys : keys + 15 + digits + digits + 1;
  return { bytes: perItem * items, items };
}

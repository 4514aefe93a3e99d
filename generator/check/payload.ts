// Step Functions' 256 KiB payload limit, checked from the outputs' declared sizes (`max_size`): every
// state after a job carries its outputs at `$.outputs`, so the run's state grows by the sum of them
// (a for_each job's max_size bounds its whole list). Near the limit is a warning (SG4010), past it an
// error (SG4011) at the output that crosses it. An output without a declared size is not counted: a
// state whose data outgrows the limit at run time fails in place with States.DataLimitExceeded.
import { Codes } from '../messages.ts';
import type { Job } from '../model.ts';
import type { JobSpans } from './jobs.ts';
import type { Reader } from './reader.ts';
import { recordKeyBytes } from './for-each-records.ts';

const PAYLOAD_BYTES = 262_144;
const NEAR = 0.8;
/** The rest of the run's state: date, params, run, select and the job's scratch result. */
const BASE_BYTES = 4096;

const kib = (bytes: number): string => `${Math.ceil(bytes / 1024)}KB`;

export function checkPayload(r: Reader, jobs: readonly Job[], spans: ReadonlyMap<string, JobSpans>): void {
  let total = BASE_BYTES;
  let warned = false;
  for (const job of jobs) {
    for (const output of job.outputs ?? []) {
      if (output.maxBytes === undefined) continue;
      total += output.maxBytes;
      const at = spans.get(job.name)!.name;
      if (total > PAYLOAD_BYTES) {
        r.error(at, Codes.payloadOverLimit, `the run's state can reach ${kib(total)} with output '${output.name}' of job '${job.name}' (declared max_size ${kib(output.maxBytes)}): past Step Functions' 256KB payload limit`, 'pass large values by reference: write them to S3 and hand on the key as an output');
        return;
      }
      if (!warned && total > PAYLOAD_BYTES * NEAR) {
        warned = true;
        r.warning(at, Codes.payloadNearLimit, `the run's state can reach ${kib(total)} of Step Functions' 256KB payload limit with output '${output.name}' of job '${job.name}'`, 'pass large values by reference: write them to S3 and hand on the key as an output');
      }
    }
    // For a moment a tolerant for_each job's state also holds its items' records (check/for-each-records.ts).
    const records = recordKeyBytes(job, jobs);
    if (records && total + records.bytes > PAYLOAD_BYTES * NEAR) {
      const at = spans.get(job.name)!.name;
      const what = `the run's state can reach ${kib(total + records.bytes)} while job '${job.name}' holds its items' records (the key names of up to ${records.items} items add ${kib(records.bytes)})`;
      const hint = "declare the list's real bound with max_items, or pass large values by reference: write them to S3 and hand on the key as an output";
      if (total + records.bytes > PAYLOAD_BYTES) {
        r.error(at, Codes.payloadOverLimit, `${what}: past Step Functions' 256KB payload limit`, hint);
        return;
      }
      if (!warned) {
        warned = true;
        r.warning(at, Codes.payloadNearLimit, `${what}, near Step Functions' 256KB payload limit`, hint);
      }
    }
  }
}

// Pools: `pools: { warehouse: { slots: 3, timeout: 6h } }` at the workflow level, `pool: warehouse`
// on a job. A pool is a semaphore shared by every run and workflow of the account and region
// (contract/pools.ts); across files, compile.ts keeps one size per pool (pool-agreement.ts).
import { closest } from '../contract/suggest.ts';
import { Codes } from '../messages.ts';
import type { Job, Pool } from '../model.ts';
import { duration } from './options.ts';
import type { Entry, Reader, Span } from './reader.ts';
import { jobNameProblem, report } from './values.ts';

/** The most slots a pool may have: its holders are one DynamoDB item (400 KB), each some 400 bytes. */
const MAX_POOL_SLOTS = 500;

/** Reads `pools:`; undefined when the workflow declares none. */
export function readPools(r: Reader, entry: Entry | undefined, defaultTimeoutSeconds: number): Pool[] | undefined {
  if (!entry || !r.map(entry)) return undefined;
  const pools: Pool[] = [];
  for (const p of r.entries(entry.value)) {
    const nameOk = report(r, p.keySpan, Codes.badPoolName, jobNameProblem(p.key, 'pool'));
    // `warehouse: 3` is accepted as a shorthand for `warehouse: { slots: 3 }`.
    const shorthand = r.scalar(p.value);
    const fields = typeof shorthand === 'number' ? undefined : r.fields(r.map(p) ?? null, `pool '${p.key}'`, ['slots', 'timeout'], ['slots']);
    const slotsEntry: Entry | undefined = typeof shorthand === 'number' ? { ...p, key: 'slots' } : fields?.get('slots');
    const slots = slotsEntry ? slotCount(r, slotsEntry, p.key) : undefined;
    const timeout = duration(r, fields?.get('timeout'));
    if (nameOk && slots !== undefined) pools.push({ name: p.key, slots, timeoutSeconds: timeout ?? defaultTimeoutSeconds });
  }
  return pools;
}

function slotCount(r: Reader, entry: Entry, pool: string): number | undefined {
  const v = r.scalar(entry.value);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_POOL_SLOTS) {
    r.error(entry.span, Codes.badPoolSlots, `pool '${pool}' must have a whole number of slots from 1 to ${MAX_POOL_SLOTS}, not ${JSON.stringify(v ?? null)}`, 'slots: how many jobs of this pool may run at once, over all runs and workflows');
    return undefined;
  }
  return v;
}

/** Reads a job's `pool:`: the pool's name. */
export function readJobPool(r: Reader, entry: Entry | undefined): { name: string; span: Span } | undefined {
  if (!entry) return undefined;
  const name = r.string(entry);
  return name === undefined ? undefined : { name, span: entry.span };
}

/**
 * Every job's pool is declared, and a sweep job takes none (its items have `max_concurrent`); a
 * declared pool no job uses is a warning (it limits nothing in this workflow).
 */
export function checkPoolUse(r: Reader, pools: readonly Pool[] | undefined, jobs: readonly Job[], places: ReadonlyMap<string, Span>, poolsEntry: Entry | undefined): void {
  const declared = (pools ?? []).map((p) => p.name);
  for (const job of jobs) {
    if (job.pool === undefined) continue;
    const at = places.get(job.name)!;
    if (!declared.includes(job.pool)) {
      const near = closest(job.pool, declared);
      r.error(at, Codes.unknownPool, `job '${job.name}' takes a slot of pool '${job.pool}', which this workflow does not declare`, near ? `did you mean '${near}'?` : `declare it at the top level: pools: { ${job.pool}: { slots: 3 } }`);
    } else if (job.kind.type === 'sweep') {
      r.error(at, Codes.poolOnSweep, `sweep job '${job.name}' cannot take a pool slot: it runs many items at once`, "limit its items with 'max_concurrent' instead, or give the pool to the jobs its items start");
    }
  }
  if (!poolsEntry) return;
  for (const p of r.entries(poolsEntry.value)) {
    if (declared.includes(p.key) && !jobs.some((j) => j.pool === p.key)) r.warning(p.keySpan, Codes.unusedPool, `pool '${p.key}' is declared but no job of this workflow takes a slot of it`, `add 'pool: ${p.key}' to the jobs it limits, or remove it`);
  }
}

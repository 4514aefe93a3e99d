// A pool is one semaphore for the whole account and region, whichever workflows declare it: two
// workflows giving it different slots would each enforce their own size on the same table. Across
// the files compiled together, every declaration of a pool must give the same slots (SG2031, at
// each declaration that differs from the first, with a note pointing at the first).
import type { Diagnostic } from './diagnostics.ts';
import { Codes } from './messages.ts';
import type { Workflow } from './model.ts';

export function poolDisagreements(workflows: readonly { workflow: Workflow; text: string }[]): Diagnostic[] {
  const first = new Map<string, { slots: number; file: string; offset: number; workflow: string }>();
  const out: Diagnostic[] = [];
  for (const { workflow, text } of workflows) {
    for (const pool of workflow.pools ?? []) {
      const at = slotsSpan(text, pool.name);
      const seen = first.get(pool.name);
      if (!seen) {
        first.set(pool.name, { slots: pool.slots, file: workflow.file, offset: at.start, workflow: workflow.name });
        continue;
      }
      if (seen.slots === pool.slots) continue;
      out.push({
        file: workflow.file,
        ...at,
        severity: 'error',
        code: Codes.poolSlotsDisagree,
        message: `pool '${pool.name}' has ${pool.slots} slot${pool.slots === 1 ? '' : 's'} here but ${seen.slots} in workflow '${seen.workflow}': a pool is one semaphore for every workflow of the account and region`,
        hint: `give it the same slots in every workflow that declares it (${seen.slots}, or change both)`,
        related: { message: `'${pool.name}' declared with ${seen.slots} slot${seen.slots === 1 ? '' : 's'}`, file: seen.file, offset: seen.offset },
      });
    }
  }
  return out;
}

/** Where the pool's slots are written (`warehouse: { slots: 3 }` or `warehouse: 3`), else its name, else the file's start. */
function slotsSpan(text: string, pool: string): { start: number; end: number } {
  const escaped = pool.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pools = /(^|\n)pools\s*:/.exec(text);
  const from = pools ? pools.index : 0;
  const name = new RegExp(`["']?${escaped}["']?\\s*:`).exec(text.slice(from));
  if (!name) return { start: 0, end: 1 };
  const nameAt = from + name.index;
  const rest = text.slice(nameAt + name[0].length);
  const slots = /^\s*(?:\{\s*(?:[^}]*?\bslots\s*:\s*)|\n\s*(?:[a-z_]+\s*:[^\n]*\n\s*)*?slots\s*:\s*)?(\d+)/.exec(rest);
  if (!slots) return { start: nameAt, end: nameAt + pool.length };
  const start = nameAt + name[0].length + slots.index + slots[0].length - slots[1].length;
  return { start, end: start + slots[1].length };
}

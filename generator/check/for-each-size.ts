// A for_each job's size keys: `max_items` (the most elements its list can hold, declared) and
// `map: inline | distributed` (the Map's mode, forced; absent, emit/for-each-mode.ts decides by
// size as sweeps do). An inline Map's iterations all land in the run's own history (25,000
// events), so a for_each that declares no bound and would fill it at the count past which an
// inline Map is the wrong tool gets a warning: declare `max_items`, or choose `map: distributed`.
import { Codes } from '../messages.ts';
import type { ForEach, RetryPolicy } from '../model.ts';
import type { Fields, Reader, Span } from './reader.ts';

const MODES = ['inline', 'distributed'] as const;

/** Items past which an inline Map is the wrong tool (as for sweeps, sweep/plan.ts). */
const UNBOUNDED_ITEMS = 1_000;
/** The share of the history the Map's iterations may take (the sweep's budget). */
const HISTORY_BUDGET = 20_000;

/** `max_items` and `map` of a job; reports bad values, and either key on a job without `for_each`. null: reported. */
export function readForEachSize(r: Reader, fields: Fields, where: string, hasForEach: boolean): Pick<ForEach, 'maxItems' | 'map'> | null {
  const items = fields.get('max_items');
  const map = fields.get('map');
  if (!hasForEach) {
    for (const entry of [items, map]) {
      if (entry) r.error(entry.keySpan, Codes.sizeWithoutForEach, `'${entry.key}' of ${where} has no 'for_each' to size`, `add 'for_each: <job>.<output>' to run the job once per element, or drop '${entry.key}'`);
    }
    return {};
  }
  let ok = true;
  let maxItems: number | undefined;
  if (items) {
    const raw = r.scalar(items.value);
    if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 1) maxItems = raw;
    else {
      r.error(items.span, Codes.badForEachSize, `'max_items' of ${where} must be a whole number of 1 or more, not ${JSON.stringify(raw)}`, 'write the most elements the list can hold, e.g. max_items: 5000');
      ok = false;
    }
  }
  let mode: ForEach['map'];
  if (map) {
    const raw = r.scalar(map.value);
    if (raw === 'inline' || raw === 'distributed') mode = raw;
    else {
      r.error(map.span, Codes.badForEachSize, `'map' of ${where} must be ${MODES.join(' or ')}, not ${JSON.stringify(raw)}`, "omit 'map' to let the size decide, or write 'map: distributed' to run each item as a child execution");
      ok = false;
    }
  }
  if (!ok) return null;
  return { ...(maxItems !== undefined && { maxItems }), ...(mode && { map: mode }) };
}

/**
 * Worst-case history events of one inline iteration, counted as emit/limits.ts counts them: the
 * iteration's two events, the item Task's own two and four per attempt (a callback or .sync Task's
 * worst case), and the failed item's record when failures are tolerated.
 */
function iterationEvents(retry: RetryPolicy, tolerates: boolean): number {
  return 2 + 2 + 4 * (1 + retry.attempts) + (tolerates ? 2 : 0);
}

/** SG4015: an inline for_each with no bound whose iterations could fill the run's history. */
export function warnUnbounded(r: Reader, forEach: ForEach, retry: RetryPolicy, span: Span, where: string): void {
  if (forEach.maxItems !== undefined || forEach.map === 'distributed' || (forEach.maxConcurrent ?? 0) > 40) return;
  const perItem = iterationEvents(retry, forEach.toleratedFailures !== undefined);
  if (UNBOUNDED_ITEMS * perItem <= HISTORY_BUDGET) return;
  const fits = Math.floor(HISTORY_BUDGET / perItem);
  r.warning(
    span,
    Codes.forEachUnbounded,
    `the for_each of ${where} runs inline, and each item can add ${perItem} events to the run's history: about ${fits.toLocaleString('en-US')} items fill its 25,000-event limit, and the list has no declared bound`,
    "declare 'max_items: <n>' (the compiler then chooses a Distributed Map when n items would not fit), or write 'map: distributed'",
  );
}
